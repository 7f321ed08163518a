import { Registry } from '@portico/observability';
import {
  SUBSCRIPTION_CACHE_MAX_TENANTS,
  SUBSCRIPTION_CACHE_TTL_MS,
  TenantSubscriptionCache,
  type FanOutSubscription,
} from './tenant-subscription-cache';
import { WebhooksMetrics } from './webhooks.metrics';

const START = new Date('2026-12-07T09:00:00Z').getTime();

function setup() {
  let now = START;
  const registry = new Registry();
  const cache = new TenantSubscriptionCache(() => new Date(now), new WebhooksMetrics(registry));
  const stored: Record<string, FanOutSubscription[]> = {
    ten_a: [{ id: 'sub_a1', eventTypes: ['*'] }],
    ten_b: [],
  };
  const reads: string[] = [];
  const lookup = (tenantId: string) =>
    cache.subscriptionsOf(tenantId, async () => {
      reads.push(tenantId);
      return stored[tenantId] ?? [];
    });
  return {
    cache,
    registry,
    stored,
    reads,
    lookup,
    advance: (ms: number) => (now += ms),
  };
}

describe('TenantSubscriptionCache', () => {
  it('reads through while the listener is not connected (nothing is cached then)', async () => {
    const t = setup();
    await t.lookup('ten_a');
    await t.lookup('ten_a');
    expect(t.reads).toEqual(['ten_a', 'ten_a']);
    t.cache.setListening(true);
    await t.lookup('ten_a');
    await t.lookup('ten_a');
    expect(t.reads).toEqual(['ten_a', 'ten_a', 'ten_a']);
    t.cache.setListening(false);
    await t.lookup('ten_a');
    expect(t.reads).toHaveLength(4);
    const lookups = await t.registry.getSingleMetricAsString(
      'portico_webhook_subscription_cache_lookups_total',
    );
    expect(lookups).toContain('{result="read_through"} 3');
    expect(lookups).toContain('{result="miss"} 1');
    expect(lookups).toContain('{result="hit"} 1');
  });

  it('caches the empty list as well', async () => {
    const t = setup();
    t.cache.setListening(true);
    expect(await t.lookup('ten_b')).toEqual([]);
    expect(await t.lookup('ten_b')).toEqual([]);
    expect(t.reads).toEqual(['ten_b']);
  });

  it('reads a tenant again once its entry is SUBSCRIPTION_CACHE_TTL_MS old, or when the clock went back', async () => {
    const t = setup();
    t.cache.setListening(true);
    await t.lookup('ten_a');
    t.advance(SUBSCRIPTION_CACHE_TTL_MS - 1);
    await t.lookup('ten_a');
    expect(t.reads).toEqual(['ten_a']);
    t.advance(1);
    await t.lookup('ten_a');
    expect(t.reads).toEqual(['ten_a', 'ten_a']);
    t.advance(-1);
    await t.lookup('ten_a');
    expect(t.reads).toEqual(['ten_a', 'ten_a', 'ten_a']);
  });

  it('an invalidation drops that tenant only', async () => {
    const t = setup();
    t.cache.setListening(true);
    await t.lookup('ten_a');
    await t.lookup('ten_b');
    t.stored.ten_a = [];
    t.cache.invalidate('ten_a', 'notify');
    expect(await t.lookup('ten_a')).toEqual([]);
    await t.lookup('ten_b');
    expect(t.reads).toEqual(['ten_a', 'ten_b', 'ten_a']);
    expect(
      await t.registry.getSingleMetricAsString('portico_webhook_subscription_cache_invalidations_total'),
    ).toContain('{source="notify"} 1');
  });

  it('does not cache a read that an invalidation overtook (its snapshot may predate the change)', async () => {
    const t = setup();
    t.cache.setListening(true);
    let release!: () => void;
    const slow = t.cache.subscriptionsOf('ten_a', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return [{ id: 'sub_gone', eventTypes: ['*'] }];
    });
    t.cache.invalidate('ten_a', 'local');
    release();
    expect(await slow).toEqual([{ id: 'sub_gone', eventTypes: ['*'] }]);
    expect(await t.lookup('ten_a')).toEqual(t.stored.ten_a);
    expect(t.reads).toEqual(['ten_a']);
  });

  it('drops everything when the listener comes back (notices sent while it was down are lost)', async () => {
    const t = setup();
    t.cache.setListening(true);
    await t.lookup('ten_a');
    t.cache.setListening(false);
    t.cache.setListening(true);
    await t.lookup('ten_a');
    expect(t.reads).toEqual(['ten_a', 'ten_a']);
    expect(
      await t.registry.getSingleMetricAsString('portico_webhook_subscription_listener_connected'),
    ).toContain('portico_webhook_subscription_listener_connected 1');
  });

  it('keeps at most SUBSCRIPTION_CACHE_MAX_TENANTS tenants, the oldest entry making room', async () => {
    const t = setup();
    t.cache.setListening(true);
    for (let i = 0; i <= SUBSCRIPTION_CACHE_MAX_TENANTS; i++) await t.lookup(`ten_${i}`);
    t.reads.length = 0;
    await t.lookup(`ten_${SUBSCRIPTION_CACHE_MAX_TENANTS}`);
    await t.lookup('ten_1');
    expect(t.reads).toEqual([]);
    await t.lookup('ten_0');
    expect(t.reads).toEqual(['ten_0']);
  });
});
