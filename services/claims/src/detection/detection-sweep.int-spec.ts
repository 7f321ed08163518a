import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { ClaimsHarness } from '../test-support/claims-harness';

jest.setTimeout(120_000);

const DAY = 86_400_000;

/**
 * The batch detection handlers (DetectionService.onTimeRule -> ClaimWorkflow.openMany) on real
 * Kafka + Postgres: several parcels stale at once open one claim each in the same batch, and a
 * parcel whose no-scan and past-EDD timers are both due gets one claim (the second incident joins).
 */
describe('detection sweep: due detection timers in bulk (real Kafka + Postgres)', () => {
  let h: ClaimsHarness;

  beforeAll(async () => {
    h = await ClaimsHarness.start('sweep', { TIMER_POLL_INTERVAL_MS: '60000' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('opens one claim per stale parcel, and one for a parcel two rules flag', async () => {
    // the runner is not started yet: the timers armed on consume wait, then fire in one poll
    const instance = await h.startInstance();
    const stalled = timestampFromDate(new Date(Date.now() - 21 * DAY));
    const refs = ['a', 'b', 'c'].map((s) => h.parcel(`sweep${s}`));
    for (const ref of refs) {
      await h.publishTracking(ref, { status: carrier.TrackingStatus.IN_TRANSIT, occurredAt: stalled });
    }
    const both = h.parcel('sweepboth');
    await h.publishTracking(both, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: stalled,
      estimatedDelivery: create(common.CalendarDateSchema, { year: 2020, month: 1, day: 2 }),
    });
    const keys = await h.query<{ kind: string }>(
      `SELECT kind FROM timers WHERE key LIKE 'detect:%' AND due_at <= now() ORDER BY kind`,
    );
    expect(keys.map((k) => k.kind)).toEqual([
      'claims.detect-no-scan',
      'claims.detect-no-scan',
      'claims.detect-no-scan',
      'claims.detect-no-scan',
      'claims.detect-past-edd',
    ]);
    // restart with a short poll: every due timer is claimed in one batch
    await h.stopInstance(instance);
    h.config = { ...h.config, timerPollIntervalMs: 100 };
    await h.startInstance();
    const claims = () =>
      h.query<{ parcel_id: string; reason: string }>(
        `SELECT parcel_id, reason FROM claims_claims ORDER BY parcel_id`,
      );
    await waitFor(
      async () =>
        (await h.query(`SELECT 1 FROM timers WHERE key LIKE 'detect:%' AND due_at <= now()`)).length === 0,
      { timeoutMs: 20_000, description: 'due detection timers fired' },
    );
    const opened = await claims();
    expect(opened.map((c) => c.parcel_id).sort()).toEqual([...refs, both].map((r) => r.parcelId).sort());
    expect(opened.filter((c) => c.parcel_id === both.parcelId)).toHaveLength(1);
    const transitions = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM claims_claim_transitions WHERE cause LIKE 'detected:%'`,
    );
    expect(transitions[0]!.n).toBe(4);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const joined = metrics
      .split('\n')
      .filter((l) => l.startsWith('portico_claims_detections_total{') && l.includes('joined_open_claim'))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    expect(joined).toBe(1);
    await waitFor(() => [...refs, both].every((r) => h.eventCases(r.parcelId).includes('claimOpened')), {
      timeoutMs: 20_000,
      description: 'ClaimOpened for each parcel',
    });
    expect(h.eventCases(both.parcelId).filter((c) => c === 'claimOpened')).toHaveLength(1);
  });
});
