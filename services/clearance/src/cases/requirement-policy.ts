import type { TimerRules } from '../deadlines/timer-rules';
import { z } from 'zod';
import {
  DOCUMENT_TYPES,
  HOLD_REASONS,
  type DeadlineSource,
  type DocumentTypeName,
  type ExpediteReason,
  type HoldReason,
} from './case';

/**
 * Requirement policies: which documents a hold needs, the default deadline, and when a case is
 * expedited. Policies are data (table `clearance_policies`, seeded by the migration) so a tenant,
 * carrier or lane can get its own later without a deploy; this file holds their shape and the pure
 * functions that apply them.
 */

const HOUR_MS = 3_600_000;

/** Which parcels a policy applies to. A null field matches anything. */
export interface PolicyScope {
  readonly tenantId: string | null;
  readonly carrierCode: string | null;
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
}

export interface MoneyAmount {
  /** ISO 4217 code, upper case. */
  readonly currencyCode: string;
  /** In the currency's minor unit (fen for CNY), as on the wire. */
  readonly amountMinor: bigint;
}

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY');

/** The policy's rules as stored in its jsonb columns, validated when loaded (and later by the policy API). */
export const requirementsSchema = z.partialRecord(z.enum(HOLD_REASONS), z.array(z.enum(DOCUMENT_TYPES)));

export const expediteRuleSchema = z.object({
  /** Declared value from which a case is expedited, in the policy's currency; null: never by value. */
  highValue: z
    .object({
      minimum: z.object({ currencyCode, amountMinor: z.number().int().nonnegative() }),
      /**
       * Units of `minimum.currencyCode` per unit of another currency. Coarse reference rates are
       * enough for a yes/no threshold (no live FX dependency in the consumer path); a declared value
       * in a currency not listed never expedites by value rather than being guessed at.
       */
      referenceRates: z.record(currencyCode, z.number().positive()).default({}),
    })
    .nullable()
    .default(null),
  /** Expedite perishable contents. */
  perishable: z.boolean().default(false),
  /** Expedite when the carrier's deadline is less than this many hours away; null: never. */
  deadlineWithinHours: z.number().positive().nullable().default(null),
});

export type ExpediteRule = z.infer<typeof expediteRuleSchema>;

export interface RequirementPolicy {
  readonly id: string;
  readonly version: number;
  readonly scope: PolicyScope;
  readonly requirements: Readonly<Partial<Record<HoldReason, readonly DocumentTypeName[]>>>;
  readonly defaultDeadlineHours: number;
  readonly expedite: ExpediteRule;
  /** The policy's own timer rules; null: the service default (CLEARANCE_TIMER_RULES). */
  readonly timers: TimerRules | null;
}

/** Facts of the hold itself. */
export interface Hold {
  readonly reason: HoldReason;
  readonly occurredAt: Date;
  /** Deadline set by customs or the carrier, when they gave one. */
  readonly carrierDeadline?: Date;
}

/** Facts of the shipment a policy may look at; every one of them may be missing. */
export interface ShipmentFacts {
  readonly carrierCode?: string;
  readonly originCountryCode?: string;
  readonly destinationCountryCode?: string;
  readonly declaredValue?: MoneyAmount;
  readonly perishable: boolean;
}

/** What a case needs, decided once when it opens. */
export interface CaseRequirements {
  readonly policyId: string;
  /** Documents to request; empty when the hold needs none (inspection) or the policy names none. */
  readonly documents: readonly DocumentTypeName[];
  readonly deadline: Date;
  readonly deadlineSource: DeadlineSource;
  readonly expedited: boolean;
  readonly expediteReasons: readonly ExpediteReason[];
}

/**
 * Used when no stored policy matches (the migration seeds a global one, so only if it was removed):
 * cases still open and get a deadline, but identity documents are not requested automatically,
 * because which document proves identity depends on the destination and would be a guess.
 */
export const FALLBACK_POLICY: RequirementPolicy = {
  id: 'pol_builtin_fallback',
  version: 1,
  scope: { tenantId: null, carrierCode: null, originCountryCode: null, destinationCountryCode: null },
  requirements: { duties_unpaid: ['duty_payment_proof'] },
  defaultDeadlineHours: 72,
  expedite: { highValue: null, perishable: true, deadlineWithinHours: 48 },
  timers: null,
};

