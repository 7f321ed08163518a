import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { namedStatement, queryNamed } from '@portico/messaging';
import type { HoldCounts } from './hold-estimator';
import { cellKeyId, COUNT_SHARDS, type CellKey, type HoldFeatures, type ValueBand } from './hold-features';
import { pairKey, type ChunkWrites } from './hold-prediction-fold';
import type { HoldHistoryState } from './hold-observation';
import type { HistoryRecord } from './predictor-evaluation';

interface HistoryRow {
  carrier_code: string;
  origin_country_code: string;
  destination_country_code: string;
  value_band: ValueBand;
  first_seen_at: Date;
  held_at: Date | null;
  resolved_at: Date | null;
  predicted_at: Date | null;
}

/** The one estimate made for a parcel, stored with its history row. */
export interface StoredPrediction {
  readonly at: Date;
  readonly probability: number;
  readonly modelVersion: string;
  readonly threshold: number;
  /** Set when HoldPredicted was emitted. */
  readonly predictionId: string | null;
}

/** A (tenant, parcel) pair of the chunk. */
export interface HistoryPair {
  readonly tenantId: string;
  readonly parcelId: string;
}

/** lockMany's statement. */
const LOCK_MANY = namedStatement(
  'clearance_hold_history_lock_many_v1',
  `SELECT tenant_id, parcel_id, carrier_code, origin_country_code, destination_country_code, value_band,
              first_seen_at, held_at, resolved_at, predicted_at
         FROM clearance_hold_history
        WHERE (tenant_id, parcel_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY tenant_id COLLATE "C", parcel_id COLLATE "C"
          FOR UPDATE`,
);

/** countsOf's statement. */
const COUNTS_OF = namedStatement(
  'clearance_hold_counts_of_v1',
  `SELECT destination_country_code AS d, origin_country_code AS o, carrier_code AS c, value_band AS b,
              sum(resolved)::float8 AS resolved, sum(held)::float8 AS held
         FROM clearance_hold_counts
        WHERE (destination_country_code, origin_country_code, carrier_code, value_band) IN (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))
        GROUP BY 1, 2, 3, 4`,
);

/** writeChunk's statement. */
const WRITE_CHUNK = namedStatement(
  'clearance_hold_history_write_chunk_v1',
  `WITH inserted AS (
         INSERT INTO clearance_hold_history
           (tenant_id, parcel_id, carrier_code, origin_country_code, destination_country_code, value_band,
            first_seen_at, held_at, resolved_at, predicted_at, predicted_probability, model_version,
            prediction_threshold, prediction_emitted, prediction_id)
         SELECT t, p, c, o, d, b, f, h, r, pa, pp, mv, pt, pid IS NOT NULL, pid
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[],
                       $11::float8[], $12::text[], $13::float8[], $14::text[])
                WITH ORDINALITY AS n(t, p, c, o, d, b, f, h, r, pa, pp, mv, pt, pid, i)
          ORDER BY i
         ON CONFLICT (tenant_id, parcel_id) DO NOTHING
         RETURNING tenant_id, parcel_id
       ),
       updated AS (
         UPDATE clearance_hold_history AS h
            SET held_at = coalesce(u.held, h.held_at),
                resolved_at = coalesce(u.resolved, h.resolved_at),
                predicted_at = coalesce(u.pa, h.predicted_at),
                predicted_probability = CASE WHEN u.pa IS NULL THEN h.predicted_probability ELSE u.pp END,
                model_version = CASE WHEN u.pa IS NULL THEN h.model_version ELSE u.mv END,
                prediction_threshold = CASE WHEN u.pa IS NULL THEN h.prediction_threshold ELSE u.pt END,
                prediction_emitted = CASE WHEN u.pa IS NULL THEN h.prediction_emitted ELSE u.pid IS NOT NULL END,
                prediction_id = CASE WHEN u.pa IS NULL THEN h.prediction_id ELSE u.pid END
           FROM unnest($15::text[], $16::text[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[],
                       $20::float8[], $21::text[], $22::float8[], $23::text[])
                AS u(t, p, held, resolved, pa, pp, mv, pt, pid)
          WHERE h.tenant_id = u.t AND h.parcel_id = u.p
         RETURNING 1
       ),
       counted AS (
         INSERT INTO clearance_hold_counts AS c
           (destination_country_code, origin_country_code, carrier_code, value_band, shard, resolved, held)
         SELECT k.d, k.o, k.c, k.b, (pg_backend_pid() % ${COUNT_SHARDS})::smallint, k.resolved, k.held
           FROM unnest($24::text[], $25::text[], $26::text[], $27::text[], $28::bigint[], $29::bigint[])
                WITH ORDINALITY AS k(d, o, c, b, resolved, held, n)
          WHERE (SELECT count(*) FROM inserted) = $30
          ORDER BY k.n
         ON CONFLICT (destination_country_code, origin_country_code, carrier_code, value_band, shard)
         DO UPDATE SET resolved = c.resolved + excluded.resolved, held = c.held + excluded.held
       )
       SELECT (SELECT array_agg(tenant_id) FROM inserted) AS inserted_tenants,
              (SELECT array_agg(parcel_id) FROM inserted) AS inserted_parcels,
              (SELECT count(*)::int FROM updated) AS updated`,
);

