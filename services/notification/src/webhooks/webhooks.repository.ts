import { Injectable } from '@nestjs/common';
import type { SealedSecret } from '@portico/auth';
import { returnedRows, withPlanMethodsOff } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { BreakerState, CircuitState } from './circuit-breaker';

export type DisabledReason = 'manual' | 'failing';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface SubscriptionRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  readonly disabledReason: DisabledReason | null;
  readonly disabledAt: Date | null;
  readonly breaker: BreakerState;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface SubscriptionPatch {
  readonly url?: string;
  readonly description?: string;
  readonly eventTypes?: readonly string[];
  readonly enabled?: boolean;
  readonly disabledReason?: DisabledReason | null;
}

export interface StoredSecret {
  readonly subscriptionId: string;
  readonly version: number;
  readonly sealed: SealedSecret;
  readonly expiresAt: Date | null;
}

export interface NewDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly parcelId: string;
  readonly orderingKey: string;
  readonly body: string;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  readonly occurredAt: Date;
  readonly createdAt: Date;
}

/** A delivery a worker holds until `claimedUntil` (its lease) under `claimToken`. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly eventType: string;
  readonly parcelId: string;
  readonly body: string;
  readonly attempts: number;
  readonly roundFailures: number;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  readonly claimToken: string;
}

/** What one finished attempt changes. */
export interface SettledAttempt {
  readonly deliveryId: string;
  readonly claimToken: string;
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly errorCode: string | null;
  readonly succeeded: boolean;
  readonly status: DeliveryStatus;
  readonly roundFailures: number;
  readonly nextAttemptAt: Date;
  readonly completedAt: Date | null;
}

export interface DeliveryRecord {
  readonly id: string;
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly parcelId: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatusCode: number | null;
  readonly lastErrorCode: string | null;
  readonly occurredAt: Date;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
  readonly replays: number;
}

export interface AttemptRecord {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly errorCode: string | null;
  readonly succeeded: boolean;
}

export interface DeliveryFilter {
  readonly subscriptionId: string;
  readonly status?: DeliveryStatus;
  readonly eventType?: string;
  readonly parcelId?: string;
  /** Only deliveries older (smaller id) than this one: the cursor. */
  readonly before?: string;
  readonly limit: number;
}

export interface NoticeRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly kind: 'subscription_auto_disabled';
  readonly details: Record<string, unknown>;
  readonly createdAt: Date;
}

type Row = Record<string, unknown>;

