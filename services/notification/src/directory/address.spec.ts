import {
  addressKeys,
  normaliseAddressLine,
  normaliseCity,
  normalisePostalCode,
  normaliseUnitLabel,
} from './address';

describe('address comparison keys', () => {
  it('ignores width, case, spacing and punctuation in address lines', () => {
    const key = normaliseAddressLine('88 Century Avenue, Tower A');
    expect(normaliseAddressLine('88  century avenue tower-a')).toBe(key);
    expect(normaliseAddressLine('８８ Ｃｅｎｔｕｒｙ Avenue，Tower A')).toBe(key);
    expect(normaliseAddressLine('世纪大道 88 号')).toBe(normaliseAddressLine('世纪大道88号'));
    expect(normaliseAddressLine('90 Century Avenue, Tower A')).not.toBe(key);
  });

  it('compares postal codes and cities without their formatting', () => {
    expect(normalisePostalCode(' sw1a 1aa ')).toBe('SW1A1AA');
    expect(normaliseCity('上海市')).toBe(normaliseCity('上海'));
    expect(normaliseCity('Shanghai City')).toBe(normaliseCity('shanghai'));
  });

  it('reduces unit labels to what identifies the unit', () => {
    expect(normaliseUnitLabel('12-03')).toBe('1203');
    expect(normaliseUnitLabel('Flat 12-03')).toBe('1203');
    expect(normaliseUnitLabel('１２－０３室')).toBe('1203');
    expect(normaliseUnitLabel('#1203')).toBe('1203');
    expect(normaliseUnitLabel('12-04')).not.toBe('1203');
  });

  it('builds the keys a property is stored with', () => {
    expect(
      addressKeys({
        country: 'cn',
        city: 'Shanghai',
        postalCode: '200 120',
        addressLine: '88 Century Avenue',
      }),
    ).toEqual({
      countryCode: 'CN',
      cityNorm: 'shanghai',
      postalCodeNorm: '200120',
      addressLineNorm: '88centuryavenue',
    });
  });
});