/**
 * `clearance_hold_history` and `clearance_hold_counts`. Every method takes the transaction it is
 * given; the consumer's hook gets the transport's, so history, counts, the case and the outbox row
 * commit together with the inbox row. A consumer chunk costs one statement per method (ADR 0013).
 */
@Injectable()
export class HoldHistoryRepository {
  /**
   * The rows of the chunk's parcels that exist, by `pairKey`, locked until the transaction ends
   * (their counts move at most once). Locked in (tenant, parcel) order, byte-wise, the order the
   * chunk's inserts use too, so two transactions that share parcels queue instead of deadlocking.
   */
  async lockMany(m: EntityManager, pairs: readonly HistoryPair[]): Promise<Map<string, HoldHistoryState>> {
    const found = new Map<string, HoldHistoryState>();
    if (pairs.length === 0) return found;
    const rows = await queryNamed<HistoryRow & { tenant_id: string; parcel_id: string }>(m, LOCK_MANY, [
      pairs.map((p) => p.tenantId),
      pairs.map((p) => p.parcelId),
    ]);
    for (const row of rows) {
      found.set(pairKey(row.tenant_id, row.parcel_id), {
        features: featuresOfRow(row),
        firstSeenAt: row.first_seen_at,
        heldAt: row.held_at,
        resolvedAt: row.resolved_at,
        predictedAt: row.predicted_at,
      });
    }
    return found;
  }

  /** History counts of these cells (shards summed), by `cellKeyId`; a cell without a row is left out. */
  async countsOf(m: EntityManager, cells: readonly CellKey[]): Promise<Map<string, HoldCounts>> {
    if (cells.length === 0) return new Map();
    const rows = await queryNamed<{
      d: string;
      o: string;
      c: string;
      b: string;
      resolved: number;
      held: number;
    }>(m, COUNTS_OF, [
      cells.map((c) => c.destination),
      cells.map((c) => c.origin),
      cells.map((c) => c.carrierCode),
      cells.map((c) => c.valueBand),
    ]);
    return new Map(
      rows.map((r) => [
        cellKeyId({ destination: r.d, origin: r.o, carrierCode: r.c, valueBand: r.b }),
        { resolved: Number(r.resolved), held: Number(r.held) },
      ]),
    );
  }