/** Rows of any statement (TypeORM answers UPDATE … RETURNING with `[rows, count]`). */
async function select(m: EntityManager, sql: string, parameters: unknown[]): Promise<Row[]> {
  return returnedRows<Row>(await m.query(sql, parameters));
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

function subscriptionOf(r: Row): SubscriptionRecord {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    url: r.url as string,
    description: r.description as string,
    eventTypes: r.event_types as string[],
    enabled: r.enabled as boolean,
    disabledReason: (r.disabled_reason as DisabledReason | null) ?? null,
    disabledAt: date(r.disabled_at),
    breaker: breakerOf(r),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

function breakerOf(r: Row): BreakerState {
  return {
    state: r.circuit_state as CircuitState,
    consecutiveFailures: r.consecutive_failures as number,
    openUntil: date(r.circuit_open_until),
    failingSince: date(r.failing_since),
  };
}

function deliveryOf(r: Row): DeliveryRecord {
  return {
    id: r.id as string,
    subscriptionId: r.subscription_id as string,
    tenantId: r.tenant_id as string,
    eventId: r.event_id as string,
    eventType: r.event_type as string,
    parcelId: r.parcel_id as string,
    status: r.status as DeliveryStatus,
    attempts: r.attempts as number,
    nextAttemptAt: date(r.next_attempt_at)!,
    lastStatusCode: (r.last_status_code as number | null) ?? null,
    lastErrorCode: (r.last_error_code as string | null) ?? null,
    occurredAt: date(r.occurred_at)!,
    createdAt: date(r.created_at)!,
    completedAt: date(r.completed_at),
    replays: r.replays as number,
  };
}

const SUBSCRIPTION_COLUMNS = `id, tenant_id, url, description, event_types, enabled, disabled_reason, disabled_at,
  circuit_state, circuit_open_until, consecutive_failures, failing_since, created_at, updated_at`;
const DELIVERY_COLUMNS = `id, subscription_id, tenant_id, event_id, event_type, parcel_id, status, attempts,
  next_attempt_at, last_status_code, last_error_code, occurred_at, created_at, completed_at, replays`;

/**
 * The head rule of per-parcel ordering, shared by both claims: a delivery may go only when no
 * earlier delivery of the same subscription and ordering key is still pending (in flight, or waiting
 * for its retry). A claimed delivery stays `pending` until its outcome is recorded, so another
 * worker's claim sees it and skips everything behind it.
 */
const IS_HEAD = `NOT EXISTS (
  SELECT 1 FROM webhook_deliveries e
   WHERE e.subscription_id = d.subscription_id AND e.ordering_key = d.ordering_key
     AND e.status = 'pending' AND e.seq < d.seq)`;

/** All SQL of webhooks; every method takes the caller's transaction (or the read manager). */
@Injectable()
export class WebhooksRepository {
  // ---- subscriptions -------------------------------------------------------------------------

  async insertSubscription(m: EntityManager, s: SubscriptionRecord): Promise<void> {
    await m.query(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, description, event_types, enabled, disabled_reason,
                                          disabled_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [
        s.id,
        s.tenantId,
        s.url,
        s.description,
        s.eventTypes,
        s.enabled,
        s.disabledReason,
        s.disabledAt,
        s.createdAt,
      ],
    );
  }

  async findSubscription(
    m: EntityManager,
    id: string,
    forUpdate = false,
  ): Promise<SubscriptionRecord | null> {
    const rows: Row[] = await select(
      m,
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? subscriptionOf(rows[0]) : null;
  }

  async listSubscriptions(m: EntityManager, tenantId: string | undefined): Promise<SubscriptionRecord[]> {
    const rows: Row[] = await select(
      m,
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
        WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY tenant_id, id LIMIT 1000`,
      [tenantId ?? null],
    );
    return rows.map(subscriptionOf);
  }

  async updateSubscription(m: EntityManager, id: string, patch: SubscriptionPatch, at: Date): Promise<void> {
    const enabling = patch.enabled === true;
    await m.query(
      `UPDATE webhook_subscriptions SET
         url = COALESCE($2, url),
         description = COALESCE($3, description),
         event_types = COALESCE($4, event_types),
         enabled = COALESCE($5, enabled),
         disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason WHEN $5 THEN NULL ELSE $6 END,
         disabled_at = CASE WHEN $5 IS NULL THEN disabled_at WHEN $5 THEN NULL ELSE COALESCE(disabled_at, $7) END,
         -- enabling starts the breaker afresh (an operator or the tenant says the endpoint works again)
         circuit_state = CASE WHEN $8 THEN 'closed' ELSE circuit_state END,
         circuit_open_until = CASE WHEN $8 THEN NULL ELSE circuit_open_until END,
         consecutive_failures = CASE WHEN $8 THEN 0 ELSE consecutive_failures END,
         failing_since = CASE WHEN $8 THEN NULL ELSE failing_since END,
         updated_at = $7
       WHERE id = $1`,
      [
        id,
        patch.url ?? null,
        patch.description ?? null,
        patch.eventTypes ?? null,
        patch.enabled ?? null,
        patch.disabledReason ?? 'manual',
        at,
        enabling,
      ],
    );
  }

  async deleteSubscription(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [id]);
  }

  /** Enabled subscriptions of a tenant, for the fan-out. */
  async activeSubscriptions(
    m: EntityManager,
    tenantId: string,
  ): Promise<{ id: string; eventTypes: string[] }[]> {
    const rows: Row[] = await select(
      m,
      `SELECT id, event_types FROM webhook_subscriptions WHERE tenant_id = $1 AND enabled`,
      [tenantId],
    );
    return rows.map((r) => ({ id: r.id as string, eventTypes: r.event_types as string[] }));
  }

  // ---- secrets -------------------------------------------------------------------------------

  async insertSecret(
    m: EntityManager,
    subscriptionId: string,
    version: number,
    sealed: SealedSecret,
    at: Date,
  ) {
    await m.query(
      `INSERT INTO webhook_secrets (subscription_id, version, key_id, nonce, ciphertext, auth_tag, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [subscriptionId, version, sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.authTag, at],
    );
  }

  /** Ends the overlap of the current secret at `until` (a rotation); returns its version. */
  async retireCurrentSecret(m: EntityManager, subscriptionId: string, until: Date): Promise<number> {
    // Secrets already retired by an earlier rotation end no later than the new overlap either.
    await m.query(
      `UPDATE webhook_secrets SET expires_at = LEAST(expires_at, $2)
        WHERE subscription_id = $1 AND expires_at IS NOT NULL`,
      [subscriptionId, until],
    );
    const rows: Row[] = await select(
      m,
      `UPDATE webhook_secrets SET expires_at = $2
        WHERE subscription_id = $1 AND expires_at IS NULL RETURNING version`,
      [subscriptionId, until],
    );
    return (rows[0]?.version as number | undefined) ?? 0;
  }

  /** Secrets that still sign at `now`, newest first, for each of the subscriptions. */
  async signingSecrets(
    m: EntityManager,
    subscriptionIds: readonly string[],
    now: Date,
  ): Promise<StoredSecret[]> {
    const rows: Row[] = await select(
      m,
      `SELECT subscription_id, version, key_id, nonce, ciphertext, auth_tag, expires_at FROM webhook_secrets
        WHERE subscription_id = ANY($1) AND (expires_at IS NULL OR expires_at > $2)
        ORDER BY subscription_id, version DESC`,
      [subscriptionIds, now],
    );
    return rows.map((r) => ({
      subscriptionId: r.subscription_id as string,
      version: r.version as number,
      sealed: {
        keyId: r.key_id as string,
        nonce: r.nonce as Buffer,
        ciphertext: r.ciphertext as Buffer,
        authTag: r.auth_tag as Buffer,
      },
      expiresAt: date(r.expires_at),
    }));
  }

  // ---- fan-out -------------------------------------------------------------------------------

  /**
   * Inserts the fan-out's deliveries, in the given order (the per-parcel delivery order); a
   * subscription that already has the event gets none. The subscriptions come from a cache, so one
   * may have been deleted or disabled since: it gets nothing, and the chunk does not fail on the
   * foreign key. FOR KEY SHARE (the lock the foreign-key check takes anyway) makes the EXISTS judge
   * the row's latest committed version, waiting for a delete or disable in flight; without it a
   * delete committed during this statement passes the EXISTS (its snapshot is older) and then fails
   * the foreign-key check, which looks at the latest version.
   */
  async insertDeliveries(m: EntityManager, rows: readonly NewDelivery[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted: Row[] = await select(
      m,
      `INSERT INTO webhook_deliveries (id, subscription_id, tenant_id, event_id, event_type, parcel_id, ordering_key,
                                       body, next_attempt_at, traceparent, tracestate, occurred_at, created_at)
       SELECT v.id, v.subscription_id, v.tenant_id, v.event_id, v.event_type, v.parcel_id, v.ordering_key, v.body,
              v.next_attempt_at, v.traceparent, v.tracestate, v.occurred_at, v.created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[])
              WITH ORDINALITY AS v(id, subscription_id, tenant_id, event_id, event_type, parcel_id, ordering_key,
                                   body, next_attempt_at, traceparent, tracestate, occurred_at, created_at, n)
        WHERE EXISTS (SELECT 1 FROM webhook_subscriptions s
                       WHERE s.id = v.subscription_id AND s.tenant_id = v.tenant_id AND s.enabled
                         FOR KEY SHARE)
        ORDER BY v.n
       ON CONFLICT (subscription_id, event_id) DO NOTHING
       RETURNING id`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.subscriptionId),
        rows.map((r) => r.tenantId),
        rows.map((r) => r.eventId),
        rows.map((r) => r.eventType),
        rows.map((r) => r.parcelId),
        rows.map((r) => r.orderingKey),
        rows.map((r) => r.body),
        rows.map((r) => r.createdAt),
        rows.map((r) => r.traceparent),
        rows.map((r) => r.tracestate),
        rows.map((r) => r.occurredAt),
        rows.map((r) => r.createdAt),
      ],
    );
    return inserted.length;
  }

  // ---- the worker's claim ----------------------------------------------------------------------

  /**
   * Open circuits whose cool-down has passed (and half-open ones whose probe was lost with its
   * worker) become half-open with a probe lease until `leaseUntil`, when they have a delivery due.
   */
  async promoteProbes(m: EntityManager, now: Date, leaseUntil: Date): Promise<string[]> {
    const rows: Row[] = await select(
      m,
      `UPDATE webhook_subscriptions s SET circuit_state = 'half_open', circuit_open_until = $2
        WHERE s.enabled AND s.circuit_state IN ('open', 'half_open') AND s.circuit_open_until <= $1
          AND EXISTS (SELECT 1 FROM webhook_deliveries d
                       WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= $1)
        RETURNING s.id`,
      [now, leaseUntil],
    );
    return rows.map((r) => r.id as string);
  }

  /** A probe that found nothing to send: open again, due at once. */
  async reopenProbe(m: EntityManager, subscriptionId: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE webhook_subscriptions SET circuit_state = 'open', circuit_open_until = $2
        WHERE id = $1 AND circuit_state = 'half_open'`,
      [subscriptionId, now],
    );
  }

  /**
   * Claims up to `limit` due deliveries that head their (subscription, parcel) line, of enabled
   * subscriptions with a closed circuit, or exactly the probe of one half-open subscription.
   * SKIP LOCKED keeps concurrent claimers apart; the lease makes a crashed worker's claims due again.
   */
  async claim(
    m: EntityManager,
    input: { now: Date; leaseUntil: Date; token: string; limit: number; probeOf?: string },
  ): Promise<ClaimedDelivery[]> {
    // Without fresh statistics (a fan-out burst outruns autovacuum's ANALYZE) the planner guesses the
    // subscription has a handful of pending rows and walks all of them through the head index, then
    // sorts: O(backlog) per claim. With sorting off it must read webhook_deliveries_due_order in the
    // ORDER BY's own order and stops at the LIMIT: the plan it picks anyway once the statistics are
    // right. Scoped to this statement: the setting is restored right after.
    const rows: Row[] = await withPlanMethodsOff(m, ['sort'], () =>
      select(
        m,
        `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
           JOIN webhook_subscriptions s ON s.id = d.subscription_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= $1
            AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
            AND s.enabled
            AND (CASE WHEN $5::text IS NULL THEN s.circuit_state = 'closed' ELSE s.id = $5 END)
            AND ${IS_HEAD}
          ORDER BY d.next_attempt_at, d.seq
          LIMIT $4
          FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries d SET claimed_until = $2, claim_token = $3
         FROM due, webhook_subscriptions s
        WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, s.url, d.event_type, d.parcel_id, d.body, d.attempts, d.round_failures,
                 d.traceparent, d.tracestate`,
        [input.now, input.leaseUntil, input.token, input.limit, input.probeOf ?? null],
      ),
    );
    return rows.map((r) => ({
      id: r.id as string,
      subscriptionId: r.subscription_id as string,
      url: r.url as string,
      eventType: r.event_type as string,
      parcelId: r.parcel_id as string,
      body: r.body as string,
      attempts: r.attempts as number,
      roundFailures: r.round_failures as number,
      traceparent: (r.traceparent as string | null) ?? null,
      tracestate: (r.tracestate as string | null) ?? null,
      claimToken: input.token,
    }));
  }

  /**
   * Records finished attempts. Only rows still held under the attempt's claim are changed: when a
   * lease ran out and another worker took the delivery, that worker's outcome is the one that counts.
   * Returns the ids that were recorded.
   */
  async settle(m: EntityManager, settled: readonly SettledAttempt[]): Promise<Set<string>> {
    if (settled.length === 0) return new Set();
    const updated: Row[] = await select(
      m,
      `UPDATE webhook_deliveries d SET
         status = v.status, attempts = v.attempt, round_failures = v.round_failures,
         next_attempt_at = v.next_attempt_at, completed_at = v.completed_at,
         last_status_code = v.status_code, last_error_code = v.error_code,
         claimed_until = NULL, claim_token = NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::timestamptz[],
                     $7::timestamptz[], $8::int[], $9::text[])
              AS v(id, token, status, attempt, round_failures, next_attempt_at, completed_at, status_code, error_code)
        WHERE d.id = v.id AND d.claim_token = v.token
       RETURNING d.id`,
      [
        settled.map((s) => s.deliveryId),
        settled.map((s) => s.claimToken),
        settled.map((s) => s.status),
        settled.map((s) => s.attempt),
        settled.map((s) => s.roundFailures),
        settled.map((s) => s.nextAttemptAt),
        settled.map((s) => s.completedAt),
        settled.map((s) => s.statusCode),
        settled.map((s) => s.errorCode),
      ],
    );
    const recorded = new Set(updated.map((r) => r.id as string));
    const attempts = settled.filter((s) => recorded.has(s.deliveryId));
    if (attempts.length > 0) {
      await m.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error_code, succeeded)
         SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::bool[])
         ON CONFLICT DO NOTHING`,
        [
          attempts.map((s) => s.deliveryId),
          attempts.map((s) => s.attempt),
          attempts.map((s) => s.startedAt),
          attempts.map((s) => Math.round(s.durationMs)),
          attempts.map((s) => s.statusCode),
          attempts.map((s) => s.errorCode),
          attempts.map((s) => s.succeeded),
        ],
      );
    }
    return recorded;
  }

  /** Gives claims back without an attempt (the worker is stopping): due again at once. */
  async release(m: EntityManager, claims: readonly { id: string; token: string }[]): Promise<void> {
    if (claims.length === 0) return;
    await m.query(
      `UPDATE webhook_deliveries d SET claimed_until = NULL, claim_token = NULL
         FROM unnest($1::text[], $2::text[]) AS v(id, token)
        WHERE d.id = v.id AND d.claim_token = v.token`,
      [claims.map((c) => c.id), claims.map((c) => c.token)],
    );
  }

  /** The breakers of these subscriptions, locked for the rest of the transaction. */
  lockBreakers(
    m: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, { tenantId: string; enabled: boolean; breaker: BreakerState }>> {
    return this.breakers(m, ids, ' ORDER BY id FOR UPDATE');
  }

  /** The breakers of these subscriptions as committed now, without a lock. */
  readBreakers(
    m: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, { tenantId: string; enabled: boolean; breaker: BreakerState }>> {
    return this.breakers(m, ids, '');
  }

  private async breakers(
    m: EntityManager,
    ids: readonly string[],
    suffix: string,
  ): Promise<Map<string, { tenantId: string; enabled: boolean; breaker: BreakerState }>> {
    const rows: Row[] = await select(
      m,
      `SELECT id, tenant_id, enabled, circuit_state, circuit_open_until, consecutive_failures, failing_since
         FROM webhook_subscriptions WHERE id = ANY($1)${suffix}`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as string,
        { tenantId: r.tenant_id as string, enabled: r.enabled as boolean, breaker: breakerOf(r) },
      ]),
    );
  }

  async saveBreaker(m: EntityManager, id: string, b: BreakerState, disableAt: Date | null): Promise<void> {
    await m.query(
      `UPDATE webhook_subscriptions SET circuit_state = $2, circuit_open_until = $3, consecutive_failures = $4,
              failing_since = $5,
              enabled = CASE WHEN $6::timestamptz IS NULL THEN enabled ELSE false END,
              disabled_reason = CASE WHEN $6::timestamptz IS NULL THEN disabled_reason ELSE 'failing' END,
              disabled_at = COALESCE($6, disabled_at),
              updated_at = COALESCE($6, updated_at)
        WHERE id = $1`,
      [id, b.state, b.openUntil, b.consecutiveFailures, b.failingSince, disableAt],
    );
  }

  // ---- notices -------------------------------------------------------------------------------

  async insertNotice(m: EntityManager, n: NoticeRecord): Promise<void> {
    await m.query(
      `INSERT INTO webhook_notices (id, tenant_id, subscription_id, kind, details, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [n.id, n.tenantId, n.subscriptionId, n.kind, JSON.stringify(n.details), n.createdAt],
    );
  }

  async listNotices(m: EntityManager, tenantId: string | undefined, limit: number): Promise<NoticeRecord[]> {
    const rows: Row[] = await select(
      m,
      `SELECT id, tenant_id, subscription_id, kind, details, created_at FROM webhook_notices
        WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
      [tenantId ?? null, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      tenantId: r.tenant_id as string,
      subscriptionId: r.subscription_id as string,
      kind: r.kind as NoticeRecord['kind'],
      details: r.details as Record<string, unknown>,
      createdAt: date(r.created_at)!,
    }));
  }

  // ---- delivery log and replay -----------------------------------------------------------------

  async listDeliveries(m: EntityManager, f: DeliveryFilter): Promise<DeliveryRecord[]> {
    const rows: Row[] = await select(
      m,
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
        WHERE subscription_id = $1
          AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR event_type = $3)
          AND ($4::text IS NULL OR parcel_id = $4) AND ($5::text IS NULL OR id < $5)
        ORDER BY id DESC LIMIT $6`,
      [
        f.subscriptionId,
        f.status ?? null,
        f.eventType ?? null,
        f.parcelId ?? null,
        f.before ?? null,
        f.limit,
      ],
    );
    return rows.map(deliveryOf);
  }

  async findDelivery(m: EntityManager, id: string): Promise<DeliveryRecord | null> {
    const rows: Row[] = await select(m, `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? deliveryOf(rows[0]) : null;
  }

  async attemptsOf(m: EntityManager, deliveryIds: readonly string[]): Promise<AttemptRecord[]> {
    if (deliveryIds.length === 0) return [];
    const rows: Row[] = await select(
      m,
      `SELECT delivery_id, attempt, started_at, duration_ms, status_code, error_code, succeeded
         FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt`,
      [deliveryIds],
    );
    return rows.map((r) => ({
      deliveryId: r.delivery_id as string,
      attempt: r.attempt as number,
      startedAt: date(r.started_at)!,
      durationMs: r.duration_ms as number,
      statusCode: (r.status_code as number | null) ?? null,
      errorCode: (r.error_code as string | null) ?? null,
      succeeded: r.succeeded as boolean,
    }));
  }

  /**
   * Queues deliveries again with their id (the webhook-id subscribers dedupe on) and body, at once
   * and with a fresh retry schedule. A delivery a worker holds right now is left alone (its attempt
   * is under way). Returns how many were queued.
   */
  async replay(
    m: EntityManager,
    where: { subscriptionId: string; deliveryId?: string; from?: Date; to?: Date },
    now: Date,
    limit: number,
  ): Promise<number> {
    const rows: Row[] = await select(
      m,
      `WITH picked AS (
         SELECT id FROM webhook_deliveries
          WHERE subscription_id = $1 AND ($2::text IS NULL OR id = $2)
            AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
            AND (claimed_until IS NULL OR claimed_until <= $5)
          ORDER BY seq LIMIT $6
          FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d SET status = 'pending', round_failures = 0, next_attempt_at = $5,
              completed_at = NULL, replays = replays + 1
         FROM picked WHERE d.id = picked.id
       RETURNING d.id`,
      [where.subscriptionId, where.deliveryId ?? null, where.from ?? null, where.to ?? null, now, limit],
    );
    return rows.length;
  }

  // ---- gauges ----------------------------------------------------------------------------------

  async backlog(m: EntityManager): Promise<{ pending: number; circuits: Record<CircuitState, number> }> {
    const [pending]: Row[] = await select(
      m,
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'`,
      [],
    );
    const circuits: Row[] = await select(
      m,
      `SELECT circuit_state, count(*)::int AS n FROM webhook_subscriptions WHERE enabled GROUP BY circuit_state`,
      [],
    );
    const byState: Record<CircuitState, number> = { closed: 0, open: 0, half_open: 0 };
    for (const r of circuits) byState[r.circuit_state as CircuitState] = r.n as number;
    return { pending: (pending?.n as number) ?? 0, circuits: byState };
  }
}
