import { amountProblem, minorUnitDigits, toMinorUnits } from './money';

describe('declared amounts to minor units', () => {
  it.each([
    ['1280.00', 'CNY', 128000n],
    ['1280', 'CNY', 128000n],
    ['0.5', 'USD', 50n],
    ['0', 'EUR', 0n],
    ['15000', 'JPY', 15000n],
    ['1.234', 'KWD', 1234n],
    ['999999999999999.99', 'USD', 99999999999999999n],
  ])('%s %s is %p minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it('knows the ISO 4217 exponents that are not 2', () => {
    expect(minorUnitDigits('CNY')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('BHD')).toBe(3);
  });

  it.each([
    ['12.345', 'CNY', /at most 2 decimal places/],
    ['1.5', 'JPY', /at most 0 decimal places/],
    ['-1.00', 'CNY', /non-negative decimal/],
    ['1e3', 'CNY', /non-negative decimal/],
    ['01.00', 'CNY', /non-negative decimal/],
    ['1.00', 'cny', /ISO 4217/],
  ])('refuses %s %s', (amount, currency, reason) => {
    expect(amountProblem(amount, currency)).toMatch(reason);
    expect(() => toMinorUnits(amount, currency)).toThrow(RangeError);
  });
});
