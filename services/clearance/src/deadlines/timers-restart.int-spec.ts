// Durable timers across a restart and with two instances (issue: "a restart or a second instance
// neither loses nor doubles a timer"): cases are opened while one instance runs, that instance
// stops before anything is due, the deadlines pass while no instance runs, then two instances start
// on the same database and group. Every case must expire exactly once, with exactly one CaseExpired.
import { waitFor } from '@portico/testing';
import { ClearanceHarness } from '../test-support/clearance-harness';

const HOUR = 3_600_000;
const CASES = 30;

describe('clearance timers: restart and two instances (real Kafka + Postgres)', () => {
  let h: ClearanceHarness;

  beforeAll(async () => {
    h = await ClearanceHarness.start('timers-it');
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('fires each due timer once, whatever instance holds it, after the only instance was stopped', async () => {
    const first = await h.startInstance();
    const refs = Array.from({ length: CASES }, (_, i) => h.parcel(`R${i}`));
    const heldAt = new Date(Date.now() - HOUR);
    const holds = await Promise.all(
      refs.map((ref) => h.publishHold(ref, heldAt, new Date(heldAt.getTime() + 72 * HOUR))),
    );
    for (const hold of holds) await h.waitProcessed(hold.eventId, 'hold');
    const ids = (
      await h.query<{ id: string }>(`SELECT id FROM clearance_cases WHERE tenant_id = $1`, [h.tenant])
    ).map((r) => r.id);
    expect(ids).toHaveLength(CASES);

    await h.stopInstance(first);
    // While nothing runs, every deadline passes (and the SLA with it).
    await h.query(`UPDATE clearance_cases SET deadline = now() - interval '1 second' WHERE tenant_id = $1`, [
      h.tenant,
    ]);
    // (only this run's cases: the shared topic may carry other suites' holds into this database)
    const moved = await h.query(
      `UPDATE timers SET due_at = now() - interval '1 second'
        WHERE key = ANY($1::text[]) RETURNING key`,
      [ids.flatMap((id) => [`case:${id}:expiry`, `case:${id}:ack-sla`])],
    );
    expect(moved).toHaveLength(2 * CASES);

    await Promise.all([h.startInstance(), h.startInstance()]);
    await waitFor(
      async () =>
        (
          await h.query(`SELECT 1 FROM clearance_cases WHERE tenant_id = $1 AND state = 'expired'`, [
            h.tenant,
          ])
        ).length === CASES,
      { timeoutMs: 30_000, description: 'every case expired' },
    );
    await waitFor(() => refs.every((ref) => h.eventCases(ref.parcelId).includes('caseExpired')), {
      timeoutMs: 30_000,
      description: 'CaseExpired for every case',
    });
    await new Promise((r) => setTimeout(r, 1_500)); // a doubled firing would show by now
    for (const ref of refs) {
      const cases = h.eventCases(ref.parcelId);
      expect(cases.filter((c) => c === 'caseExpired')).toHaveLength(1);
      expect(cases.filter((c) => c === 'stewardAckSlaBreached')).toHaveLength(1);
      expect(cases.filter((c) => c === 'caseOpened')).toHaveLength(1);
    }
    const history = await h.query<{ n: string }>(
      `SELECT count(*) AS n FROM clearance_case_transitions
        WHERE to_state = 'expired' AND case_id = ANY($1::text[])`,
      [ids],
    );
    expect(Number(history[0]!.n)).toBe(CASES);
    // nothing of an expired case is left to fire
    expect(
      await h.query(`SELECT key FROM timers WHERE split_part(key, ':', 2) = ANY($1::text[])`, [ids]),
    ).toEqual([]);
  });

  it('loses no timer scheduled just before a restart', async () => {
    const ref = h.parcel('late');
    const deadline = new Date(Date.now() + 2_500);
    await h.waitProcessed(
      (await h.publishHold(ref, new Date(Date.now() - HOUR), deadline)).eventId,
      'hold with a deadline 2.5 s away',
    );
    // restart both instances around the moment the deadline passes
    for (const s of [...h.instances]) await h.stopInstance(s);
    await new Promise((r) => setTimeout(r, Math.max(0, deadline.getTime() - Date.now()) + 200));
    await h.startInstance();
    await waitFor(() => h.eventCases(ref.parcelId).includes('caseExpired'), {
      timeoutMs: 20_000,
      description: 'expired after the restart',
    });
    expect(h.eventCases(ref.parcelId).filter((c) => c === 'caseExpired')).toHaveLength(1);
  });
});
