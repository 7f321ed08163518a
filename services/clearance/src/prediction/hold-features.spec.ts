import { ANY, cellKeyId, cellKeysOf, featuresOf, valueBandOf, type HoldFeatures } from './hold-features';

const RATES = { USD: 7.2, JPY: 0.048 };
const cny = (yuan: number) => ({ currencyCode: 'CNY', amountMinor: BigInt(Math.round(yuan * 100)) });

describe('valueBandOf', () => {
  it('bands CNY exactly at the boundaries (lower bound inclusive)', () => {
    expect(valueBandOf(cny(0), RATES)).toBe('<200');
    expect(valueBandOf(cny(199.99), RATES)).toBe('<200');
    expect(valueBandOf(cny(200), RATES)).toBe('200-1000');
    expect(valueBandOf(cny(999.99), RATES)).toBe('200-1000');
    expect(valueBandOf(cny(1000), RATES)).toBe('1000-5000');
    expect(valueBandOf(cny(4999.99), RATES)).toBe('1000-5000');
    expect(valueBandOf(cny(5000), RATES)).toBe('>=5000');
    expect(valueBandOf(cny(1_000_000), RATES)).toBe('>=5000');
  });

  it("converts other currencies with the policy's reference rates, minor units included", () => {
    // 100 USD = 720 CNY; 27.78 USD = 200.02 CNY; 694.44 USD = 4999.97 CNY
    expect(valueBandOf({ currencyCode: 'USD', amountMinor: 10_000n }, RATES)).toBe('200-1000');
    expect(valueBandOf({ currencyCode: 'USD', amountMinor: 2_778n }, RATES)).toBe('200-1000');
    expect(valueBandOf({ currencyCode: 'USD', amountMinor: 2_777n }, RATES)).toBe('<200');
    expect(valueBandOf({ currencyCode: 'USD', amountMinor: 69_444n }, RATES)).toBe('1000-5000');
    // JPY has no minor unit: 110,000 JPY = 5280 CNY
    expect(valueBandOf({ currencyCode: 'JPY', amountMinor: 110_000n }, RATES)).toBe('>=5000');
  });

  it('is unknown without a value, for a currency without a rate, and for nonsense', () => {
    expect(valueBandOf(undefined, RATES)).toBe('unknown');
    expect(valueBandOf({ currencyCode: 'EUR', amountMinor: 10_000n }, RATES)).toBe('unknown');
    expect(valueBandOf({ currencyCode: 'USD', amountMinor: 10_000n }, {})).toBe('unknown');
    expect(valueBandOf({ currencyCode: 'CNY', amountMinor: -1n }, RATES)).toBe('unknown');
  });
});

describe('featuresOf', () => {
  it('takes carrier, countries and band from the shipment facts; missing countries are null', () => {
    expect(
      featuresOf(
        { carrierCode: 'sf-express', originCountryCode: 'JP', declaredValue: cny(1280), perishable: false },
        RATES,
      ),
    ).toEqual({
      carrierCode: 'sf-express',
      originCountryCode: 'JP',
      destinationCountryCode: null,
      valueBand: '1000-5000',
    });
  });
});

describe('cellKeysOf', () => {
  const f: HoldFeatures = {
    carrierCode: 'sf-express',
    originCountryCode: 'JP',
    destinationCountryCode: 'CN',
    valueBand: '>=5000',
  };

  it('gives the five back-off cells, coarsest first', () => {
    expect(cellKeysOf(f).map((k) => [k.destination, k.origin, k.carrierCode, k.valueBand])).toEqual([
      [ANY, ANY, ANY, ANY],
      ['CN', ANY, ANY, ANY],
      ['CN', 'JP', ANY, ANY],
      ['CN', 'JP', 'sf-express', ANY],
      ['CN', 'JP', 'sf-express', '>=5000'],
    ]);
  });

  it('keeps an unknown country apart from "any"', () => {
    const unknownOrigin = cellKeysOf({ ...f, originCountryCode: null });
    expect(unknownOrigin[2]).toEqual({ destination: 'CN', origin: '', carrierCode: ANY, valueBand: ANY });
    expect(cellKeyId(unknownOrigin[2]!)).not.toBe(cellKeyId(cellKeysOf(f)[1]!));
  });
});
