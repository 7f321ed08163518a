import { assertTenantAccess, type Principal } from '@portico/auth';
import { z } from 'zod';
import { TenantRequiredError } from './prediction-errors';

/**
 * Per-tenant prediction settings (`clearance_prediction_settings`): from which probability a
 * HoldPredicted is emitted, and whether the tenant wants predictions at all. A tenant without a row
 * gets the configured default threshold, enabled.
 */

const tenantId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." or "-", at most 64');

/**
 * A probability above 0 (0 would warn every resident of every parcel) and at most 1 (never reached
 * in practice: the prior keeps every estimate below 1, so 1 is "warn only on certainty").
 */
export const thresholdSchema = z.number().gt(0).lte(1);

/** `GET /v1/prediction-settings?tenantId=…` (tenantId: operators only; others get their own tenant). */
export const getSettingsQuery = z.object({ tenantId: tenantId.optional() }).strict();

/** `PUT /v1/prediction-settings`. Strict, and at least one setting: an empty body changes nothing and is a mistake. */
export const putSettingsBody = z
  .object({
    tenantId: tenantId.optional(),
    threshold: thresholdSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.threshold !== undefined || b.enabled !== undefined, {
    message: 'give threshold, enabled or both',
    path: ['threshold'],
  });

export type PutSettingsBody = z.infer<typeof putSettingsBody>;

export interface StoredSettings {
  readonly threshold: number;
  readonly enabled: boolean;
  readonly updatedAt: Date;
}

export interface PredictionSettingsView {
  tenantId: string;
  threshold: number;
  enabled: boolean;
  /** `default`: the tenant has no row and gets the configured default. */
  source: 'tenant' | 'default';
  updatedAt: string | null;
}

export function settingsView(
  tenantId: string,
  stored: StoredSettings | undefined,
  defaultThreshold: number,
): PredictionSettingsView {
  return stored
    ? {
        tenantId,
        threshold: stored.threshold,
        enabled: stored.enabled,
        source: 'tenant',
        updatedAt: stored.updatedAt.toISOString(),
      }
    : { tenantId, threshold: defaultThreshold, enabled: true, source: 'default', updatedAt: null };
}

/**
 * Whose settings a call is about: the caller's own tenant unless an operator names one. A manager
 * may name their own tenant (harmless) but not another (403 `tenant_mismatch`); an operator, who
 * belongs to no tenant, must name one (400 `tenant_required`).
 */
export function targetTenantOf(caller: Principal, requested: string | undefined): string {
  const own = caller.kind === 'person' || caller.kind === 'property-system' ? caller.tenantId : null;
  const target = requested ?? own;
  if (!target) throw new TenantRequiredError();
  assertTenantAccess(caller, { tenantId: target });
  return target;
}
