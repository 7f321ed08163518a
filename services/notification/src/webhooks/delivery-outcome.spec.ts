import { outcomeLabel, settleAttempt } from './delivery-outcome';
import type { ClaimedDelivery } from './webhooks.repository';

const delivery = (overrides: Partial<ClaimedDelivery> = {}): ClaimedDelivery => ({
  id: 'msg_1',
  subscriptionId: 'whsub_1',
  url: 'https://pms.example.com/hooks',
  eventType: 'clearance.case.opened',
  parcelId: 'prc_1',
  body: '{}',
  attempts: 0,
  roundFailures: 0,
  traceparent: null,
  tracestate: null,
  claimToken: 'tok',
  ...overrides,
});
const now = new Date('2026-12-01T00:00:00Z');
const schedule = [5_000, 300_000];
const noJitter = () => 0.5;

describe('settling an attempt', () => {
  it('a 2xx delivers', () => {
    const s = settleAttempt(
      delivery(),
      { succeeded: true, statusCode: 204, errorCode: null, durationMs: 12 },
      now,
      now,
      schedule,
      noJitter,
    );
    expect(s).toMatchObject({
      status: 'delivered',
      attempt: 1,
      statusCode: 204,
      completedAt: now,
      claimToken: 'tok',
    });
    expect(outcomeLabel(s)).toBe('delivered');
  });

  it('a failure schedules the next attempt of the round, then gives up', () => {
    const failed = { succeeded: false, statusCode: 503, errorCode: 'http_status', durationMs: 40 };
    const first = settleAttempt(delivery(), failed, now, now, schedule, noJitter);
    expect(first).toMatchObject({ status: 'pending', attempt: 1, roundFailures: 1, completedAt: null });
    expect(first.nextAttemptAt.getTime() - now.getTime()).toBe(5_000);
    expect(outcomeLabel(first)).toBe('retry_scheduled');
    const second = settleAttempt(
      delivery({ attempts: 1, roundFailures: 1 }),
      failed,
      now,
      now,
      schedule,
      noJitter,
    );
    expect(second.nextAttemptAt.getTime() - now.getTime()).toBe(300_000);
    const last = settleAttempt(
      delivery({ attempts: 2, roundFailures: 2 }),
      failed,
      now,
      now,
      schedule,
      noJitter,
    );
    expect(last).toMatchObject({ status: 'failed', attempt: 3, completedAt: now });
    expect(outcomeLabel(last)).toBe('failed');
  });

  it('a replayed delivery starts the schedule again but keeps counting attempts', () => {
    const s = settleAttempt(
      delivery({ attempts: 3, roundFailures: 0 }),
      { succeeded: false, statusCode: null, errorCode: 'timeout', durationMs: 1000 },
      now,
      now,
      schedule,
      noJitter,
    );
    expect(s).toMatchObject({ status: 'pending', attempt: 4, roundFailures: 1, errorCode: 'timeout' });
  });
});
