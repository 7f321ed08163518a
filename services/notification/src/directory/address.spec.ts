import {
  addressKeys,
  normaliseAddressLine,
  normaliseCity,
  normalisePostalCode,
  normaliseUnitLabel,
  placeKey,
} from './address';

describe('address comparison keys', () => {
  it('ignores width, case, spacing and punctuation in address lines', () => {
    const key = normaliseAddressLine('88 Century Avenue, Tower A');
    expect(normaliseAddressLine('88  century avenue tower-a')).toBe(key);
    expect(normaliseAddressLine('８８ Ｃｅｎｔｕｒｙ Avenue，Tower A')).toBe(key);
    expect(normaliseAddressLine('世纪大道 88 号')).toBe(normaliseAddressLine('世纪大道88号'));
    expect(normaliseAddressLine('90 Century Avenue, Tower A')).not.toBe(key);
  });

  // [a, b, same street line?]
  const lines: Array<[string, string, boolean]> = [
    ['88 Century Avenue', 'No. 88 Century Avenue', true],
    ['88 Century Avenue', 'No.88 Century Ave.', true],
    ['88 Century Avenue', '#88 Century Ave', true],
    ['88 Century Avenue', 'Nr. 88 Century Av', true],
    ['88 Century Avenue', '№ 88 Century Avenue', true],
    ['世纪大道88号', '世纪大道88', true],
    ['世纪大道88号', '世纪大道８８號', true],
    ['世纪大道88号', '世纪大道 No.88', true],
    ['1 Keyuan Rd', '1 Keyuan Road', true],
    ['5 Nanjing St', '5 Nanjing Street', true],
    ['科苑路15号A座', '科苑路15号 A座', true],
    ['Lane 88 No. 5', 'Lane 88, No 5', true],
    ['88-90 Century Avenue', '88 – 90 Century Avenue', true],
    // near misses: the house number decides
    ['88 Century Avenue', '89 Century Avenue', false],
    ['88 Century Avenue', '8 Century Avenue', false],
    ['88 Century Avenue', '888 Century Avenue', false],
    ['世纪大道88号', '世纪大道888号', false],
    ['世纪大道88号', '世纪大道8号', false],
    ['Lane 88 No. 5', 'Lane 885', false],
    ['长宁路1018弄5号', '长宁路1018号', false],
    ['长宁路1018弄5号', '长宁路1018弄15号', false],
    // 号 that belongs to the next word stays: building 5 is not the 5th floor
    ['科苑路15号5号楼', '科苑路15号5楼', false],
    ['88 Century Avenue', '88 Century Road', false],
    ['88 Century Avenue', '88 Century Avenue West', false],
    ['Nanjing Road 1', 'Nanjing Road 11', false],
  ];
  it.each(lines)('%s vs %s: same = %s', (a, b, same) => {
    expect(normaliseAddressLine(a) === normaliseAddressLine(b)).toBe(same);
  });

  it('keeps the number in the key and two numbers apart', () => {
    expect(normaliseAddressLine('No. 88 Century Ave., Tower A')).toBe('88centuryavenuetowera');
    expect(normaliseAddressLine('世纪大道88号')).toBe('世纪大道88');
    expect(normaliseAddressLine('Lane 88 No. 5')).toBe('lane88-5');
    expect(normaliseAddressLine('Kinross 5')).toBe('kinross5');
  });

  // [a, b, same place key?]
  const places: Array<[string, string, boolean]> = [
    ['上海市', '上海', true],
    ['Shanghai City', 'shanghai', true],
    ['Shanghai Shi', 'SHANGHAI', true],
    ['Ｓｈａｎｇｈａｉ', 'Shanghai', true],
    ['广东省', '广东', true],
    ['Guangdong Province', 'Guangdong Sheng', true],
    ['南山区', '南山', true],
    ['南山 区', '南山', true],
    ['Nanshan District', 'Nanshan', true],
    ['Nanshan Qu', 'nanshan', true],
    ['浦东新区', '浦东', true],
    ['Pudong New Area', 'Pudong', true],
    ['Pudong New District', 'pudong', true],
    ['香港特别行政区', '香港', true],
    ['Hong Kong SAR', 'Hong-Kong', true],
    ["Xi'an", 'Xian', true],
    ['Xi’an Shi', "xi'an", true],
    ['昆山市', '昆山', true],
    ['沭阳县', '沭阳', true],
    ['上海', '上饶', false],
    ['Huangshi', 'Huang', false], // a suffix must be its own word
    ['沙县', '沙', false], // single-character names keep their suffix
    ['城区', '城', false],
    ['Nanshan', 'Nanshang', false],
    ['徐汇区', '徐汇县', true], // the suffix is no evidence; the city and street line are
  ];
  it.each(places)('place %s vs %s: same = %s', (a, b, same) => {
    expect(placeKey(a) === placeKey(b)).toBe(same);
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
        addressLine: 'No. 88 Century Avenue',
      }),
    ).toEqual({
      countryCode: 'CN',
      cityNorm: 'shanghai',
      postalCodeNorm: '200120',
      addressLineNorm: '88centuryavenue',
    });
  });
});