/**
 * The most specific active policy whose scope matches, or undefined. A field set on the policy must
 * equal the parcel's (an unknown value on the parcel does not match a set field). Specificity:
 * tenant, then carrier, then origin, then destination; ties go to the smaller id, so the choice never
 * depends on row order.
 */
export function selectPolicy(
  policies: readonly RequirementPolicy[],
  parcel: { readonly tenantId: string } & ShipmentFacts,
): RequirementPolicy | undefined {
  const fields: Array<[keyof PolicyScope, string | undefined, number]> = [
    ['tenantId', parcel.tenantId, 8],
    ['carrierCode', parcel.carrierCode, 4],
    ['originCountryCode', parcel.originCountryCode, 2],
    ['destinationCountryCode', parcel.destinationCountryCode, 1],
  ];
  let best: { policy: RequirementPolicy; score: number } | undefined;
  for (const policy of policies) {
    let score = 0;
    let matches = true;
    for (const [field, value, weight] of fields) {
      const wanted = policy.scope[field];
      if (wanted === null) continue;
      if (wanted !== value) {
        matches = false;
        break;
      }
      score += weight;
    }
    if (!matches) continue;
    if (!best || score > best.score || (score === best.score && policy.id < best.policy.id)) {
      best = { policy, score };
    }
  }
  return best?.policy;
}

/**
 * What a hold requires under a policy: documents for its reason, the carrier's deadline or the
 * policy's default counted from when the hold happened (customs' clock started then, however late
 * the event reached us), and whether to expedite. `now` only serves the "deadline is close" check.
 */
export function requirementsFor(
  hold: Hold,
  shipment: ShipmentFacts,
  policy: RequirementPolicy,
  now: Date,
): CaseRequirements {
  const carrierDeadline =
    hold.carrierDeadline && !Number.isNaN(hold.carrierDeadline.getTime()) ? hold.carrierDeadline : undefined;
  const deadline =
    carrierDeadline ?? new Date(hold.occurredAt.getTime() + policy.defaultDeadlineHours * HOUR_MS);

  const reasons: ExpediteReason[] = [];
  const { highValue, perishable, deadlineWithinHours } = policy.expedite;
  if (highValue && shipment.declaredValue && reachesMinimum(shipment.declaredValue, highValue)) {
    reasons.push('high_value');
  }
  if (perishable && shipment.perishable) reasons.push('perishable');
  // Only a carrier deadline can be "short": the policy default is the policy's own choice.
  if (
    carrierDeadline &&
    deadlineWithinHours !== null &&
    carrierDeadline.getTime() - now.getTime() < deadlineWithinHours * HOUR_MS
  ) {
    reasons.push('short_deadline');
  }

  return {
    policyId: policy.id,
    documents: [...new Set(policy.requirements[hold.reason] ?? [])],
    deadline,
    deadlineSource: carrierDeadline ? 'carrier' : 'policy',
    expedited: reasons.length > 0,
    expediteReasons: reasons,
  };
}

type HighValueRule = NonNullable<ExpediteRule['highValue']>;

/** Whether `value` is at least the rule's minimum, converted with the rule's reference rates. */
export function reachesMinimum(value: MoneyAmount, rule: HighValueRule): boolean {
  const { minimum, referenceRates } = rule;
  const valueDigits = minorUnitDigits(value.currencyCode);
  const minimumDigits = minorUnitDigits(minimum.currencyCode);
  if (valueDigits === undefined || minimumDigits === undefined) return false;
  // Same currency: exact integer comparison, no floating point at the threshold.
  if (value.currencyCode === minimum.currencyCode) return value.amountMinor >= BigInt(minimum.amountMinor);
  const rate = referenceRates[value.currencyCode];
  if (rate === undefined) return false;
  const inMinimumMinor = (Number(value.amountMinor) / 10 ** valueDigits) * rate * 10 ** minimumDigits;
  return inMinimumMinor >= minimum.amountMinor;
}

// ISO 4217 currencies whose minor unit is not 1/100 (amounts on the wire are in minor units).
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV']
      .concat(['XAF', 'XOF', 'XPF'])
      .map((c) => [c, 0]),
  ),
  ...Object.fromEntries(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((c) => [c, 3])),
  CLF: 4,
  UYW: 4,
};

/** Decimal places of a currency's minor unit, or undefined when the code is not a currency code. */
export function minorUnitDigits(code: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  return MINOR_DIGITS[code] ?? 2;
}
