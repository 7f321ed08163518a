import { Inject, Injectable } from '@nestjs/common';
import { assertTenantAccess, canAccessTenant, newWebhookSecret, type Principal } from '@portico/auth';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import { CLOCK, ID_GENERATOR, NOTIFICATION_CONFIG, type Clock, type IdGenerator } from '../shared/tokens';
import { isKnownFilter } from './event-filter';
import type { DeliveryQuery, CreateSubscriptionInput, UpdateSubscriptionInput } from './webhook-api.schema';
import {
  DeliveryNotFoundError,
  SubscriptionNotDisabledError,
  SubscriptionNotFoundError,
  TenantRequiredError,
  UnknownEventTypeError,
  WebhooksNotConfiguredError,
  WebhookUrlRejectedError,
} from './webhook-errors';
import { ALL_WEBHOOK_EVENT_TYPES } from './webhook-events';
import type { WebhookSigners } from './webhook-signers';
import { TenantSubscriptionCache } from './tenant-subscription-cache';
import { checkWebhookUrl, type TargetPolicy } from './webhook-target';
import {
  WebhooksRepository,
  type AttemptRecord,
  type DeliveryRecord,
  type NoticeRecord,
  type SubscriptionRecord,
} from './webhooks.repository';

/** Injection token of the WebhookSigners (null while WEBHOOK_SECRETS_KEY is not configured). */
export const WEBHOOK_SIGNERS = 'notification:webhook-signers';
/** Injection token of the TargetPolicy built from the settings. */
export const WEBHOOK_TARGET_POLICY = 'notification:webhook-target-policy';

/** How many deliveries one range replay queues at most (the answer says how many it did). */
export const MAX_REPLAY = 10_000;

