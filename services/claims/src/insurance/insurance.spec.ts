import { insuranceBody, insuranceChange, insuranceView, type StoredInsurance } from './insurance';

const coverage = {
  insurer: 'picc',
  policyReference: 'PICC-2026/000123',
  insuredAmount: { currencyCode: 'CNY', amountMinor: 250_000n },
  coverageType: 'loss_and_damage' as const,
};
const stored = (over: Partial<StoredInsurance> = {}): StoredInsurance => ({
  source: 'api',
  ...coverage,
  updatedAt: new Date('2026-11-30T10:00:00Z'),
  updatedBy: 'usr_1',
  ...over,
});
const empty: StoredInsurance = {
  source: null,
  insurer: null,
  policyReference: null,
  insuredAmount: null,
  coverageType: null,
  updatedAt: null,
  updatedBy: null,
};

describe('insurance coverage', () => {
  it('is created over nothing or over the carrier amount, unchanged when repeated, changed otherwise', () => {
    expect(insuranceChange(empty, coverage)).toBe('created');
    expect(
      insuranceChange(
        { ...empty, source: 'carrier', insuredAmount: { currencyCode: 'CNY', amountMinor: 250_000n } },
        coverage,
      ),
    ).toBe('created');
    expect(insuranceChange(stored(), coverage)).toBe('unchanged');
    expect(insuranceChange(stored(), { ...coverage, coverageType: 'loss' })).toBe('changed');
    expect(
      insuranceChange(stored(), {
        ...coverage,
        insuredAmount: { currencyCode: 'CNY', amountMinor: 250_001n },
      }),
    ).toBe('changed');
    expect(
      insuranceChange(stored(), {
        ...coverage,
        insuredAmount: { currencyCode: 'USD', amountMinor: 250_000n },
      }),
    ).toBe('changed');
    expect(insuranceChange(stored(), { ...coverage, policyReference: 'PICC-2026/000124' })).toBe('changed');
  });

  it('accepts codes and identifiers only, a positive amount, and no unknown field', () => {
    const ok = insuranceBody.parse({
      insurer: 'ping-an',
      policyReference: 'PA.77/2026-1',
      insuredAmount: { currencyCode: 'CNY', amountMinor: '1' },
      coverageType: 'damage',
    });
    expect(ok.insuredAmount.amountMinor).toBe(1n);
    const base = {
      insurer: 'picc',
      policyReference: 'P1',
      insuredAmount: { currencyCode: 'CNY', amountMinor: 100 },
      coverageType: 'loss',
    };
    const refused = (body: unknown) => !insuranceBody.safeParse(body).success;
    expect(refused(base)).toBe(false);
    expect(refused({ ...base, insuredAmount: { currencyCode: 'CNY', amountMinor: 0 } })).toBe(true);
    expect(refused({ ...base, insuredAmount: { currencyCode: 'cny', amountMinor: 5 } })).toBe(true);
    expect(refused({ ...base, insuredAmount: { currencyCode: 'CNY', amountMinor: 1.5 } })).toBe(true);
    expect(refused({ ...base, policyReference: '张三 13800138000' })).toBe(true);
    expect(refused({ ...base, insurer: 'PICC Insurance' })).toBe(true);
    expect(refused({ ...base, coverageType: 'all_risks' })).toBe(true);
    expect(refused({ ...base, holderName: '张三' })).toBe(true);
  });

  it('shows the amount in minor units as a string and times in ISO', () => {
    expect(insuranceView('prc_1', stored())).toEqual({
      parcelId: 'prc_1',
      source: 'api',
      insurer: 'picc',
      policyReference: 'PICC-2026/000123',
      insuredAmount: { currencyCode: 'CNY', amountMinor: '250000' },
      coverageType: 'loss_and_damage',
      updatedAt: '2026-11-30T10:00:00.000Z',
      updatedBy: 'usr_1',
    });
    expect(insuranceView('prc_1', empty).insuredAmount).toBeNull();
  });
});
