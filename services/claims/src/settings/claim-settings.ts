import { z } from 'zod';

/**
 * A tenant's claim rules as data (claims_tenant_settings): which detection rules run and with what
 * thresholds, the service levels, and the decision applied when the customer's window lapses.
 * A tenant without a row runs on the service defaults (configuration); a row stores the whole
 * document, validated by the same schema the API uses.
 */
export const CUSTOMER_DECISIONS = ['reship', 'refund', 'coupon'] as const;
export type CustomerDecision = (typeof CUSTOMER_DECISIONS)[number];

const minutes = z
  .number()
  .int()
  .min(0)
  .max(60 * 24 * 30);

export const serviceLevelsSchema = z
  .object({
    /** 0: the platform acknowledges a case the moment it opens (automatic receipt). */
    acknowledgementMinutes: minutes,
    customerExplanationMinutes: minutes.min(1),
    damageAssessmentMinutes: minutes.min(1),
    customerDecisionMinutes: minutes.min(1),
    carrierResponseMinutes: minutes.min(1),
  })
  .strict();
export type ServiceLevels = z.infer<typeof serviceLevelsSchema>;

export const claimSettingsSchema = z
  .object({
    detection: z
      .object({
        noScan: z
          .object({
            enabled: z.boolean(),
            domesticDays: z.number().int().min(1).max(60),
            internationalDays: z.number().int().min(1).max(90),
          })
          .strict(),
        pastEstimatedDelivery: z
          .object({ enabled: z.boolean(), hours: z.number().int().min(1).max(720) })
          .strict(),
        carrierException: z
          .object({ lost: z.boolean(), damaged: z.boolean(), returned: z.boolean() })
          .strict(),
      })
      .strict(),
    serviceLevels: serviceLevelsSchema,
    defaultDecision: z.enum(CUSTOMER_DECISIONS),
  })
  .strict();
export type ClaimSettings = z.infer<typeof claimSettingsSchema>;

export interface SettingsDefaults {
  readonly lostParcelStallDays: number;
  readonly lostParcelStallDaysInternational: number;
  readonly pastEstimatedDeliveryHours: number;
}

/**
 * Defaults from cross-border practice: acknowledged at once, an explanation to the customer within
 * 2 h, damage assessed within 24 h, a 24 h decision window, and 72 h for the carrier to answer an
 * inquiry; refund when the customer does not choose (it needs nothing from them, unlike a reship
 * to an address that may be the problem).
 */
export function defaultSettings(d: SettingsDefaults): ClaimSettings {
  return {
    detection: {
      noScan: {
        enabled: true,
        domesticDays: d.lostParcelStallDays,
        internationalDays: d.lostParcelStallDaysInternational,
      },
      pastEstimatedDelivery: { enabled: true, hours: d.pastEstimatedDeliveryHours },
      carrierException: { lost: true, damaged: true, returned: true },
    },
    serviceLevels: {
      acknowledgementMinutes: 0,
      customerExplanationMinutes: 120,
      damageAssessmentMinutes: 24 * 60,
      customerDecisionMinutes: 24 * 60,
      carrierResponseMinutes: 72 * 60,
    },
    defaultDecision: 'refund',
  };
}
