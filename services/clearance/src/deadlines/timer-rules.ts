import { z } from 'zod';

/**
 * How a case's clock runs: resident reminders before the deadline, the steward's acknowledgement
 * SLA, and how much an expedited case shortens them. Data (validated), so a property company can
 * run tighter timers without a deploy.
 */
export const timerRulesSchema = z
  .object({
    /** Hours before the deadline at which the resident is reminded, e.g. [48, 24, 6]. */
    reminderLeadHours: z.array(z.number().positive().max(720)).max(10),
    /** Minutes the steward on duty has to acknowledge a documents request. */
    stewardAckSlaMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
    /**
     * Expedited cases multiply every "from now" delay by this factor (0.5 = everything happens in
     * half the time). The deadline itself is a fact from the carrier or the policy and never moves.
     */
    expeditedFactor: z.number().gt(0).max(1),
  })
  .strict();

export type TimerRules = z.infer<typeof timerRulesSchema>;

export const DEFAULT_TIMER_RULES: TimerRules = {
  reminderLeadHours: [48, 24, 6],
  stewardAckSlaMinutes: 120,
  expeditedFactor: 0.5,
};
