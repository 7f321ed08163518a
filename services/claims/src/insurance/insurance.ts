import { z } from 'zod';
import { moneySchema } from '../claims/claim-requests';
import type { Money } from '../parcels/parcel';

/**
 * Insurance coverage of one parcel, pure. Recorded through the API it always wins over what the
 * carrier sends on the tracking stream (parcel-projection.ts never overwrites `api`); the claimed
 * amount prefers the insured amount (claimed-amount.ts).
 */
export const COVERAGE_TYPES = ['loss', 'damage', 'loss_and_damage'] as const;
export type CoverageType = (typeof COVERAGE_TYPES)[number];

export interface InsuranceCoverage {
  /** The insurer's code (`picc`, `ping-an`): a company, never a person. */
  readonly insurer: string;
  /** The policy or certificate number. */
  readonly policyReference: string;
  readonly insuredAmount: Money;
  readonly coverageType: CoverageType;
}

/** What the parcel carries now: API coverage in full, carrier insurance as an amount only. */
export interface StoredInsurance {
  readonly source: 'api' | 'carrier' | null;
  readonly insurer: string | null;
  readonly policyReference: string | null;
  readonly insuredAmount: Money | null;
  readonly coverageType: CoverageType | null;
  readonly updatedAt: Date | null;
  readonly updatedBy: string | null;
}

/**
 * The PUT body. Codes and identifiers with a closed alphabet, `.strict()`: no field where a
 * name, phone number or address could be typed and then kept.
 */
export const insuranceBody = z
  .object({
    insurer: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/),
    policyReference: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/),
    insuredAmount: moneySchema.refine((m) => m.amountMinor > 0n, {
      message: 'insured amount must be greater than zero',
      path: ['amountMinor'],
    }),
    coverageType: z.enum(COVERAGE_TYPES),
  })
  .strict();

export type InsuranceChange = 'created' | 'changed' | 'unchanged';

/**
 * created: the parcel had no API coverage (none, or only the carrier's amount); unchanged: the
 * same coverage again (a retried PUT: nothing is written, the first write's time stays);
 * changed: anything differs.
 */
export function insuranceChange(current: StoredInsurance, next: InsuranceCoverage): InsuranceChange {
  if (current.source !== 'api') return 'created';
  const same =
    current.insurer === next.insurer &&
    current.policyReference === next.policyReference &&
    current.coverageType === next.coverageType &&
    current.insuredAmount?.currencyCode === next.insuredAmount.currencyCode &&
    current.insuredAmount?.amountMinor === next.insuredAmount.amountMinor;
  return same ? 'unchanged' : 'changed';
}

export interface InsuranceView {
  readonly parcelId: string;
  readonly source: StoredInsurance['source'];
  readonly insurer: string | null;
  readonly policyReference: string | null;
  readonly insuredAmount: { currencyCode: string; amountMinor: string } | null;
  readonly coverageType: CoverageType | null;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export function insuranceView(parcelId: string, s: StoredInsurance): InsuranceView {
  return {
    parcelId,
    source: s.source,
    insurer: s.insurer,
    policyReference: s.policyReference,
    insuredAmount: s.insuredAmount
      ? { currencyCode: s.insuredAmount.currencyCode, amountMinor: s.insuredAmount.amountMinor.toString() }
      : null,
    coverageType: s.coverageType,
    updatedAt: s.updatedAt?.toISOString() ?? null,
    updatedBy: s.updatedBy,
  };
}
