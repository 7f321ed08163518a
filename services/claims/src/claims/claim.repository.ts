import { Injectable } from '@nestjs/common';
import type { Principal } from '@portico/auth';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { Money } from '../parcels/parcel';
import type { ServiceLevels } from '../settings/claim-settings';
import type { Claim, ClaimTransition } from './claim';
import type { ClaimState } from './claim-state';
import { claimNotFound } from './claim-errors';
import { mayAccess } from '../shared/callers';

interface ClaimRow {
  id: string;
  tenant_id: string;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  property_id: string | null;
  lane: string;
  reason: Claim['reason'];
  origin: Claim['origin'];
  rule_id: string;
  incident_key: string;
  trigger_event_id: string;
  state: ClaimState;
  version: number;
  service_levels: ServiceLevels;
  default_decision: Claim['defaultDecision'];
  last_scan_at: Date | null;
  opened_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  close_reason: Claim['closeReason'];
  acknowledged_at: Date | null;
  explained_at: Date | null;
  assessed_at: Date | null;
  decision: Claim['decision'];
  decision_defaulted: boolean | null;
  decision_due_at: Date | null;
  outcome: Claim['outcome'];
  granted_minor: string | null;
  granted_currency: string | null;
  resolved_at: Date | null;
  opened_by: string | null;
}

function toClaim(r: ClaimRow): Claim {
  const granted: Money | null =
    r.granted_currency && r.granted_minor !== null
      ? { currencyCode: r.granted_currency, amountMinor: BigInt(r.granted_minor) }
      : null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    parcel: { parcelId: r.parcel_id, carrierCode: r.carrier_code, trackingNumber: r.tracking_number },
    propertyId: r.property_id,
    lane: r.lane,
    reason: r.reason,
    origin: r.origin,
    ruleId: r.rule_id,
    incidentKey: r.incident_key,
    triggerEventId: r.trigger_event_id,
    state: r.state,
    version: r.version,
    serviceLevels: r.service_levels,
    defaultDecision: r.default_decision,
    lastScanAt: r.last_scan_at,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    closeReason: r.close_reason,
    acknowledgedAt: r.acknowledged_at,
    explainedAt: r.explained_at,
    assessedAt: r.assessed_at,
    decision: r.decision,
    decisionDefaulted: r.decision_defaulted,
    decisionDueAt: r.decision_due_at,
    outcome: r.outcome,
    granted,
    resolvedAt: r.resolved_at,
    openedBy: r.opened_by,
  };
}

/** Mutable columns, in the order of the UPDATE below. */
function mutable(c: Claim): unknown[] {
  return [
    c.state,
    c.version,
    c.propertyId,
    c.updatedAt,
    c.closedAt,
    c.closeReason,
    c.acknowledgedAt,
    c.explainedAt,
    c.assessedAt,
    c.decision,
    c.decisionDefaulted,
    c.decisionDueAt,
    c.outcome,
    c.granted ? c.granted.amountMinor.toString() : null,
    c.granted?.currencyCode ?? null,
    c.resolvedAt,
  ];
}

/** All SQL for claims and their history; every method takes the transaction it is given. */
/** The key of findByIncidents' map. */
export const incidentRef = (tenantId: string, parcelId: string, incidentKey: string) =>
  `${tenantId} ${parcelId} ${incidentKey}`;

@Injectable()
export class ClaimRepository {
  /**
   * Inserts a new claim unless the parcel already has one for this incident or an open one
   * (the two unique indexes): false then, and nothing was written.
   */
  async insert(m: EntityManager, c: Claim): Promise<boolean> {
    return (await this.insertMany(m, [c])).has(c.id);
  }

