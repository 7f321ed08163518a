import { randomBytes } from 'node:crypto';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { injectTraceContext, storedTraceContext, type Logger } from '@portico/observability';
import type { OutboxWriter } from '@portico/messaging';
import type { DataSource } from 'typeorm';
import type { Webhook } from 'standardwebhooks';
import { afterAttempt, unchangedBySuccess, type BreakerPolicy, type BreakerState } from './circuit-breaker';
import { outcomeLabel, settleAttempt } from './delivery-outcome';
import type { AttemptOutcome, WebhookGateway } from './webhook-gateway';
import type { WebhookSigners } from './webhook-signers';
import { signDelivery } from './webhook-signing';
import { subscriptionDisabled } from './subscription-events';
import type { TenantSubscriptionCache } from './tenant-subscription-cache';
import type { WebhooksMetrics } from './webhooks.metrics';
import type { ClaimedDelivery, StoredSecret, WebhooksRepository } from './webhooks.repository';

export const WEBHOOKS_TRACER = 'notification.webhooks';
const BACKLOG_REFRESH_MS = 5_000;

export interface DeliveryWorkerOptions {
  /** Deliveries one claim takes and sends side by side. */
  readonly concurrency: number;
  /** Claim-send-record loops in this instance (0: none). */
  readonly loops: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly schedule: readonly number[];
  readonly breaker: BreakerPolicy;
}

export interface DeliveryWorkerDeps {
  readonly dataSource: DataSource;
  readonly repository: WebhooksRepository;
  readonly gateway: WebhookGateway;
  readonly signers: WebhookSigners;
  readonly metrics: WebhooksMetrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly newId: (prefix: string) => string;
  readonly random?: () => number;
  /** Auto-disable's Kafka event goes through the outbox, in the transaction that disables. */
  readonly outbox?: OutboxWriter;
  /** Told about an auto-disable once it is committed (other replicas hear the trigger's NOTIFY). */
  readonly subscriptionCache?: TenantSubscriptionCache;
}

interface Finished {
  readonly delivery: ClaimedDelivery;
  readonly outcome: AttemptOutcome;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/**
 * Sends due deliveries. HTTP happens outside any database transaction: a short transaction claims a
 * batch (`FOR UPDATE SKIP LOCKED` + a lease in `claimed_until`, the per-parcel head rule in the
 * query), the batch is signed and sent side by side, and a second short transaction records every
 * attempt, the next attempt time, and the subscriptions' breakers. A worker that dies between the two
 * leaves leases that run out: the deliveries are claimed again and sent again (at-least-once;
 * subscribers deduplicate on `webhook-id`).
 */
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly stopping = new AbortController();
  private wakeSleepers: (() => void)[] = [];
  private backlogRefreshedAt = 0;

