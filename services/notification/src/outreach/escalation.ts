import type { QuietHours, RotaEntry } from '../directory/directory.types';
import { isQuietHours, isWithinWindow, localWeekdayAndMinutes, minutesOf } from '../directory/duty-rota';
import type { TaskState } from './outreach-task';

/*
 * The escalation ladder as pure rules: who answers for an unacknowledged task next, when, and
 * whether a property's quiet hours may hold that back. The timers (escalation.service.ts) only
 * apply these decisions.
 */

export const ESCALATION_LEVELS = ['steward', 'manager', 'operations'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** Why a task moves up: nobody acknowledged it in time, or its case deadline is close. */
export type EscalationReason = 'ack_sla_breached' | 'deadline_at_risk' | 'unreachable' | 'manual';

export function nextLevel(level: EscalationLevel): EscalationLevel | null {
  const i = ESCALATION_LEVELS.indexOf(level);
  return ESCALATION_LEVELS[i + 1] ?? null;
}

/** When the quiet hours around `at` end, or null when `at` is outside them (or there are none). */
export function quietHoursEnd(at: Date, quiet: QuietHours | null, timeZone: string): Date | null {
  if (!quiet || !isQuietHours(quiet, at, timeZone)) return null;
  const end = minutesOf(quiet.end);
  const { minutes } = localWeekdayAndMinutes(at, timeZone);
  const minutesLeft = (end - minutes + 1440) % 1440;
  // From the start of the current local minute, so the result lands exactly on `end`.
  const minuteStart = Math.floor(at.getTime() / 60_000) * 60_000;
  return new Date(minuteStart + minutesLeft * 60_000);
}

/** How long each rung has to acknowledge before the next one is called. */
export interface EscalationSla {
  /** The steward's acknowledgement time (the task's ack_due_at already holds it). */
  readonly stepMs: number;
  readonly expeditedStepMs: number;
}

/**
 * Until when quiet hours hold something back: the end of the quiet hours around `now`, or null to
 * go at once — outside quiet hours, or when waiting would leave less than `mustLeaveMs` before the
 * deadline (the deadline cannot wait). One rule for escalations and the messages they and the case
 * cause, so a manager and a resident see the same night.
 */
export function quietHoursHold(input: {
  readonly now: Date;
  readonly quietHours: QuietHours | null;
  readonly timeZone: string;
  readonly deadline: Date | null;
  readonly mustLeaveMs: number;
}): Date | null {
  const quietUntil = quietHoursEnd(input.now, input.quietHours, input.timeZone);
  if (!quietUntil) return null;
  const cannotWait =
    input.deadline !== null && input.deadline.getTime() - quietUntil.getTime() < input.mustLeaveMs;
  return cannotWait ? null : quietUntil;
}

export interface EscalationInput {
  readonly now: Date;
  /** `unreachable`: every channel to the assignee failed (the message hook); ruled like a missed SLA. */
  readonly reason: Extract<EscalationReason, 'ack_sla_breached' | 'deadline_at_risk' | 'unreachable'>;
  readonly state: TaskState;
  /** The round's documents are in the vault (clearance's DocumentsReceived): the resident was reached. */
  readonly documentsIn: boolean;
  readonly level: EscalationLevel;
  readonly deadline: Date | null;
  readonly expedited: boolean;
  readonly quietHours: QuietHours | null;
  readonly timeZone: string;
}

export type EscalationDecision =
  | { readonly kind: 'escalate'; readonly to: EscalationLevel; readonly quietHoursOverridden: boolean }
  | { readonly kind: 'defer'; readonly until: Date }
  | { readonly kind: 'none'; readonly why: 'closed' | 'acknowledged' | 'documents_in' | 'top_of_ladder' };

/**
 * Whether the task moves up now. An acknowledgement stops the SLA ladder, but not the
 * deadline-at-risk call (an acknowledged task whose documents are still missing near the deadline
 * is exactly what a manager must hear about). Documents already in the vault stop it too: the SLA
 * is there so that someone reaches the resident, and they were reached (a review that stalls
 * still meets the deadline-at-risk call). Quiet hours hold an escalation until they end, unless
 * the deadline would then leave the next person less than one step to act.
 */
export function decideEscalation(input: EscalationInput, sla: EscalationSla): EscalationDecision {
  if (input.state === 'closed') return { kind: 'none', why: 'closed' };
  if (input.reason !== 'deadline_at_risk' && input.state !== 'open')
    return { kind: 'none', why: 'acknowledged' };
  if (input.reason !== 'deadline_at_risk' && input.documentsIn) return { kind: 'none', why: 'documents_in' };
  const to = nextLevel(input.level);
  if (!to) return { kind: 'none', why: 'top_of_ladder' };
  const inQuietHours = quietHoursEnd(input.now, input.quietHours, input.timeZone) !== null;
  if (!inQuietHours) return { kind: 'escalate', to, quietHoursOverridden: false };
  const until = quietHoursHold({ ...input, mustLeaveMs: input.expedited ? sla.expeditedStepMs : sla.stepMs });
  return until ? { kind: 'defer', until } : { kind: 'escalate', to, quietHoursOverridden: true };
}

/**
 * The steward's acknowledgement time counts from when they were told. A new-task notice held for
 * quiet hours (or waiting for a rate limit) goes out later than the task was created; the
 * acknowledgement window then starts at that moment, so the manager does not hear about a task the
 * steward heard about in the same minute. `toldAt`: the notice's first attempt, or when it is due
 * while it still waits; null when no notice was queued (nothing moves).
 */
export function ackDueAfterNotice(
  task: { readonly createdAt: Date; readonly ackDueAt: Date },
  toldAt: Date | null,
): Date {
  if (!toldAt || toldAt.getTime() <= task.createdAt.getTime()) return task.ackDueAt;
  return new Date(toldAt.getTime() + (task.ackDueAt.getTime() - task.createdAt.getTime()));
}

/** When the rung just reached must have acknowledged: one step, never after the case deadline. */
export function nextEscalationDueAt(
  now: Date,
  task: { expedited: boolean; deadline: Date | null },
  sla: EscalationSla,
): Date {
  const due = new Date(now.getTime() + (task.expedited ? sla.expeditedStepMs : sla.stepMs));
  if (task.deadline && task.deadline.getTime() > now.getTime() && task.deadline.getTime() < due.getTime()) {
    return task.deadline;
  }
  return due;
}

/**
 * When to warn that the deadline is at risk: `riskMs` before it, or half-way to it for a deadline
 * closer than that; null without a deadline or when it has passed.
 */
export function deadlineRiskAt(now: Date, deadline: Date | null, riskMs: number): Date | null {
  if (!deadline || deadline.getTime() <= now.getTime()) return null;
  const at = deadline.getTime() - riskMs;
  return new Date(at > now.getTime() ? at : now.getTime() + (deadline.getTime() - now.getTime()) / 2);
}

/**
 * The manager an escalation goes to: on duty and inside their window first, otherwise any manager
 * of the property (a manager answers for the property even when off the rota), highest priority,
 * then the smallest id so every retry picks the same person.
 */
export function pickEscalationManager(
  rota: readonly RotaEntry[],
  at: Date,
  timeZone: string,
): RotaEntry | undefined {
  const managers = rota.filter((e) => e.role === 'manager');
  const onDuty = managers.filter((e) => e.onDuty && isWithinWindow(e, at, timeZone));
  return [...(onDuty.length > 0 ? onDuty : managers)].sort(
    (a, b) => b.priority - a.priority || (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0),
  )[0];
}
