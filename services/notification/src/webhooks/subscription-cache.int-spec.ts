// The fan-out's per-tenant subscription cache against real Postgres: every change of a tenant's
// subscriptions reaches the next event, whether it was made in this process (the API service
// invalidates at once) or by another replica (a second DataSource; the trigger's NOTIFY reaches
// this process's listener); a subscription that vanishes between the cache read and the INSERT
// gets nothing and fails nothing; and a warm cache makes the fan-out's run one INSERT, no read.
// The fan-out is driven in a transaction of its own, as the consumer's batch handler runs it (the
// Kafka path around it is webhooks.int-spec.ts's).
import { randomBytes, randomUUID } from 'node:crypto';
import { BlockList } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { SecretBox, type Principal } from '@portico/auth';
import { clearance, parcelRef } from '@portico/contracts';
import { Registry } from '@portico/observability';
import { TypeOrmUnitOfWork } from '@portico/service-kit';
import {
  createMigratedTestDatabase,
  startTcpProxy,
  waitFor,
  type MigratedTestDatabase,
  type TcpProxy,
} from '@portico/testing';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { migrations } from '../../migrations';
import { SUBSCRIPTION_CHANGES_CHANNEL } from '../../migrations/1797500000001-webhook-subscription-notify';
import { newId } from '../shared/ids';
import { memoryLogger } from '../test-support';
import { DeliveryWorker } from './delivery-worker';
import { SubscriptionChangeListener } from './subscription-change-listener';
import { TenantSubscriptionCache } from './tenant-subscription-cache';
import { WebhookFanOut, type ConsumedEvent } from './webhook-fan-out';
import type { WebhookGateway } from './webhook-gateway';
import { WebhookSigners } from './webhook-signers';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';
import { WebhooksMetrics } from './webhooks.metrics';
import { WebhooksRepository, type NewDelivery, type SubscriptionRecord } from './webhooks.repository';

const run = randomBytes(4).toString('hex');
const TENANT = `ten_sc_a_${run}`;
const OTHER = `ten_sc_b_${run}`;
const caller: Principal = { kind: 'property-system', tenantId: TENANT, keyId: 'key_sc', scopes: [] };

/** The repository with a hook just before the INSERT: where a concurrent change can land. */
class RacingRepository extends WebhooksRepository {
  beforeInsert?: () => Promise<void>;

  override async insertDeliveries(m: EntityManager, rows: readonly NewDelivery[]): Promise<number> {
    await this.beforeInsert?.();
    return super.insertDeliveries(m, rows);
  }
}

function holdPredicted(tenantId: string): ConsumedEvent {
  const parcel = parcelRef('sc-express', `SC${randomBytes(5).toString('hex')}`);
  return {
    event: create(clearance.HoldPredictedSchema, { tenantId, parcel }),
    eventId: randomUUID(),
    headerTenantId: tenantId,
    parcelId: parcel.parcelId,
    occurredAt: new Date(),
    topic: 'clearance.case.v1',
    headers: {},
  };
}

function subscriptionRecord(tenantId: string, eventTypes: string[]): SubscriptionRecord {
  const now = new Date();
  return {
    id: newId('whsub'),
    tenantId,
    url: 'https://example.test/hook',
    description: 'replica',
    eventTypes,
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    breaker: { state: 'closed', consecutiveFailures: 0, openUntil: null, failingSince: null },
    createdAt: now,
    updatedAt: now,
  };
}

