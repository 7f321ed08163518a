import {
  expediteRuleSchema,
  FALLBACK_POLICY,
  minorUnitDigits,
  reachesMinimum,
  requirementsFor,
  requirementsSchema,
  selectPolicy,
  type RequirementPolicy,
  type ShipmentFacts,
} from './requirement-policy';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-24T08:00:00Z');

// The seeded default for mainland China (migration 1795478400001), as the repository loads it.
const CN_DEFAULT: RequirementPolicy = {
  id: 'pol_default_cn',
  version: 1,
  scope: { tenantId: null, carrierCode: null, originCountryCode: null, destinationCountryCode: 'CN' },
  requirements: {
    id_documents_required: ['resident_id_card'],
    duties_unpaid: ['duty_payment_proof'],
    inspection: [],
    other: [],
  },
  defaultDeadlineHours: 72,
  timers: null,
  expedite: {
    highValue: {
      minimum: { currencyCode: 'CNY', amountMinor: 500_000 },
      referenceRates: { USD: 7.2, JPY: 0.048, KWD: 23.4 },
    },
    perishable: true,
    deadlineWithinHours: 48,
  },
};

const GLOBAL_DEFAULT: RequirementPolicy = {
  ...CN_DEFAULT,
  id: 'pol_default',
  scope: { tenantId: null, carrierCode: null, originCountryCode: null, destinationCountryCode: null },
  requirements: { duties_unpaid: ['duty_payment_proof'] },
};

const intoChina = (extra: Partial<ShipmentFacts> = {}): ShipmentFacts => ({
  destinationCountryCode: 'CN',
  perishable: false,
  ...extra,
});
const cny = (yuan: number) => ({ currencyCode: 'CNY', amountMinor: BigInt(Math.round(yuan * 100)) });

