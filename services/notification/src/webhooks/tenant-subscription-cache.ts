import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../shared/tokens';
import { WebhooksMetrics } from './webhooks.metrics';

/** What the fan-out needs of an enabled subscription. */
export interface FanOutSubscription {
  readonly id: string;
  readonly eventTypes: readonly string[];
}

/**
 * No entry is used for longer than this, even with the listener up: the backstop for a notice that
 * never arrived (a connection that died silently still looks connected until TCP notices). A
 * deleted or disabled subscription costs nothing meanwhile (the insert checks the row); a new one, a
 * re-enabled one or a widened filter may miss events for at most this long. 30 s keeps a busy
 * tenant at two reads a minute per process instead of one per consumed run.
 */
export const SUBSCRIPTION_CACHE_TTL_MS = 30_000;

/** Bounds the memory of a process that sees very many tenants; the oldest entry makes room. */
export const SUBSCRIPTION_CACHE_MAX_TENANTS = 10_000;

export type InvalidationSource = 'local' | 'notify' | 'listener';

/**
 * Each tenant's enabled subscriptions for the fan-out, kept in this process
 * (docs/adr/0014-notification-subscription-cache.md). The empty list is cached too: most tenants
 * subscribe to nothing. Entries are trusted only while the LISTEN connection for changes is up;
 * otherwise every lookup reads through.
 */
@Injectable()
export class TenantSubscriptionCache {
  private readonly entries = new Map<
    string,
    { subscriptions: readonly FanOutSubscription[]; readAt: number }
  >();
  /**
   * Bumped by every invalidation. A read that began before one is returned but not cached: its
   * snapshot may predate the change whose invalidation it would otherwise overwrite.
   */
  private generation = 0;
  private listening = false;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: WebhooksMetrics,
  ) {}

  async subscriptionsOf(
    tenantId: string,
    read: () => Promise<readonly FanOutSubscription[]>,
  ): Promise<readonly FanOutSubscription[]> {
    const now = this.clock().getTime();
    const entry = this.entries.get(tenantId);
    if (this.listening && entry && now >= entry.readAt && now - entry.readAt < SUBSCRIPTION_CACHE_TTL_MS) {
      this.metrics.subscriptionLookups.inc({ result: 'hit' });
      return entry.subscriptions;
    }
    const trusted = this.listening;
    const generation = this.generation;
    const subscriptions = await read();
    this.metrics.subscriptionLookups.inc({ result: trusted ? 'miss' : 'read_through' });
    if (trusted && generation === this.generation) this.store(tenantId, subscriptions, now);
    return subscriptions;
  }

  /** The tenant's subscriptions changed (committed): the next lookup reads them. */
  invalidate(tenantId: string, source: Exclude<InvalidationSource, 'listener'>): void {
    this.entries.delete(tenantId);
    this.generation++;
    this.metrics.subscriptionInvalidations.inc({ source });
  }

  /**
   * The listener's state. Either way everything cached is dropped: while it is down notices are
   * lost, so nothing read before it came back (LISTEN in place) can be trusted.
   */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.entries.clear();
    this.generation++;
    this.metrics.subscriptionInvalidations.inc({ source: 'listener' });
    this.metrics.subscriptionListener.set(listening ? 1 : 0);
  }

  private store(tenantId: string, subscriptions: readonly FanOutSubscription[], readAt: number): void {
    this.entries.delete(tenantId);
    if (this.entries.size >= SUBSCRIPTION_CACHE_MAX_TENANTS) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(tenantId, { subscriptions, readAt });
  }
}
