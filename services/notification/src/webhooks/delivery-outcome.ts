import type { AttemptOutcome } from './webhook-gateway';
import { nextAttempt } from './retry-schedule';
import type { ClaimedDelivery, SettledAttempt } from './webhooks.repository';

/**
 * What a finished attempt does to its delivery: delivered; or failed with the next attempt per the
 * schedule; or failed for good once the schedule is used up (the delivery log keeps it, a replay
 * queues it again).
 */
export function settleAttempt(
  delivery: ClaimedDelivery,
  outcome: AttemptOutcome,
  startedAt: Date,
  now: Date,
  schedule: readonly number[],
  random: () => number,
): SettledAttempt {
  const base = {
    deliveryId: delivery.id,
    claimToken: delivery.claimToken,
    attempt: delivery.attempts + 1,
    startedAt,
    durationMs: outcome.durationMs,
    statusCode: outcome.statusCode,
    errorCode: outcome.errorCode,
    succeeded: outcome.succeeded,
  };
  if (outcome.succeeded) {
    return {
      ...base,
      status: 'delivered',
      roundFailures: delivery.roundFailures,
      nextAttemptAt: now,
      completedAt: now,
    };
  }
  const roundFailures = delivery.roundFailures + 1;
  const next = nextAttempt(roundFailures, now, schedule, random);
  return next.retry
    ? { ...base, status: 'pending', roundFailures, nextAttemptAt: next.at, completedAt: null }
    : { ...base, status: 'failed', roundFailures, nextAttemptAt: now, completedAt: now };
}

/** The metric label of an attempt's outcome. */
export function outcomeLabel(s: SettledAttempt): 'delivered' | 'retry_scheduled' | 'failed' {
  return s.status === 'delivered' ? 'delivered' : s.status === 'pending' ? 'retry_scheduled' : 'failed';
}