describe('requirementsFor', () => {
  const heldAt = new Date(NOW.getTime() - 2 * HOUR);

  it('asks for the resident ID card (front and back) on an identity hold into China', () => {
    const r = requirementsFor(
      { reason: 'id_documents_required', occurredAt: heldAt },
      intoChina(),
      CN_DEFAULT,
      NOW,
    );
    expect(r).toEqual({
      policyId: 'pol_default_cn',
      documents: ['resident_id_card'],
      // no carrier deadline: 72 h from when customs held the parcel, not from when we heard of it
      deadline: new Date(heldAt.getTime() + 72 * HOUR),
      deadlineSource: 'policy',
      expedited: false,
      expediteReasons: [],
    });
  });

  it('asks for duty payment proof on a duty hold and for nothing on an inspection', () => {
    const duty = requirementsFor(
      { reason: 'duties_unpaid', occurredAt: heldAt },
      intoChina(),
      CN_DEFAULT,
      NOW,
    );
    expect(duty.documents).toEqual(['duty_payment_proof']);
    const inspection = requirementsFor(
      { reason: 'inspection', occurredAt: heldAt },
      intoChina(),
      CN_DEFAULT,
      NOW,
    );
    expect(inspection.documents).toEqual([]);
    const other = requirementsFor({ reason: 'other', occurredAt: heldAt }, intoChina(), GLOBAL_DEFAULT, NOW);
    expect(other.documents).toEqual([]); // reason missing from the policy: nothing requested
  });

  it("uses the carrier's deadline when it gives one", () => {
    const carrierDeadline = new Date(NOW.getTime() + 96 * HOUR);
    const r = requirementsFor(
      { reason: 'id_documents_required', occurredAt: heldAt, carrierDeadline },
      intoChina(),
      CN_DEFAULT,
      NOW,
    );
    expect(r).toMatchObject({ deadline: carrierDeadline, deadlineSource: 'carrier', expedited: false });
  });

  it('ignores an unusable carrier deadline', () => {
    const r = requirementsFor(
      { reason: 'id_documents_required', occurredAt: heldAt, carrierDeadline: new Date(Number.NaN) },
      intoChina(),
      CN_DEFAULT,
      NOW,
    );
    expect(r.deadlineSource).toBe('policy');
  });

  describe('expediting', () => {
    const hold = { reason: 'id_documents_required' as const, occurredAt: heldAt };

    it('expedites from 5000 CNY declared value, not below', () => {
      expect(requirementsFor(hold, intoChina({ declaredValue: cny(5000) }), CN_DEFAULT, NOW)).toMatchObject({
        expedited: true,
        expediteReasons: ['high_value'],
      });
      expect(
        requirementsFor(hold, intoChina({ declaredValue: cny(4999.99) }), CN_DEFAULT, NOW).expedited,
      ).toBe(false);
    });

    it('converts other currencies with the reference rates, minding their minor units', () => {
      const usd = (dollars: number) => ({ currencyCode: 'USD', amountMinor: BigInt(dollars * 100) });
      const jpy = (yen: number) => ({ currencyCode: 'JPY', amountMinor: BigInt(yen) }); // JPY has no minor unit
      expect(requirementsFor(hold, intoChina({ declaredValue: usd(700) }), CN_DEFAULT, NOW).expedited).toBe(
        true,
      ); // 5040 CNY
      expect(requirementsFor(hold, intoChina({ declaredValue: usd(690) }), CN_DEFAULT, NOW).expedited).toBe(
        false,
      ); // 4968 CNY
      expect(
        requirementsFor(hold, intoChina({ declaredValue: jpy(110_000) }), CN_DEFAULT, NOW).expedited,
      ).toBe(true); // 5280 CNY
      expect(
        requirementsFor(hold, intoChina({ declaredValue: jpy(100_000) }), CN_DEFAULT, NOW).expedited,
      ).toBe(false); // 4800 CNY
    });

    it('never guesses a currency it has no rate for', () => {
      const chf = { currencyCode: 'CHF', amountMinor: 10_000_000n };
      expect(requirementsFor(hold, intoChina({ declaredValue: chf }), CN_DEFAULT, NOW).expedited).toBe(false);
      const junk = { currencyCode: 'yuan', amountMinor: 10_000_000n };
      expect(requirementsFor(hold, intoChina({ declaredValue: junk }), CN_DEFAULT, NOW).expedited).toBe(
        false,
      );
    });

    it('expedites perishable contents', () => {
      expect(requirementsFor(hold, intoChina({ perishable: true }), CN_DEFAULT, NOW).expediteReasons).toEqual(
        ['perishable'],
      );
    });

    it('expedites when the carrier deadline is less than 48 h away', () => {
      const at = (hours: number) => ({ ...hold, carrierDeadline: new Date(NOW.getTime() + hours * HOUR) });
      expect(requirementsFor(at(47.9), intoChina(), CN_DEFAULT, NOW).expediteReasons).toEqual([
        'short_deadline',
      ]);
      expect(requirementsFor(at(48), intoChina(), CN_DEFAULT, NOW).expedited).toBe(false);
      // a deadline that already passed (event processed late) is the shortest of all
      expect(requirementsFor(at(-1), intoChina(), CN_DEFAULT, NOW).expediteReasons).toEqual([
        'short_deadline',
      ]);
    });

    it('never calls its own default deadline short, and lists every reason that applies', () => {
      const strict = { ...CN_DEFAULT, defaultDeadlineHours: 24 };
      expect(requirementsFor(hold, intoChina(), strict, NOW).expedited).toBe(false);
      const all = requirementsFor(
        { ...hold, carrierDeadline: new Date(NOW.getTime() + 12 * HOUR) },
        intoChina({ perishable: true, declaredValue: cny(80_000) }),
        CN_DEFAULT,
        NOW,
      );
      expect(all.expediteReasons).toEqual(['high_value', 'perishable', 'short_deadline']);
    });

    it('follows the policy when it switches a rule off', () => {
      const relaxed: RequirementPolicy = {
        ...CN_DEFAULT,
        expedite: { highValue: null, perishable: false, deadlineWithinHours: null },
      };
      const r = requirementsFor(
        { ...hold, carrierDeadline: new Date(NOW.getTime() + HOUR) },
        intoChina({ perishable: true, declaredValue: cny(80_000) }),
        relaxed,
        NOW,
      );
      expect(r.expedited).toBe(false);
    });
  });
});

