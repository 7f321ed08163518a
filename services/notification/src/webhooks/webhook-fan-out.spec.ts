import { create } from '@bufbuild/protobuf';
import { clearance, common, parcelRef } from '@portico/contracts';
import { Registry } from '@portico/observability';
import type { EntityManager } from 'typeorm';
import { memoryLogger } from '../test-support';
import { TenantSubscriptionCache } from './tenant-subscription-cache';
import { WebhookFanOut, type ConsumedEvent } from './webhook-fan-out';
import { WebhooksMetrics } from './webhooks.metrics';
import type { NewDelivery, WebhooksRepository } from './webhooks.repository';

const m = {} as EntityManager;
const NOW = new Date('2026-12-03T06:00:00Z');

/** The repository boundary: subscriptions per tenant, and the deliveries inserted. */
class FakeWebhooksRepository {
  readonly subscriptionReads: string[] = [];
  readonly inserts: NewDelivery[][] = [];
  constructor(private readonly subscriptions: Record<string, { id: string; eventTypes: string[] }[]>) {}

  async activeSubscriptions(_m: EntityManager, tenantId: string) {
    this.subscriptionReads.push(tenantId);
    return this.subscriptions[tenantId] ?? [];
  }

  async insertDeliveries(_m: EntityManager, rows: readonly NewDelivery[]): Promise<number> {
    this.inserts.push([...rows]);
    return rows.length;
  }
}

function holdPredicted(tenantId: string, n: number): ConsumedEvent & { traced: string[] } {
  const parcel = parcelRef('sf-express', `SF00000000${n}`);
  const traced: string[] = [];
  return {
    event: create(clearance.HoldPredictedSchema, {
      tenantId,
      parcel,
      likelyDocuments: [common.DocumentType.RESIDENT_ID_CARD],
    }),
    eventId: `0193a0c0-0000-7000-8000-00000000000${n}`,
    headerTenantId: tenantId,
    parcelId: parcel.parcelId,
    occurredAt: NOW,
    topic: 'clearance.case.v1',
    headers: { traceparent: `00-${String(n).padStart(32, '0')}-${'1'.repeat(16)}-01` },
    inTrace: async (work) => {
      traced.push(parcel.parcelId);
      return work();
    },
    traced,
  };
}

function setup() {
  const repository = new FakeWebhooksRepository({
    ten_a: [
      { id: 'sub_a1', eventTypes: ['clearance.*'] },
      { id: 'sub_a2', eventTypes: ['outreach.*'] },
    ],
    ten_b: [{ id: 'sub_b1', eventTypes: ['clearance.hold.predicted'] }],
  });
  const registry = new Registry();
  const metrics = new WebhooksMetrics(registry);
  const cache = new TenantSubscriptionCache(() => NOW, metrics);
  cache.setListening(true);
  let ids = 0;
  const fanOut = new WebhookFanOut(
    repository as unknown as WebhooksRepository,
    cache,
    metrics,
    () => NOW,
    (prefix: string) => `${prefix}_${++ids}`,
    memoryLogger().logger,
  );
  return { repository, registry, cache, fanOut };
}

describe('WebhookFanOut.onEvents (a batch of consumed events)', () => {
  it('reads subscriptions once per tenant and inserts every delivery in one statement, in event order', async () => {
    const t = setup();
    const batch = [
      holdPredicted('ten_a', 1),
      holdPredicted('ten_b', 2),
      holdPredicted('ten_a', 3),
      holdPredicted('ten_c', 4),
    ];
    expect(await t.fanOut.onEvents(m, batch)).toBe(3);
    expect(t.repository.subscriptionReads).toEqual(['ten_a', 'ten_b', 'ten_c']);
    expect(t.repository.inserts).toHaveLength(1);
    const rows = t.repository.inserts[0]!;
    expect(rows.map((r) => [r.subscriptionId, r.eventId])).toEqual([
      ['sub_a1', batch[0]!.eventId],
      ['sub_b1', batch[1]!.eventId],
      ['sub_a1', batch[2]!.eventId],
    ]);
    // only the subscriber's own tenant, and the event's own trace (no span active: its headers)
    expect(rows.map((r) => r.tenantId)).toEqual(['ten_a', 'ten_b', 'ten_a']);
    expect(rows.map((r) => r.traceparent)).toEqual(batch.slice(0, 3).map((e) => e.headers.traceparent));
    expect(rows.every((r) => r.orderingKey === r.parcelId)).toBe(true);
    // each queued event's trace was entered; the event nobody subscribed to was not
    expect(batch.map((e) => e.traced.length)).toEqual([1, 1, 1, 0]);
    expect(await t.registry.getSingleMetricAsString('portico_webhook_deliveries_created_total')).toContain(
      'portico_webhook_deliveries_created_total{source="clearance.case.v1"} 3',
    );
  });

  it('inserts nothing when no event of the batch has a subscriber', async () => {
    const t = setup();
    expect(await t.fanOut.onEvents(m, [holdPredicted('ten_c', 1), holdPredicted('ten_c', 2)])).toBe(0);
    expect(t.repository.subscriptionReads).toEqual(['ten_c']);
    expect(t.repository.inserts).toEqual([]);
  });

  it('reads a tenant once while its cached list holds, the empty list included', async () => {
    const t = setup();
    await t.fanOut.onEvents(m, [holdPredicted('ten_a', 1), holdPredicted('ten_c', 2)]);
    const later = [holdPredicted('ten_a', 3), holdPredicted('ten_c', 4)];
    expect(await t.fanOut.onEvents(m, later)).toBe(1);
    expect(t.repository.subscriptionReads).toEqual(['ten_a', 'ten_c']);
    // the tenant without subscriptions: no trace headers (nor payload) built for its event
    expect(later.map((e) => e.traced.length)).toEqual([1, 0]);
    t.cache.invalidate('ten_a', 'local');
    await t.fanOut.onEvents(m, [holdPredicted('ten_a', 5), holdPredicted('ten_c', 6)]);
    expect(t.repository.subscriptionReads).toEqual(['ten_a', 'ten_c', 'ten_a']);
  });
});