  constructor(
    private readonly deps: DeliveryWorkerDeps,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.log = deps.logger.child({ component: 'webhooks' });
    this.random = deps.random ?? Math.random;
    // Longer than any attempt can take, so a live worker never loses its claim mid-attempt.
    this.leaseMs = options.timeoutMs * 2 + 5_000;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running || this.options.loops === 0) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.loops }, (_, i) => this.loop(i));
  }

  /** Aborts the attempts in flight (their claims are given back, not counted) and waits for the loops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping.abort();
    for (const wake of this.wakeSleepers.splice(0)) wake();
    await Promise.all(this.loops);
    this.deps.gateway.close();
  }

  private async loop(index: number): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
        if (index === 0) await this.refreshBacklog();
      } catch (error) {
        this.log.error({ err: error }, 'webhook delivery loop failed; trying again');
      }
      if (this.running && claimed < this.options.concurrency) await this.sleep(this.options.pollIntervalMs);
    }
  }

  /** One claim-send-record round; returns how many deliveries it claimed. */
  async runOnce(): Promise<number> {
    const token = randomBytes(12).toString('hex');
    const { claimed, secrets } = await this.claim(token);
    if (claimed.length === 0) return 0;
    const signersBySubscription = this.openSecrets(secrets);
    const finished = await Promise.all(
      claimed.map((d) => this.attempt(d, signersBySubscription.get(d.subscriptionId))),
    );
    await this.record(finished);
    return claimed.length;
  }

  private async claim(token: string): Promise<{ claimed: ClaimedDelivery[]; secrets: StoredSecret[] }> {
    return this.deps.dataSource.transaction(async (m) => {
      const now = this.deps.clock();
      const leaseUntil = new Date(now.getTime() + this.leaseMs);
      const claimed: ClaimedDelivery[] = [];
      for (const subscriptionId of await this.deps.repository.promoteProbes(m, now, leaseUntil)) {
        const probe = await this.deps.repository.claim(m, {
          now,
          leaseUntil,
          token,
          limit: 1,
          probeOf: subscriptionId,
        });
        if (probe.length === 0) await this.deps.repository.reopenProbe(m, subscriptionId, now);
        claimed.push(...probe);
      }
      const limit = this.options.concurrency - claimed.length;
      if (limit > 0)
        claimed.push(...(await this.deps.repository.claim(m, { now, leaseUntil, token, limit })));
      const subscriptionIds = [...new Set(claimed.map((d) => d.subscriptionId))];
      const secrets = subscriptionIds.length
        ? await this.deps.repository.signingSecrets(m, subscriptionIds, now)
        : [];
      return { claimed, secrets };
    });
  }

  /** Signers per subscription; a subscription whose secret cannot be opened gets none (and fails). */
  private openSecrets(secrets: readonly StoredSecret[]): Map<string, Webhook[]> {
    const grouped = new Map<string, StoredSecret[]>();
    for (const s of secrets) grouped.set(s.subscriptionId, [...(grouped.get(s.subscriptionId) ?? []), s]);
    const out = new Map<string, Webhook[]>();
    for (const [id, list] of grouped) {
      try {
        out.set(id, this.deps.signers.signersOf(list));
      } catch (error) {
        this.log.error({ subscriptionId: id, err: error }, 'webhook secret cannot be opened (key missing?)');
      }
    }
    return out;
  }

  private async attempt(delivery: ClaimedDelivery, signers: Webhook[] | undefined): Promise<Finished> {
    const startedAt = this.deps.clock();
    const parent = storedTraceContext(delivery);
    const span = trace.getTracer(WEBHOOKS_TRACER).startSpan(
      'webhook deliver',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'portico.webhook.subscription_id': delivery.subscriptionId,
          'portico.webhook.delivery_id': delivery.id,
          'portico.webhook.event_type': delivery.eventType,
          'portico.parcel_id': delivery.parcelId,
          'portico.webhook.attempt': delivery.attempts + 1,
        },
      },
      parent,
    );
    let outcome: AttemptOutcome;
    if (!signers || signers.length === 0) {
      outcome = { succeeded: false, statusCode: null, errorCode: 'no_signing_secret', durationMs: 0 };
    } else {
      // Active while sending, so the HTTP client span (and the traceparent it injects) is its child.
      outcome = await context.with(trace.setSpan(parent, span), () =>
        this.deps.gateway.send({
          url: delivery.url,
          body: delivery.body,
          timeoutMs: this.options.timeoutMs,
          signal: this.stopping.signal,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Portico-Webhooks/1',
            ...signDelivery(signers, delivery.id, startedAt, delivery.body),
            ...this.traceHeaders(span, parent, delivery),
          },
        }),
      );
    }
    this.annotate(span, outcome);
    return { delivery, outcome, startedAt, finishedAt: this.deps.clock() };
  }

  /** `traceparent` of the send span, so the subscriber's own trace joins the event's trace. */
  private traceHeaders(span: Span, parent: ReturnType<typeof storedTraceContext>, d: ClaimedDelivery) {
    const headers = injectTraceContext({}, trace.setSpan(parent, span));
    // Without a registered propagator (tracing off) the event's own context still goes along.
    if (!headers.traceparent && d.traceparent) {
      headers.traceparent = d.traceparent;
      if (d.tracestate) headers.tracestate = d.tracestate;
    }
    return headers;
  }

  private annotate(span: Span, outcome: AttemptOutcome): void {
    if (outcome.statusCode !== null) span.setAttribute('http.response.status_code', outcome.statusCode);
    if (outcome.errorCode) span.setAttribute('portico.webhook.error_code', outcome.errorCode);
    span.setAttribute('portico.webhook.outcome', outcome.succeeded ? 'delivered' : 'failed');
    if (!outcome.succeeded)
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorCode ?? 'failed' });
    span.end();
  }

  private async record(finished: readonly Finished[]): Promise<void> {
    const aborted = finished.filter((f) => f.outcome.errorCode === 'aborted');
    const done = finished
      .filter((f) => f.outcome.errorCode !== 'aborted')
      .sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
    const now = this.deps.clock();
    const settled = done.map((f) =>
      settleAttempt(f.delivery, f.outcome, f.startedAt, now, this.options.schedule, this.random),
    );
    const disabledTenants: string[] = [];
    await this.deps.dataSource.transaction(async (m) => {
      await this.deps.repository.release(
        m,
        aborted.map((f) => ({ id: f.delivery.id, token: f.delivery.claimToken })),
      );
      const recorded = await this.deps.repository.settle(m, settled);
      const counted = done.filter((f) => recorded.has(f.delivery.id));
      if (counted.length === 0) return;
      const touched = await this.subscriptionsWhoseBreakerMayChange(m, counted);
      if (touched.length === 0) return;
      const subscriptions = await this.deps.repository.lockBreakers(m, touched);
      const changed = new Map<string, { breaker: BreakerState; disable: boolean }>();
      for (const f of counted) {
        const sub = subscriptions.get(f.delivery.subscriptionId);
        if (!sub) continue; // deleted meanwhile
        const current = changed.get(f.delivery.subscriptionId)?.breaker ?? sub.breaker;
        const result = afterAttempt(current, f.outcome.succeeded, f.finishedAt, this.options.breaker);
        if (result.transition) {
          this.deps.metrics.circuitTransitions.inc({ to: result.transition });
          this.log.info(
            { subscriptionId: f.delivery.subscriptionId, circuit: result.transition },
            'webhook circuit changed state',
          );
        }
        const disable =
          sub.enabled && (result.disable || changed.get(f.delivery.subscriptionId)?.disable === true);
        changed.set(f.delivery.subscriptionId, { breaker: result.next, disable });
      }
      for (const [id, { breaker, disable }] of changed) {
        await this.deps.repository.saveBreaker(m, id, breaker, disable ? now : null);
        if (!disable) continue;
        const tenantId = subscriptions.get(id)!.tenantId;
        await this.autoDisabled(m, id, tenantId, breaker, now);
        disabledTenants.push(tenantId);
      }
    });
    for (const tenantId of disabledTenants) this.deps.subscriptionCache?.invalidate(tenantId, 'local');
    for (const s of settled) this.deps.metrics.deliveries.inc({ outcome: outcomeLabel(s) });
    for (const f of done)
      this.deps.metrics.observeAttempt(
        f.outcome.durationMs / 1000,
        f.outcome.statusCode,
        f.outcome.errorCode,
      );
  }

  /**
   * Subscriptions whose breaker these attempts may change. Successes on a closed breaker with nothing
   * failing change nothing, so those rows are neither locked nor written: otherwise every loop's
   * record transaction queues behind the one subscription row's lock, held through the commit's WAL
   * flush (the drain of a single subscriber's backlog ran loop after loop). A concurrent loop that
   * records failures meanwhile is ordered after these successes, which is a valid order.
   */
  private async subscriptionsWhoseBreakerMayChange(
    m: Parameters<WebhooksRepository['readBreakers']>[0],
    counted: readonly Finished[],
  ): Promise<string[]> {
    const all = [...new Set(counted.map((f) => f.delivery.subscriptionId))];
    const failing = new Set(
      counted.filter((f) => !f.outcome.succeeded).map((f) => f.delivery.subscriptionId),
    );
    const onlySucceeded = all.filter((id) => !failing.has(id));
    const current = onlySucceeded.length
      ? await this.deps.repository.readBreakers(m, onlySucceeded)
      : new Map();
    return all.filter((id) => {
      const sub = current.get(id);
      return !(sub && unchangedBySuccess(sub.breaker));
    });
  }

  private async autoDisabled(
    m: Parameters<WebhooksRepository['insertNotice']>[0],
    subscriptionId: string,
    tenantId: string,
    breaker: BreakerState,
    now: Date,
  ): Promise<void> {
    const noticeId = this.deps.newId('whn');
    await this.deps.repository.insertNotice(m, {
      id: noticeId,
      tenantId,
      subscriptionId,
      kind: 'subscription_auto_disabled',
      details: {
        failingSince: breaker.failingSince?.toISOString() ?? null,
        consecutiveFailures: breaker.consecutiveFailures,
      },
      createdAt: now,
    });
    await this.deps.outbox?.append(
      m,
      subscriptionDisabled({
        subscriptionId,
        tenantId,
        noticeId,
        failingSince: breaker.failingSince,
        consecutiveFailures: breaker.consecutiveFailures,
        at: now,
      }),
    );
    this.deps.metrics.autoDisabled.inc();
    this.log.warn(
      { subscriptionId, tenantId, consecutiveFailures: breaker.consecutiveFailures },
      'webhook subscription auto-disabled: every attempt failed for the auto-disable window',
    );
  }

  private async refreshBacklog(): Promise<void> {
    const now = Date.now();
    if (now - this.backlogRefreshedAt < BACKLOG_REFRESH_MS) return;
    this.backlogRefreshedAt = now;
    const { pending, circuits } = await this.deps.repository.backlog(this.deps.dataSource.manager);
    this.deps.metrics.setBacklog(pending, circuits);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wakeSleepers = this.wakeSleepers.filter((w) => w !== wake);
        resolve();
      }, ms);
      this.wakeSleepers.push(wake);
    });
  }
}
