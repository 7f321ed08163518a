import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  DAMAGE_REASONS,
  INCIDENT_CONFIRMED,
  LOSS_REASONS,
  type ClaimAggregateRow,
  type LaneFilter,
  type Period,
  type TrackedRow,
} from './scorecard';

export interface ScorecardScope {
  /** null: every tenant (operators, and the gauges). */
  readonly tenantId: string | null;
  readonly period: Period;
  readonly carrierCode?: string | undefined;
  readonly lane?: LaneFilter | undefined;
}

/** WHERE over the cohort (claims_parcels as p) and its parameters, from $1. */
function cohort(s: ScorecardScope): { where: string; params: unknown[] } {
  const params: unknown[] = [s.period.from, s.period.to];
  const where = ['p.first_seen_at >= $1', 'p.first_seen_at < $2'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (s.tenantId !== null) add((n) => `p.tenant_id = ${n}`, s.tenantId);
  if (s.carrierCode) add((n) => `p.carrier_code = ${n}`, s.carrierCode);
  if (s.lane) {
    for (const [column, value] of [
      ['origin_country_code', s.lane.originCountryCode],
      ['destination_country_code', s.lane.destinationCountryCode],
    ] as const) {
      if (value === null) where.push(`p.${column} IS NULL`);
      else add((n) => `p.${column} = ${n}`, value);
    }
  }
  return { where: where.join(' AND '), params };
}

const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
const LOSS = `c.reason IN (${list(LOSS_REASONS)})`;
const DAMAGE = `c.reason IN (${list(DAMAGE_REASONS)})`;
const CONFIRMED = `c.close_reason IN (${list(INCIDENT_CONFIRMED)})`;
const SECONDS_TO_CLOSE = `extract(epoch FROM c.closed_at - c.opened_at)`;
// a parcel is counted once per rate, whatever number of claims it had; (tenant, parcel) is its key
const PARCEL = `c.tenant_id || ' ' || c.parcel_id`;

/**
 * The SQL of both aggregations for a scope (exported so the benchmark EXPLAINs exactly these).
 * `tracked`: the cohort's size per carrier and lane; `claims`: its claims aggregated the same way.
 */
export function scorecardQueries(s: ScorecardScope): { tracked: string; claims: string; params: unknown[] } {
  const { where, params } = cohort(s);
  return {
    tracked: `SELECT p.carrier_code, p.origin_country_code, p.destination_country_code, count(*)::int AS parcels
         FROM claims_parcels p
        WHERE ${where}
        GROUP BY 1, 2, 3`,
    claims: `SELECT p.carrier_code, p.origin_country_code, p.destination_country_code,
            count(DISTINCT ${PARCEL}) FILTER (WHERE ${LOSS} AND ${CONFIRMED})::int AS lost,
            count(DISTINCT ${PARCEL}) FILTER (WHERE ${LOSS} AND c.closed_at IS NULL)::int AS loss_pending,
            count(DISTINCT ${PARCEL}) FILTER (WHERE ${DAMAGE} AND ${CONFIRMED})::int AS damaged,
            count(DISTINCT ${PARCEL}) FILTER (WHERE ${DAMAGE} AND c.closed_at IS NULL)::int AS damage_pending,
            count(*) FILTER (WHERE c.outcome = 'approved')::int AS approved,
            count(*) FILTER (WHERE c.outcome = 'partially_approved')::int AS partially_approved,
            count(*) FILTER (WHERE c.outcome = 'rejected')::int AS rejected,
            count(*) FILTER (WHERE ${CONFIRMED})::int AS resolved,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ${SECONDS_TO_CLOSE}) FILTER (WHERE ${CONFIRMED}) AS median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY ${SECONDS_TO_CLOSE}) FILTER (WHERE ${CONFIRMED}) AS p90
       FROM claims_claims c
       -- claims drive: one primary-key lookup per claim (OFFSET 0 keeps the subquery from being
       -- flattened into a hash join that would read the whole cohort, ~0.5 M rows for 30 days)
       JOIN LATERAL (SELECT p.carrier_code, p.origin_country_code, p.destination_country_code
                       FROM claims_parcels p
                      WHERE p.tenant_id = c.tenant_id AND p.parcel_id = c.parcel_id AND ${where}
                     OFFSET 0) p ON true
      -- pruning only: a claim opens after its parcel was first seen, so none older than the period
      -- belongs to the cohort (claims_claims_scorecard_idx serves the tenant's range)
      WHERE c.opened_at >= $1 ${s.tenantId !== null ? 'AND c.tenant_id = $3' : ''}
      GROUP BY 1, 2, 3`,
    params,
  };
}

/**
 * The two aggregations behind a scorecard, both GROUP BY carrier, origin, destination in Postgres:
 * the cohort's size (an index-only scan of claims_parcels_scorecard_*_idx) and its claims (the
 * cohort's claims, each joined to its parcel by primary key). No claim is loaded into memory.
 */
@Injectable()
export class ScorecardRepository {
  async tracked(m: EntityManager, s: ScorecardScope): Promise<TrackedRow[]> {
    const q = scorecardQueries(s);
    const rows = (await m.query(q.tracked, q.params)) as Array<{
      carrier_code: string;
      origin_country_code: string | null;
      destination_country_code: string | null;
      parcels: number;
    }>;
    return rows.map((r) => ({
      carrierCode: r.carrier_code,
      originCountryCode: r.origin_country_code,
      destinationCountryCode: r.destination_country_code,
      parcels: r.parcels,
    }));
  }

  async claims(m: EntityManager, s: ScorecardScope): Promise<ClaimAggregateRow[]> {
    const q = scorecardQueries(s);
    const rows = (await m.query(q.claims, q.params)) as Array<{
      carrier_code: string;
      origin_country_code: string | null;
      destination_country_code: string | null;
      lost: number;
      loss_pending: number;
      damaged: number;
      damage_pending: number;
      approved: number;
      partially_approved: number;
      rejected: number;
      resolved: number;
      median: number | null;
      p90: number | null;
    }>;
    return rows.map((r) => ({
      carrierCode: r.carrier_code,
      originCountryCode: r.origin_country_code,
      destinationCountryCode: r.destination_country_code,
      lostParcels: r.lost,
      lossPendingParcels: r.loss_pending,
      damagedParcels: r.damaged,
      damagePendingParcels: r.damage_pending,
      approved: r.approved,
      partiallyApproved: r.partially_approved,
      rejected: r.rejected,
      resolvedClaims: r.resolved,
      resolveMedianSeconds: r.median === null ? null : Number(r.median),
      resolveP90Seconds: r.p90 === null ? null : Number(r.p90),
    }));
  }
}