  /**
   * Writes the chunk's history and counts in one statement (one round trip on the hot path): the
   * new rows (`INSERT … SELECT FROM unnest … ON CONFLICT DO NOTHING`), the changed rows (`UPDATE …
   * FROM unnest`, already locked by `lockMany`) and the summed count deltas. The counts move only
   * when every planned insert happened, so first sights that lost a race to another transaction
   * count nothing; their parcel ids come back (the caller fails the chunk, which is then retried
   * record by record and sees the other transaction's rows).
   */
  async writeChunk(m: EntityManager, w: ChunkWrites): Promise<{ lostInserts: string[] }> {
    const { inserts: ins, updates: upd, counts: cnt } = w;
    if (ins.length === 0 && upd.length === 0 && cnt.length === 0) return { lostInserts: [] };
    // Shard: one per connection (its backend pid), not per parcel. Every statement that counts
    // anything adds to the all-parcels cell, and its deltas go in in lock order with that cell
    // first (ChunkWrites.counts; ORDER BY k.n in WRITE_CHUNK); a transaction runs one such statement per
    // chunk. So transactions sharing a shard queue at that first cell and never deadlock on the
    // counts: the waiter holds no count cell of that shard yet. Other connections mostly land on
    // other shards.
    const rows = await queryNamed<{
      inserted_tenants: string[] | null;
      inserted_parcels: string[] | null;
      updated: number;
    }>(m, WRITE_CHUNK, [
      ins.map((r) => r.tenantId),
      ins.map((r) => r.parcelId),
      ins.map((r) => r.features.carrierCode),
      ins.map((r) => r.features.originCountryCode ?? ''),
      ins.map((r) => r.features.destinationCountryCode ?? ''),
      ins.map((r) => r.features.valueBand),
      ins.map((r) => r.firstSeenAt),
      ins.map((r) => r.heldAt),
      ins.map((r) => r.resolvedAt),
      ...predictionColumns(ins),
      upd.map((r) => r.tenantId),
      upd.map((r) => r.parcelId),
      upd.map((r) => r.markHeldAt),
      upd.map((r) => r.markResolvedAt),
      ...predictionColumns(upd),
      cnt.map((d) => d.cell.destination),
      cnt.map((d) => d.cell.origin),
      cnt.map((d) => d.cell.carrierCode),
      cnt.map((d) => d.cell.valueBand),
      cnt.map((d) => d.resolved),
      cnt.map((d) => d.held),
      ins.length,
    ]);
    // Updated rows were locked by lockMany, so none can be missing; a shortfall would be a bug.
    if ((rows[0]?.updated ?? 0) !== upd.length)
      throw new Error('locked hold history rows were not all updated');
    const tenants = rows[0]?.inserted_tenants ?? [];
    const inserted = new Set(
      (rows[0]?.inserted_parcels ?? []).map((parcelId, i) => pairKey(tenants[i]!, parcelId)),
    );
    return {
      lostInserts: ins.filter((r) => !inserted.has(pairKey(r.tenantId, r.parcelId))).map((r) => r.parcelId),
    };
  }

  /** Every parcel with a known outcome, for the report, plus how many are still open. */
  async historyForEvaluation(m: EntityManager): Promise<{ rows: HistoryRecord[]; unresolved: number }> {
    const rows = await m.query<Array<HistoryRow & { tenant_id: string; prediction_emitted: boolean }>>(
      `SELECT tenant_id, carrier_code, origin_country_code, destination_country_code, value_band,
              first_seen_at, held_at, resolved_at, prediction_emitted
         FROM clearance_hold_history
        WHERE resolved_at IS NOT NULL`,
    );
    const [{ unresolved }] = await m.query<Array<{ unresolved: number }>>(
      `SELECT count(*)::int AS unresolved FROM clearance_hold_history WHERE resolved_at IS NULL`,
    );
    return {
      rows: rows.map((r) => ({
        tenantId: r.tenant_id,
        features: featuresOfRow(r),
        firstSeenAt: r.first_seen_at,
        heldAt: r.held_at,
        resolvedAt: r.resolved_at,
        predictionEmitted: r.prediction_emitted,
      })),
      unresolved: unresolved ?? 0,
    };
  }
}

function featuresOfRow(row: HistoryRow): HoldFeatures {
  return {
    carrierCode: row.carrier_code,
    originCountryCode: row.origin_country_code || null,
    destinationCountryCode: row.destination_country_code || null,
    valueBand: row.value_band,
  };
}

/** A stored prediction's five columns (at, probability, model, threshold, id), one array each. */
function predictionColumns(rows: readonly { readonly prediction: StoredPrediction | null }[]): unknown[][] {
  return [
    rows.map((r) => r.prediction?.at ?? null),
    rows.map((r) => r.prediction?.probability ?? null),
    rows.map((r) => r.prediction?.modelVersion ?? null),
    rows.map((r) => r.prediction?.threshold ?? null),
    rows.map((r) => r.prediction?.predictionId ?? null),
  ];
}