  /**
   * insert() for several claims in one statement (a sweep of due detection timers). ON CONFLICT DO
   * NOTHING also skips a row that conflicts with one inserted earlier in the same statement (two
   * incidents of one parcel in one batch: the first opens, the second will join it).
   * @returns the ids that were inserted.
   */
  async insertMany(m: EntityManager, cs: readonly Claim[]): Promise<Set<string>> {
    if (cs.length === 0) return new Set();
    const COLUMNS = 21;
    const values = cs.map((_, r) => {
      const n = (k: number) => `$${r * COLUMNS + k}`;
      return `(${Array.from({ length: COLUMNS }, (_, k) => (k === 14 ? `${n(15)}::jsonb` : n(k + 1))).join(',')})`;
    });
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `INSERT INTO claims_claims (id, tenant_id, parcel_id, carrier_code, tracking_number, property_id, lane,
         reason, origin, rule_id, incident_key, trigger_event_id, state, version, service_levels,
         default_decision, last_scan_at, opened_at, updated_at, acknowledged_at, opened_by)
       VALUES ${values.join(',\n')}
       ON CONFLICT DO NOTHING
       RETURNING id`,
        cs.flatMap((c) => [
          c.id,
          c.tenantId,
          c.parcel.parcelId,
          c.parcel.carrierCode,
          c.parcel.trackingNumber,
          c.propertyId,
          c.lane,
          c.reason,
          c.origin,
          c.ruleId,
          c.incidentKey,
          c.triggerEventId,
          c.state,
          c.version,
          JSON.stringify(c.serviceLevels),
          c.defaultDecision,
          c.lastScanAt,
          c.openedAt,
          c.updatedAt,
          c.acknowledgedAt,
          c.openedBy,
        ]),
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Optimistic write: false when another transaction changed the claim since `expectedVersion`. */
  async save(m: EntityManager, c: Claim, expectedVersion: number): Promise<boolean> {
    const rows = returnedRows(
      await m.query(
        `UPDATE claims_claims SET state = $1, version = $2, property_id = $3, updated_at = $4, closed_at = $5,
         close_reason = $6, acknowledged_at = $7, explained_at = $8, assessed_at = $9, decision = $10,
         decision_defaulted = $11, decision_due_at = $12, outcome = $13, granted_minor = $14,
         granted_currency = $15, resolved_at = $16
       WHERE id = $17 AND version = $18
       RETURNING id`,
        [...mutable(c), c.id, expectedVersion],
      ),
    );
    return rows.length === 1;
  }

  /** One statement for any number of transitions; WITH ORDINALITY keeps their ids in the given order. */
  async addTransitions(m: EntityManager, transitions: readonly ClaimTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    const ts = transitions;
    await m.query(
      `INSERT INTO claims_claim_transitions (claim_id, from_state, to_state, at, cause, actor_id, cause_event_id)
       SELECT claim_id, from_state, to_state, at, cause, actor_id, cause_event_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
              WITH ORDINALITY AS t(claim_id, from_state, to_state, at, cause, actor_id, cause_event_id, n)
        ORDER BY n`,
      [
        ts.map((t) => t.claimId),
        ts.map((t) => t.from),
        ts.map((t) => t.to),
        ts.map((t) => t.at),
        ts.map((t) => t.cause),
        ts.map((t) => t.actorId),
        ts.map((t) => t.causeEventId),
      ],
    );
  }

  async findById(m: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<Claim | undefined> {
    const rows = (await m.query(
      `SELECT * FROM claims_claims WHERE id = $1 ${opts.lock ? 'FOR UPDATE' : ''}`,
      [id],
    )) as ClaimRow[];
    return rows[0] ? toClaim(rows[0]) : undefined;
  }

  /**
   * The claim as `caller` may see it, or 404 `claim_not_found` — also for another tenant's (or,
   * for a steward, another property's) claim, so its existence is not disclosed.
   */
  async findVisible(
    m: EntityManager,
    caller: Principal,
    id: string,
    opts: { lock?: boolean } = {},
  ): Promise<Claim> {
    const c = await this.findById(m, id, opts);
    if (!c || !mayAccess(caller, c.tenantId, c.propertyId)) throw claimNotFound(id);
    return c;
  }

  async findOpenForParcel(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    opts: { lock?: boolean } = {},
  ): Promise<Claim | undefined> {
    const rows = (await m.query(
      `SELECT * FROM claims_claims WHERE tenant_id = $1 AND parcel_id = $2 AND closed_at IS NULL
       ${opts.lock ? 'FOR UPDATE' : ''}`,
      [tenantId, parcelId],
    )) as ClaimRow[];
    return rows[0] ? toClaim(rows[0]) : undefined;
  }

  /** findByIncident for several incidents in one query, keyed by incidentRef(). */
  async findByIncidents(
    m: EntityManager,
    refs: ReadonlyArray<{ tenantId: string; parcelId: string; incidentKey: string }>,
  ): Promise<Map<string, Claim>> {
    if (refs.length === 0) return new Map();
    const rows = (await m.query(
      `SELECT * FROM claims_claims
        WHERE (tenant_id, parcel_id, incident_key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
      [refs.map((r) => r.tenantId), refs.map((r) => r.parcelId), refs.map((r) => r.incidentKey)],
    )) as ClaimRow[];
    return new Map(rows.map((r) => [incidentRef(r.tenant_id, r.parcel_id, r.incident_key), toClaim(r)]));
  }

  async findByIncident(m: EntityManager, tenantId: string, parcelId: string, incidentKey: string) {
    const rows = (await m.query(
      `SELECT * FROM claims_claims WHERE tenant_id = $1 AND parcel_id = $2 AND incident_key = $3`,
      [tenantId, parcelId, incidentKey],
    )) as ClaimRow[];
    return rows[0] ? toClaim(rows[0]) : undefined;
  }

  async listForParcel(m: EntityManager, tenantId: string | null, parcelId: string): Promise<Claim[]> {
    const rows = (await m.query(
      `SELECT * FROM claims_claims WHERE parcel_id = $1 AND ($2::text IS NULL OR tenant_id = $2)
       ORDER BY opened_at DESC`,
      [parcelId, tenantId],
    )) as ClaimRow[];
    return rows.map(toClaim);
  }

  async listOpen(m: EntityManager, tenantId: string, limit: number): Promise<Claim[]> {
    const rows = (await m.query(
      `SELECT * FROM claims_claims WHERE tenant_id = $1 AND closed_at IS NULL ORDER BY opened_at LIMIT $2`,
      [tenantId, limit],
    )) as ClaimRow[];
    return rows.map(toClaim);
  }

  async setPropertyForParcel(m: EntityManager, tenantId: string, parcelId: string, propertyId: string) {
    await m.query(
      `UPDATE claims_claims SET property_id = $3, version = version + 1
       WHERE tenant_id = $1 AND parcel_id = $2 AND closed_at IS NULL AND property_id IS DISTINCT FROM $3`,
      [tenantId, parcelId, propertyId],
    );
  }

  async history(m: EntityManager, claimId: string): Promise<ClaimTransition[]> {
    const rows = (await m.query(`SELECT * FROM claims_claim_transitions WHERE claim_id = $1 ORDER BY id`, [
      claimId,
    ])) as Array<{
      claim_id: string;
      from_state: ClaimState | null;
      to_state: ClaimState;
      at: Date;
      cause: ClaimTransition['cause'];
      actor_id: string | null;
      cause_event_id: string | null;
    }>;
    return rows.map((r) => ({
      claimId: r.claim_id,
      from: r.from_state,
      to: r.to_state,
      at: r.at,
      cause: r.cause,
      actorId: r.actor_id,
      causeEventId: r.cause_event_id,
    }));
  }
}