describe('selectPolicy', () => {
  const tenantCn: RequirementPolicy = {
    ...CN_DEFAULT,
    id: 'pol_tenant_cn',
    scope: { ...CN_DEFAULT.scope, tenantId: 'ten_a' },
  };
  const carrierAny: RequirementPolicy = {
    ...GLOBAL_DEFAULT,
    id: 'pol_carrier',
    scope: { ...GLOBAL_DEFAULT.scope, carrierCode: 'sf-express' },
  };
  const all = [GLOBAL_DEFAULT, CN_DEFAULT, tenantCn, carrierAny];

  it('picks the most specific matching policy', () => {
    expect(selectPolicy(all, { tenantId: 'ten_b', ...intoChina() })?.id).toBe('pol_default_cn');
    expect(selectPolicy(all, { tenantId: 'ten_a', ...intoChina() })?.id).toBe('pol_tenant_cn');
    expect(
      selectPolicy(all, { tenantId: 'ten_b', destinationCountryCode: 'JP', perishable: false })?.id,
    ).toBe('pol_default');
    // carrier outranks destination
    expect(selectPolicy(all, { tenantId: 'ten_b', carrierCode: 'sf-express', ...intoChina() })?.id).toBe(
      'pol_carrier',
    );
  });

  it('does not let an unknown destination match a destination policy', () => {
    expect(selectPolicy(all, { tenantId: 'ten_b', perishable: false })?.id).toBe('pol_default');
    expect(selectPolicy([CN_DEFAULT], { tenantId: 'ten_b', perishable: false })).toBeUndefined();
  });

  it('breaks ties by id, whatever the row order', () => {
    const twin = { ...CN_DEFAULT, id: 'pol_a_twin' };
    expect(selectPolicy([CN_DEFAULT, twin], { tenantId: 't', ...intoChina() })?.id).toBe('pol_a_twin');
    expect(selectPolicy([twin, CN_DEFAULT], { tenantId: 't', ...intoChina() })?.id).toBe('pol_a_twin');
  });

  it('has a fallback that opens cases without guessing identity documents', () => {
    const r = requirementsFor(
      { reason: 'id_documents_required', occurredAt: NOW },
      { perishable: false },
      FALLBACK_POLICY,
      NOW,
    );
    expect(r).toMatchObject({ policyId: 'pol_builtin_fallback', documents: [], deadlineSource: 'policy' });
    expect(r.deadline).toEqual(new Date(NOW.getTime() + 72 * HOUR));
  });
});

describe('money and policy data', () => {
  it('knows minor units per ISO 4217', () => {
    expect(minorUnitDigits('CNY')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KWD')).toBe(3);
    expect(minorUnitDigits('cny')).toBeUndefined();
  });

  it('compares three-decimal currencies correctly', () => {
    const rule = CN_DEFAULT.expedite.highValue!;
    // 214 KWD = 214000 fils ~ 5008 CNY
    expect(reachesMinimum({ currencyCode: 'KWD', amountMinor: 214_000n }, rule)).toBe(true);
    expect(reachesMinimum({ currencyCode: 'KWD', amountMinor: 213_000n }, rule)).toBe(false);
  });

  it('validates stored rules the way the policy API will', () => {
    expect(requirementsSchema.safeParse({ id_documents_required: ['resident_id_card'] }).success).toBe(true);
    expect(requirementsSchema.safeParse({ id_documents_required: ['selfie'] }).success).toBe(false);
    expect(requirementsSchema.safeParse({ bribery: [] }).success).toBe(false);
    expect(expediteRuleSchema.parse({})).toEqual({
      highValue: null,
      perishable: false,
      deadlineWithinHours: null,
    });
    expect(
      expediteRuleSchema.safeParse({ highValue: { minimum: { currencyCode: 'CNY', amountMinor: -1 } } })
        .success,
    ).toBe(false);
  });
});
