// The delivery claim on a large backlog whose statistics are not collected yet (a fan-out burst
// outruns autovacuum's ANALYZE; here autovacuum is off for the table so that it cannot sneak in).
// It must read the due deliveries in its ORDER BY's own order and stop at the LIMIT: before
// WebhookClaimOrder1796700000001 the planner walked every pending row of the subscription and sorted
// them, O(backlog) per claim (0.6-1.4 s on 60,000 rows in `npm run bench:notify`). Real Postgres.
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import type { EntityManager } from 'typeorm';
import { migrations } from '../../migrations';
import { WebhooksRepository } from './webhooks.repository';

const BACKLOG_PARCELS = 8_000;
const EVENTS_PER_PARCEL = 3;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe('webhook delivery claim on a backlog without statistics', () => {
  let db: MigratedTestDatabase;
  const repository = new WebhooksRepository();
  const now = new Date();

  beforeAll(async () => {
    db = await createMigratedTestDatabase('notification_claim', migrations);
    await db.dataSource.query(`ALTER TABLE webhook_deliveries SET (autovacuum_enabled = false)`);
    await db.dataSource.query(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, event_types, created_at, updated_at)
       VALUES ('whs_claim', 'ten_claim', 'https://example.test/hook', '{outreach.*}', $1, $1)`,
      [now],
    );
    // Three events per parcel, fanned out in parcel order (seq), all due.
    await db.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, tenant_id, event_id, event_type, parcel_id, ordering_key,
                                       body, next_attempt_at, occurred_at, created_at)
       SELECT 'msg_' || lpad(g::text, 6, '0'), 'whs_claim', 'ten_claim', 'ev_' || g, 'outreach.task.created',
              'prc_' || (g / $2), 'prc_' || (g / $2), '{}', $1::timestamptz - interval '1 minute', $1, $1
         FROM generate_series(0, $3 - 1) g`,
      [now, EVENTS_PER_PARCEL, BACKLOG_PARCELS * EVENTS_PER_PARCEL],
    );
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  /** Runs the claim; the plan of its statement (as it runs, same session settings) is captured first. */
  async function claimWithPlan(limit: number) {
    let plan: PlanNode | undefined;
    const claimed = await db.dataSource.transaction(async (m) => {
      const spy = new Proxy(m, {
        get(target, property, receiver) {
          if (property !== 'query') return Reflect.get(target, property, receiver);
          return async (sql: string, parameters?: unknown[]) => {
            if (sql.trimStart().startsWith('WITH due AS')) {
              const [row] = (await target.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters)) as [
                { 'QUERY PLAN': [{ Plan: PlanNode }] },
              ];
              plan = row['QUERY PLAN'][0].Plan;
            }
            return target.query(sql, parameters);
          };
        },
      }) as EntityManager;
      return repository.claim(spy, {
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        token: 'tok_claim',
        limit,
      });
    });
    return { claimed, plan: plan! };
  }

  it('reads the due deliveries in claim order and sorts nothing', async () => {
    const { plan } = await claimWithPlan(64);
    const nodes = nodesOf(plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.some((n) => n['Index Name'] === 'webhook_deliveries_due_order')).toBe(true);
  });

  it('still claims the oldest heads of their parcels only, in order', async () => {
    const { claimed } = await claimWithPlan(64);
    expect(claimed).toHaveLength(64);
    const parcels = claimed.map((d) => d.parcelId);
    expect(new Set(parcels).size).toBe(64);
    // The first claim of the first test took parcels 0..63 (their heads, still pending): their next
    // events are behind an in-flight head, so this claim takes the heads of parcels 64..127.
    expect(parcels).toEqual(Array.from({ length: 64 }, (_, i) => `prc_${64 + i}`));
  });

  it('leaves the session as it found it (sorting is off for the claim statement only)', async () => {
    const setting = await db.dataSource.transaction(async (m) => {
      await repository.claim(m, {
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        token: 'tok_2',
        limit: 1,
      });
      const [row] = (await m.query(`SELECT current_setting('enable_sort') AS value`)) as [{ value: string }];
      return row.value;
    });
    expect(setting).toBe('on');
  });

  it('the backlog reproduces the problem: the same statement with sorting allowed sorts the backlog', async () => {
    // Control for the first test: with the planner left alone, the fixture does lead it astray.
    const plan = await db.dataSource.transaction(async (m) => {
      const [row] = (await m.query(
        `EXPLAIN (FORMAT JSON)
         SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND s.enabled AND s.circuit_state = 'closed'
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                             WHERE e.subscription_id = d.subscription_id AND e.ordering_key = d.ordering_key
                               AND e.status = 'pending' AND e.seq < d.seq)
          ORDER BY d.next_attempt_at, d.seq LIMIT 64`,
        [now],
      )) as [{ 'QUERY PLAN': [{ Plan: PlanNode }] }];
      return row['QUERY PLAN'][0].Plan;
    });
    expect(nodesOf(plan).map((n) => n['Node Type'])).toContain('Sort');
  });
});
