import { checkIdNumber, idNumberCheckCharacter, normaliseIdNumber } from './id-number';

/** Numbers are built from the algorithm, never taken from a real person. */
function makeId(address: string, birth: string, sequence = '123'): string {
  const first17 = `${address}${birth}${sequence}`;
  return first17 + idNumberCheckCharacter(first17);
}

/** A sequence for which the check character comes out as X, to exercise the letter. */
function makeIdEndingInX(address: string, birth: string): string {
  for (let n = 0; n < 1000; n++) {
    const id = makeId(address, birth, String(n).padStart(3, '0'));
    if (id.endsWith('X')) return id;
  }
  throw new Error('no X found');
}

const toFullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const reference = new Date('2025-06-15T04:00:00Z');

describe('GB 11643 identity number', () => {
  it('computes the MOD 11-2 check character that satisfies the ISO 7064 definition', () => {
    // Definition: sum of a_i * 2^(18-i) mod 11 over all 18 characters (X = 10) is 1 mod 11.
    for (const first17 of [
      '11010519900307123',
      '44030420010101000',
      '65010219751231999',
      '83000019880808008',
    ]) {
      const id = first17 + idNumberCheckCharacter(first17);
      const digits = [...id].map((c) => (c === 'X' ? 10 : Number(c)));
      const sum = digits.reduce((acc, a, i) => acc + a * (2 ** (17 - i) % 11), 0);
      expect(sum % 11).toBe(1);
    }
    expect(() => idNumberCheckCharacter('123')).toThrow(RangeError);
  });

  it('accepts a well-formed number, with X in any case, full-width characters and spaces', () => {
    expect(checkIdNumber(makeId('110105', '19900307'), reference)).toEqual([]);
    const withX = makeIdEndingInX('310104', '19851120');
    expect(checkIdNumber(withX, reference)).toEqual([]);
    expect(checkIdNumber(withX.toLowerCase(), reference)).toEqual([]);
    expect(checkIdNumber(toFullWidth(withX), reference)).toEqual([]);
    expect(
      checkIdNumber(` ${withX.slice(0, 6)} ${withX.slice(6, 14)}\u3000${withX.slice(14)} `, reference),
    ).toEqual([]);
    expect(normaliseIdNumber(toFullWidth(withX).toLowerCase())).toBe(withX);
  });

  it('reports a wrong check character, wrong length or stray letters as the checksum failure', () => {
    const id = makeId('110105', '19900307');
    const wrongCheck = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    expect(checkIdNumber(wrongCheck, reference)).toEqual(['id_number_checksum']);
    expect(checkIdNumber(id.slice(0, 17), reference)).toEqual(['id_number_checksum']);
    expect(checkIdNumber(`${id}1`, reference)).toEqual(['id_number_checksum']);
    expect(checkIdNumber(`A${id.slice(1)}`, reference)).toEqual(['id_number_checksum']);
    expect(checkIdNumber('', reference)).toEqual(['id_number_checksum']);
    // One swapped pair of adjacent digits, the commonest typo, is caught.
    const swapped = id.slice(0, 15) + id[16] + id[15] + id.slice(17);
    expect(swapped).not.toBe(id);
    expect(checkIdNumber(swapped, reference)).toEqual(['id_number_checksum']);
  });

  it('reports only the checksum when the checksum fails, even if the date and region are also wrong', () => {
    const bad = makeId('990000', '19991340');
    const broken = bad.slice(0, 17) + (bad[17] === '1' ? '2' : '1');
    expect(checkIdNumber(broken, reference)).toEqual(['id_number_checksum']);
    expect(checkIdNumber(bad, reference)).toEqual(['id_number_birth_date', 'id_number_region']);
  });

  it.each([
    ['19000101', true],
    ['18991231', false],
    ['20240229', true], // leap year
    ['20230229', false],
    ['19000229', false], // 1900 is not a leap year
    ['19901301', false],
    ['19900100', false],
    ['19900431', false],
    ['20250615', true], // born on the reference day
    ['20250616', false], // in the future
  ])('birth date %s plausible: %s', (birth, ok) => {
    expect(checkIdNumber(makeId('110105', birth), reference)).toEqual(ok ? [] : ['id_number_birth_date']);
  });

  it('decides "not in the future" on the Shanghai calendar date of the reference instant', () => {
    const id = makeId('110105', '20250302');
    // 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai.
    expect(checkIdNumber(id, new Date('2025-03-01T16:30:00Z'))).toEqual([]);
    expect(checkIdNumber(id, new Date('2025-03-01T15:30:00Z'))).toEqual(['id_number_birth_date']);
  });

  it.each([
    ['110105', true],
    ['150102', true],
    ['230103', true],
    ['370102', true],
    ['460105', true],
    ['540102', true],
    ['650102', true],
    ['429004', true], // provincial-directly administered county-level unit (prefecture 90)
    ['810000', true], // Hong Kong residence permit
    ['820000', true], // Macao residence permit
    ['830000', true], // Taiwan residence permit
    ['710000', false], // GB/T 2260 Taiwan: not used in issued numbers
    ['811000', false], // permit codes are exactly 810000/820000/830000
    ['840000', false],
    ['110000', false], // province without prefecture
    ['160101', false],
    ['240101', false],
    ['470101', false],
    ['550101', false],
    ['660101', false],
    ['000000', false],
    ['100101', false],
  ])('address code %s known: %s', (address, ok) => {
    expect(checkIdNumber(makeId(address, '19900307'), reference)).toEqual(ok ? [] : ['id_number_region']);
  });

  it('keeps the number out of everything it returns or throws', () => {
    const bad = '11010519900307123Y';
    expect(JSON.stringify(checkIdNumber(bad, reference))).not.toContain('1101051990');
    let message = '';
    try {
      idNumberCheckCharacter('1101051990030712');
    } catch (error) {
      message = `${(error as Error).message} ${(error as Error).stack ?? ''}`;
    }
    expect(message).toContain('expected 17 digits');
    expect(message).not.toContain('1101051990030712');
  });
});