export interface SubscriptionView {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly disabledAt: string | null;
  readonly circuit: {
    readonly state: string;
    readonly openUntil: string | null;
    readonly consecutiveFailures: number;
    readonly failingSince: string | null;
  };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DeliveryView {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly parcelId: string;
  readonly status: string;
  readonly nextAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastErrorCode: string | null;
  readonly occurredAt: string;
  readonly createdAt: string;
  readonly completedAt: string | null;
  readonly replays: number;
  readonly attempts: readonly {
    attempt: number;
    startedAt: string;
    durationMs: number;
    statusCode: number | null;
    errorCode: string | null;
    succeeded: boolean;
  }[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function subscriptionView(s: SubscriptionRecord): SubscriptionView {
  return {
    id: s.id,
    tenantId: s.tenantId,
    url: s.url,
    description: s.description,
    eventTypes: s.eventTypes,
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    disabledAt: iso(s.disabledAt),
    circuit: {
      state: s.breaker.state,
      openUntil: iso(s.breaker.openUntil),
      consecutiveFailures: s.breaker.consecutiveFailures,
      failingSince: iso(s.breaker.failingSince),
    },
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

function deliveryView(d: DeliveryRecord, attempts: readonly AttemptRecord[]): DeliveryView {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    eventId: d.eventId,
    eventType: d.eventType,
    parcelId: d.parcelId,
    status: d.status,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastErrorCode: d.lastErrorCode,
    occurredAt: d.occurredAt.toISOString(),
    createdAt: d.createdAt.toISOString(),
    completedAt: iso(d.completedAt),
    replays: d.replays,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt.toISOString(),
      durationMs: a.durationMs,
      statusCode: a.statusCode,
      errorCode: a.errorCode,
      succeeded: a.succeeded,
    })),
  };
}

/**
 * The subscription API's rules: tenant scoping (a property system's key acts on its own tenant
 * only; operators on any), URL and filter validation, secrets generated here, shown once and stored
 * sealed, rotation with an overlap, re-enabling, the delivery log and replays.
 */
@Injectable()
export class WebhookSubscriptionsService {
  private readonly log: Logger;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly uow: UnitOfWork,
    private readonly subscriptionCache: TenantSubscriptionCache,
    @Inject(WEBHOOK_SIGNERS) private readonly signers: WebhookSigners | null,
    @Inject(WEBHOOK_TARGET_POLICY) private readonly targets: TargetPolicy,
    @Inject(NOTIFICATION_CONFIG) private readonly config: Pick<NotificationConfig, 'webhookSecretOverlapMs'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'webhooks' });
  }

  async create(
    caller: Principal,
    input: CreateSubscriptionInput,
  ): Promise<{ subscription: SubscriptionView; secret: string }> {
    const signers = this.requireSigners();
    const tenantId = this.tenantFor(caller, input.tenantId);
    this.checkUrl(input.url);
    this.checkEventTypes(input.eventTypes);
    const now = this.clock();
    const record: SubscriptionRecord = {
      id: this.newId('whsub'),
      tenantId,
      url: input.url,
      description: input.description,
      eventTypes: input.eventTypes,
      enabled: input.enabled,
      disabledReason: input.enabled ? null : 'manual',
      disabledAt: input.enabled ? null : now,
      breaker: { state: 'closed', consecutiveFailures: 0, openUntil: null, failingSince: null },
      createdAt: now,
      updatedAt: now,
    };
    const secret = newWebhookSecret();
    await this.uow.transaction(async (m) => {
      await this.repository.insertSubscription(m, record);
      await this.repository.insertSecret(m, record.id, 1, signers.seal(record.id, 1, secret), now);
    });
    this.subscriptionCache.invalidate(tenantId, 'local');
    this.log.info({ subscriptionId: record.id, tenantId }, 'webhook subscription created');
    return { subscription: subscriptionView(record), secret };
  }

  async list(caller: Principal, tenantId: string | undefined): Promise<SubscriptionView[]> {
    const scope = caller.kind === 'property-system' ? this.tenantFor(caller, tenantId) : tenantId;
    if (scope !== undefined) assertTenantAccess(caller, { tenantId: scope });
    const rows = await this.uow.read((m) => this.repository.listSubscriptions(m, scope));
    return rows.filter((s) => canAccessTenant(caller, { tenantId: s.tenantId })).map(subscriptionView);
  }

  async get(caller: Principal, id: string): Promise<SubscriptionView> {
    return subscriptionView(await this.uow.read((m) => this.load(m, caller, id)));
  }

  async update(caller: Principal, id: string, input: UpdateSubscriptionInput): Promise<SubscriptionView> {
    if (input.url !== undefined) this.checkUrl(input.url);
    if (input.eventTypes !== undefined) this.checkEventTypes(input.eventTypes);
    const updated = await this.uow.transaction(async (m) => {
      await this.load(m, caller, id, true);
      await this.repository.updateSubscription(m, id, { ...input, disabledReason: 'manual' }, this.clock());
      return (await this.repository.findSubscription(m, id))!;
    });
    this.subscriptionCache.invalidate(updated.tenantId, 'local');
    this.log.info({ subscriptionId: id, tenantId: updated.tenantId }, 'webhook subscription updated');
    return subscriptionView(updated);
  }

  async remove(caller: Principal, id: string): Promise<void> {
    const { tenantId } = await this.uow.transaction(async (m) => {
      const current = await this.load(m, caller, id, true);
      await this.repository.deleteSubscription(m, id);
      return current;
    });
    this.subscriptionCache.invalidate(tenantId, 'local');
    this.log.info({ subscriptionId: id }, 'webhook subscription deleted');
  }

  /**
   * A new secret, shown this once. The previous one keeps signing (a second `v1,` signature) until
   * the overlap ends, so the subscriber can switch without losing a delivery.
   */
  async rotateSecret(
    caller: Principal,
    id: string,
  ): Promise<{ secret: string; previousSecretExpiresAt: string }> {
    const signers = this.requireSigners();
    const secret = newWebhookSecret();
    const now = this.clock();
    const until = new Date(now.getTime() + this.config.webhookSecretOverlapMs);
    await this.uow.transaction(async (m) => {
      await this.load(m, caller, id, true);
      const previous = await this.repository.retireCurrentSecret(m, id, until);
      await this.repository.insertSecret(m, id, previous + 1, signers.seal(id, previous + 1, secret), now);
    });
    this.log.info({ subscriptionId: id }, 'webhook secret rotated');
    return { secret, previousSecretExpiresAt: until.toISOString() };
  }

  /** Re-enables a disabled (e.g. auto-disabled) subscription with a fresh breaker; its waiting deliveries resume. */
  async enable(caller: Principal, id: string): Promise<SubscriptionView> {
    const updated = await this.uow.transaction(async (m) => {
      const current = await this.load(m, caller, id, true);
      if (current.enabled) throw new SubscriptionNotDisabledError(id);
      await this.repository.updateSubscription(m, id, { enabled: true }, this.clock());
      return (await this.repository.findSubscription(m, id))!;
    });
    this.subscriptionCache.invalidate(updated.tenantId, 'local');
    this.log.info({ subscriptionId: id }, 'webhook subscription re-enabled');
    return subscriptionView(updated);
  }

  async deliveries(
    caller: Principal,
    subscriptionId: string,
    query: DeliveryQuery,
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    return this.uow.read(async (m) => {
      await this.load(m, caller, subscriptionId);
      const rows = await this.repository.listDeliveries(m, {
        subscriptionId,
        status: query.status,
        eventType: query.eventType,
        parcelId: query.parcelId,
        before: query.cursor,
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const attempts = await this.repository.attemptsOf(
        m,
        page.map((d) => d.id),
      );
      return {
        items: page.map((d) =>
          deliveryView(
            d,
            attempts.filter((a) => a.deliveryId === d.id),
          ),
        ),
        nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
      };
    });
  }

  async delivery(caller: Principal, deliveryId: string): Promise<DeliveryView> {
    return this.uow.read(async (m) => {
      const d = await this.loadDelivery(m, caller, deliveryId);
      return deliveryView(d, await this.repository.attemptsOf(m, [d.id]));
    });
  }

  async replayDelivery(caller: Principal, deliveryId: string): Promise<{ queued: number }> {
    const queued = await this.uow.transaction(async (m) => {
      const d = await this.loadDelivery(m, caller, deliveryId);
      return this.repository.replay(m, { subscriptionId: d.subscriptionId, deliveryId }, this.clock(), 1);
    });
    this.log.info({ deliveryId, queued }, 'webhook delivery replayed');
    return { queued };
  }

  async replayRange(
    caller: Principal,
    subscriptionId: string,
    range: { from: Date; to: Date },
  ): Promise<{ queued: number }> {
    const queued = await this.uow.transaction(async (m) => {
      await this.load(m, caller, subscriptionId);
      return this.repository.replay(m, { subscriptionId, ...range }, this.clock(), MAX_REPLAY);
    });
    this.log.info({ subscriptionId, queued }, 'webhook deliveries replayed');
    return { queued };
  }

  async notices(caller: Principal, tenantId: string | undefined, limit: number): Promise<NoticeRecord[]> {
    const scope = caller.kind === 'property-system' ? this.tenantFor(caller, tenantId) : tenantId;
    if (scope !== undefined) assertTenantAccess(caller, { tenantId: scope });
    return this.uow.read((m) => this.repository.listNotices(m, scope, limit));
  }

  /** The tenant a call acts on: the key's own (naming another is tenant_mismatch), or the operator's choice. */
  private tenantFor(caller: Principal, requested: string | undefined): string {
    if (caller.kind === 'property-system') {
      if (requested !== undefined) assertTenantAccess(caller, { tenantId: requested });
      return caller.tenantId;
    }
    if (requested === undefined) throw new TenantRequiredError();
    assertTenantAccess(caller, { tenantId: requested });
    return requested;
  }

  /** Another tenant's subscription answers 404 like a missing one: ids do not reveal other tenants. */
  private async load(m: EntityManager, caller: Principal, id: string, forUpdate = false) {
    const s = await this.repository.findSubscription(m, id, forUpdate);
    if (!s || !canAccessTenant(caller, { tenantId: s.tenantId })) throw new SubscriptionNotFoundError(id);
    return s;
  }

  private async loadDelivery(m: EntityManager, caller: Principal, id: string) {
    const d = await this.repository.findDelivery(m, id);
    if (!d || !canAccessTenant(caller, { tenantId: d.tenantId })) throw new DeliveryNotFoundError(id);
    return d;
  }

  private checkUrl(url: string): void {
    const checked = checkWebhookUrl(url, this.targets);
    if (!checked.ok) throw new WebhookUrlRejectedError(checked.problem);
  }

  private checkEventTypes(types: readonly string[]): void {
    types.forEach((t, i) => {
      if (!isKnownFilter(t)) throw new UnknownEventTypeError(`eventTypes.${i}`, ALL_WEBHOOK_EVENT_TYPES);
    });
  }

  private requireSigners(): WebhookSigners {
    if (!this.signers) throw new WebhooksNotConfiguredError();
    return this.signers;
  }
}