describe('the fan-out subscription cache (real Postgres, NOTIFY from another replica)', () => {
  let db: MigratedTestDatabase;
  /** Another notification replica's connections: its writes reach this process by NOTIFY only. */
  let replica: DataSource;
  let proxy: TcpProxy;
  let registry: Registry;
  let cache: TenantSubscriptionCache;
  let listener: SubscriptionChangeListener;
  let service: WebhookSubscriptionsService;
  let fanOut: WebhookFanOut;
  let worker: DeliveryWorker;
  const repository = new RacingRepository();
  const statements: string[] = [];
  /** The tenants (and barriers) this process heard notices for, in arrival order. */
  const heard: string[] = [];

  /** The manager with every statement recorded. */
  function counting(m: EntityManager): EntityManager {
    return new Proxy(m, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver);
        return (sql: string, parameters?: unknown[]) => {
          statements.push(sql);
          return target.query(sql, parameters);
        };
      },
    });
  }

  const subscriptionReads = () =>
    statements.filter((s) => /FROM webhook_subscriptions WHERE tenant_id/.test(s)).length;

  /** One consumed run, in its own transaction like the batch handler's. */
  function consume(...events: ConsumedEvent[]): Promise<number> {
    return db.dataSource.transaction((m) => fanOut.onEvents(counting(m), events));
  }

  /** Which subscriptions got the event. */
  async function receivers(event: ConsumedEvent): Promise<string[]> {
    const rows = (await db.dataSource.query(
      `SELECT subscription_id FROM webhook_deliveries WHERE event_id = $1 ORDER BY subscription_id`,
      [event.eventId],
    )) as { subscription_id: string }[];
    return rows.map((r) => r.subscription_id);
  }

  async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = await registry.getSingleMetric(name)!.get();
    const match = metric.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
    return match?.value ?? 0;
  }
  const listening = () => counter('portico_webhook_subscription_listener_connected');
  const tenantsHeard = (from: number) => heard.slice(from).filter((t) => !t.startsWith('barrier_'));

  /** Waits until every notice committed so far has reached this process (they arrive in commit order). */
  async function quiesce(): Promise<void> {
    const barrier = `barrier_${randomUUID()}`;
    await replica.query('SELECT pg_notify($1, $2)', [SUBSCRIPTION_CHANGES_CHANNEL, barrier]);
    await waitFor(() => heard.includes(barrier), { description: 'the barrier notice' });
  }

  /** Runs a replica's write and waits until its NOTIFY has reached this process. */
  async function onReplica(write: (m: EntityManager) => Promise<unknown>): Promise<void> {
    await quiesce();
    const before = heard.length;
    await replica.transaction(write);
    await waitFor(() => heard.length > before, { description: "the replica's NOTIFY" });
  }

  beforeAll(async () => {
    db = await createMigratedTestDatabase('notification_subcache', migrations);
    replica = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
    await replica.initialize();
    const url = new URL(db.url);
    // the listener's connection goes through a proxy the test can cut
    proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    registry = new Registry();
    const metrics = new WebhooksMetrics(registry);
    const clock = () => new Date();
    const { logger } = memoryLogger();
    cache = new TenantSubscriptionCache(clock, metrics);
    const invalidate = cache.invalidate.bind(cache);
    cache.invalidate = (tenantId, source) => {
      if (source === 'notify') heard.push(tenantId);
      invalidate(tenantId, source);
    };
    listener = new SubscriptionChangeListener(cache, { databaseUrl: url.toString() }, logger);
    await listener.onModuleInit();
    fanOut = new WebhookFanOut(repository, cache, metrics, clock, newId, logger);
    const signers = new WebhookSigners(new SecretBox([{ id: 'k1', key: randomBytes(32) }]));
    // every subscriber answers 503, and the first failure auto-disables
    const failing = {
      send: async () => ({ succeeded: false, statusCode: 503, errorCode: null, durationMs: 1 }),
      close: () => undefined,
    } as WebhookGateway;
    worker = new DeliveryWorker(
      {
        dataSource: db.dataSource,
        repository,
        gateway: failing,
        signers,
        metrics,
        logger,
        clock,
        newId,
        subscriptionCache: cache,
      },
      {
        concurrency: 50,
        loops: 0,
        pollIntervalMs: 50,
        timeoutMs: 1_000,
        schedule: [60_000],
        breaker: { failureThreshold: 1, coolDownMs: 60_000, autoDisableAfterMs: 0 },
      },
    );
    service = new WebhookSubscriptionsService(
      repository,
      new TypeOrmUnitOfWork(db.dataSource),
      cache,
      signers,
      { allowHttp: false, allowedPrivateNetworks: new BlockList() },
      { webhookSecretOverlapMs: 60_000 },
      clock,
      newId,
      logger,
    );
  }, 60_000);

  afterAll(async () => {
    await listener?.onApplicationShutdown();
    await proxy?.close();
    if (replica?.isInitialized) await replica.destroy();
    await db?.drop();
  });

  beforeEach(() => {
    statements.length = 0;
    repository.beforeInsert = undefined;
  });

  it('a warm cache reads no subscriptions: a run costs its INSERT, and a tenant without any costs nothing', async () => {
    expect(await listening()).toBe(1);
    const { subscription } = await service.create(caller, {
      url: 'https://example.test/a',
      description: 'a',
      eventTypes: ['*'],
      enabled: true,
    });
    await quiesce(); // the create's own notice, which would drop the entry once more
    await consume(holdPredicted(TENANT), holdPredicted(OTHER));
    expect(subscriptionReads()).toBe(2);
    statements.length = 0;
    for (let i = 0; i < 5; i++) {
      const event = holdPredicted(TENANT);
      expect(await consume(event, holdPredicted(OTHER))).toBe(1);
      expect(await receivers(event)).toEqual([subscription.id]);
    }
    expect(subscriptionReads()).toBe(0);
    expect(statements.filter((s) => s.includes('INSERT INTO webhook_deliveries'))).toHaveLength(5);
    expect(statements).toHaveLength(5);
    await service.remove(caller, subscription.id);
  });

  it('changes made in this process reach the very next event', async () => {
    const before = await counter('portico_webhook_subscription_cache_invalidations_total', {
      source: 'local',
    });
    await consume(holdPredicted(TENANT)); // warm
    const created = await service.create(caller, {
      url: 'https://example.test/b',
      description: 'b',
      eventTypes: ['clearance.hold.predicted'],
      enabled: true,
    });
    const id = created.subscription.id;
    let event = holdPredicted(TENANT);
    await consume(event);
    expect(await receivers(event)).toEqual([id]);

    await service.update(caller, id, { eventTypes: ['outreach.*'] });
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([]);

    await service.update(caller, id, { eventTypes: ['clearance.*'] });
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([id]);

    await service.update(caller, id, { enabled: false });
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([]);

    await service.enable(caller, id);
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([id]);

    await service.remove(caller, id);
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([]);
    // at once: the service's own invalidations, not the NOTIFY that follows them
    expect(
      (await counter('portico_webhook_subscription_cache_invalidations_total', { source: 'local' })) - before,
    ).toBe(6);
  });

  it("another replica's changes reach this process through NOTIFY, the breaker's auto-disable included", async () => {
    await consume(holdPredicted(TENANT)); // warm
    const record = subscriptionRecord(TENANT, ['clearance.hold.predicted']);
    await onReplica((m) => repository.insertSubscription(m, record));
    let event = holdPredicted(TENANT);
    await consume(event);
    expect(await receivers(event)).toEqual([record.id]);

    await onReplica((m) =>
      repository.updateSubscription(m, record.id, { eventTypes: ['outreach.*'] }, new Date()),
    );
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([]);

    await onReplica((m) => repository.updateSubscription(m, record.id, { eventTypes: ['*'] }, new Date()));
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([record.id]);

    // A breaker write that disables nothing is silent: notices arrive in commit order, so when the
    // other tenant's insert is heard, a notice of the breaker write would have been heard first.
    await quiesce();
    const quietFrom = heard.length;
    const failing = {
      state: 'open' as const,
      consecutiveFailures: 3,
      openUntil: new Date(),
      failingSince: new Date(),
    };
    await replica.transaction((m) => repository.saveBreaker(m, record.id, failing, null));
    await replica.transaction((m) =>
      repository.insertSubscription(m, subscriptionRecord(OTHER, ['outreach.*'])),
    );
    await quiesce();
    expect(tenantsHeard(quietFrom)).toEqual([OTHER]);

    // the delivery worker's auto-disable, as another replica's worker commits it
    await onReplica((m) => repository.saveBreaker(m, record.id, failing, new Date()));
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([]);

    await onReplica((m) => repository.updateSubscription(m, record.id, { enabled: true }, new Date()));
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([record.id]);

    await onReplica((m) => repository.deleteSubscription(m, record.id));
    const reads = subscriptionReads();
    await consume((event = holdPredicted(TENANT)));
    expect(await receivers(event)).toEqual([]);
    expect(subscriptionReads()).toBe(reads + 1); // read again because of the notice, not a TTL
  });

  it("keeps tenants apart: another tenant's subscription never receives, and its changes leave this tenant cached", async () => {
    const mine = await service.create(caller, {
      url: 'https://example.test/mine',
      description: 'mine',
      eventTypes: ['*'],
      enabled: true,
    });
    await quiesce();
    const theirs = subscriptionRecord(OTHER, ['*']);
    await onReplica((m) => repository.insertSubscription(m, theirs));
    await consume(holdPredicted(TENANT), holdPredicted(OTHER)); // warm both
    statements.length = 0;
    const ours = holdPredicted(TENANT);
    const other = holdPredicted(OTHER);
    await onReplica((m) =>
      repository.updateSubscription(
        m,
        theirs.id,
        { description: 'x', eventTypes: ['clearance.*'] },
        new Date(),
      ),
    );
    await consume(ours, other);
    expect(await receivers(ours)).toEqual([mine.subscription.id]);
    expect(await receivers(other)).toEqual([theirs.id]);
    // only the other tenant was read again
    expect(subscriptionReads()).toBe(1);
    await service.remove(caller, mine.subscription.id);
    await onReplica((m) => repository.deleteSubscription(m, theirs.id));
  });

  describe('a subscription that vanishes between the cache read and the INSERT', () => {
    let kept: string;
    let doomed: SubscriptionRecord;

    beforeEach(async () => {
      kept ??= (
        await service.create(caller, {
          url: 'https://example.test/kept',
          description: 'kept',
          eventTypes: ['*'],
          enabled: true,
        })
      ).subscription.id;
      doomed = subscriptionRecord(TENANT, ['*']);
      await onReplica((m) => repository.insertSubscription(m, doomed));
      const warm = holdPredicted(TENANT);
      await consume(warm);
      expect(await receivers(warm)).toEqual([kept, doomed.id].sort());
    });

    it('deleted: no delivery for it, no error, the others get theirs', async () => {
      repository.beforeInsert = () => replica.transaction((m) => repository.deleteSubscription(m, doomed.id));
      const event = holdPredicted(TENANT);
      await expect(consume(event)).resolves.toBe(1);
      expect(await receivers(event)).toEqual([kept]);
    });

    it('disabled: no delivery for it', async () => {
      repository.beforeInsert = () =>
        replica.transaction((m) =>
          repository.updateSubscription(m, doomed.id, { enabled: false }, new Date()),
        );
      const event = holdPredicted(TENANT);
      await expect(consume(event)).resolves.toBe(1);
      expect(await receivers(event)).toEqual([kept]);
      await replica.transaction((m) => repository.deleteSubscription(m, doomed.id));
    });

    it('deleted by a transaction that commits while the INSERT waits for it: no foreign-key error', async () => {
      const deleting = replica.createQueryRunner();
      await deleting.connect();
      await deleting.startTransaction();
      await deleting.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [doomed.id]);
      const observer = new Client({ connectionString: db.url });
      await observer.connect();
      try {
        repository.beforeInsert = async () => {
          // commit once the INSERT is blocked on the deleted row (so the race really happens)
          void waitFor(
            async () => {
              const { rows } = await observer.query(
                `SELECT count(*)::int AS n FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO webhook_deliveries%'`,
              );
              return rows[0].n === 1;
            },
            { intervalMs: 20, description: 'the INSERT waiting on the delete' },
          ).then(
            () => deleting.commitTransaction(),
            () => deleting.rollbackTransaction(),
          );
        };
        const event = holdPredicted(TENANT);
        await expect(consume(event)).resolves.toBe(1);
        expect(await receivers(event)).toEqual([kept]);
      } finally {
        if (deleting.isTransactionActive) await deleting.rollbackTransaction();
        await deleting.release();
        await observer.end();
      }
    });

    it('a redelivered event still inserts nothing twice (the unique (subscription, event) holds)', async () => {
      const event = holdPredicted(TENANT);
      expect(await consume(event)).toBe(2);
      expect(await consume(event)).toBe(0);
      expect(await receivers(event)).toEqual([kept, doomed.id].sort());
      await replica.transaction((m) => repository.deleteSubscription(m, doomed.id));
    });
  });

  it('reads through while its listener is cut off, and caches again once it is back', async () => {
    await consume(holdPredicted(TENANT)); // warm
    proxy.cut();
    await waitFor(async () => (await listening()) === 0, { description: 'the listener down' });
    statements.length = 0;
    // A change whose notice this process cannot hear: still the next event's.
    const unheard = subscriptionRecord(TENANT, ['clearance.hold.predicted']);
    await replica.transaction((m) => repository.insertSubscription(m, unheard));
    const event = holdPredicted(TENANT);
    await consume(event);
    await consume(holdPredicted(TENANT));
    expect(subscriptionReads()).toBe(2);
    expect(await receivers(event)).toContain(unheard.id);

    proxy.restore();
    await waitFor(async () => (await listening()) === 1, {
      timeoutMs: 15_000,
      description: 'the listener back',
    });
    statements.length = 0;
    await consume(holdPredicted(TENANT));
    await consume(holdPredicted(TENANT));
    expect(subscriptionReads()).toBe(1);
    // and it hears again
    await onReplica((m) => repository.deleteSubscription(m, unheard.id));
    const after = holdPredicted(TENANT);
    await consume(after);
    expect(await receivers(after)).not.toContain(unheard.id);
  }, 30_000);

  it("the delivery worker's auto-disable takes effect in this process at once", async () => {
    await db.dataSource.query(`DELETE FROM webhook_deliveries`); // only this test's to attempt
    const { subscription } = await service.create(caller, {
      url: 'https://example.test/failing',
      description: 'failing',
      eventTypes: ['clearance.hold.predicted'],
      enabled: true,
    });
    const first = holdPredicted(TENANT);
    await consume(first);
    expect(await receivers(first)).toContain(subscription.id);
    const local = () =>
      counter('portico_webhook_subscription_cache_invalidations_total', { source: 'local' });
    const before = await local();
    expect(await worker.runOnce()).toBeGreaterThan(0);
    const disabled = (await db.dataSource.query(
      `SELECT id FROM webhook_subscriptions WHERE tenant_id = $1 AND disabled_reason = 'failing'`,
      [TENANT],
    )) as { id: string }[];
    expect(disabled.map((r) => r.id)).toContain(subscription.id);
    // one local invalidation per subscription disabled, right after the commit
    expect((await local()) - before).toBe(disabled.length);
    const next = holdPredicted(TENANT);
    await consume(next);
    expect(await receivers(next)).toEqual([]);
  });
});
