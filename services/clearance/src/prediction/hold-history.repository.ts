import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@portico/messaging';
import { emptyLevelCounts, type LevelCounts } from './hold-estimator';
import {
  BACKOFF_LEVELS,
  cellKeyId,
  cellKeysOf,
  COUNT_SHARDS,
  type HoldFeatures,
  type ValueBand,
} from './hold-features';
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

/** One change to a parcel's history row, planned by `planObservation`. */
export interface HistoryWrite {
  readonly tenantId: string;
  readonly parcelId: string;
  /** First sight: the row is inserted with these. */
  readonly create: { readonly features: HoldFeatures; readonly firstSeenAt: Date } | null;
  /** The parcel's features (from the row, or `create`): which count cells a resolution moves. */
  readonly features: HoldFeatures;
  readonly markHeldAt: Date | null;
  readonly markResolvedAt: Date | null;
  readonly prediction: StoredPrediction | null;
}

/**
 * `clearance_hold_history` and `clearance_hold_counts`. Every method takes the transaction it is
 * given; the consumer's hook gets the transport's, so history, counts, the case and the outbox row
 * commit together with the inbox row.
 */
@Injectable()
export class HoldHistoryRepository {
  /** The parcel's row, locked until the transaction ends (its counts move at most once). */
  async findForUpdate(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
  ): Promise<HoldHistoryState | undefined> {
    const rows = await m.query<HistoryRow[]>(
      `SELECT carrier_code, origin_country_code, destination_country_code, value_band, first_seen_at,
              held_at, resolved_at, predicted_at
         FROM clearance_hold_history
        WHERE tenant_id = $1 AND parcel_id = $2
          FOR UPDATE`,
      [tenantId, parcelId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      features: featuresOfRow(row),
      firstSeenAt: row.first_seen_at,
      heldAt: row.held_at,
      resolvedAt: row.resolved_at,
      predictedAt: row.predicted_at,
    };
  }

  /**
   * Writes the row change and, when the parcel's outcome became known or it was held, adds to its
   * five count cells: one statement, one round trip (the consumer is on the hot path). The counts
   * move only when the row did (`WHERE EXISTS (SELECT 1 FROM history)`), so a first-sight insert
   * that lost a race to another transaction counts nothing and reports false.
   */
  async write(m: EntityManager, w: HistoryWrite): Promise<boolean> {
    const params: unknown[] = [w.tenantId, w.parcelId];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const prediction = w.prediction;
    let history: string;
    if (w.create) {
      const f = w.create.features;
      history = `INSERT INTO clearance_hold_history
          (tenant_id, parcel_id, carrier_code, origin_country_code, destination_country_code, value_band,
           first_seen_at, held_at, resolved_at, predicted_at, predicted_probability, model_version,
           prediction_threshold, prediction_emitted, prediction_id)
        VALUES ($1, $2, ${p(f.carrierCode)}, ${p(f.originCountryCode ?? '')}, ${p(f.destinationCountryCode ?? '')},
          ${p(f.valueBand)}, ${p(w.create.firstSeenAt)}, ${p(w.markHeldAt)}::timestamptz,
          ${p(w.markResolvedAt)}::timestamptz, ${p(prediction?.at ?? null)}::timestamptz,
          ${p(prediction?.probability ?? null)}::float8, ${p(prediction?.modelVersion ?? null)}::text,
          ${p(prediction?.threshold ?? null)}::float8, ${p(prediction?.predictionId != null)},
          ${p(prediction?.predictionId ?? null)}::text)
        ON CONFLICT (tenant_id, parcel_id) DO NOTHING
        RETURNING 1`;
    } else {
      const set: string[] = [];
      if (w.markHeldAt) set.push(`held_at = ${p(w.markHeldAt)}`);
      if (w.markResolvedAt) set.push(`resolved_at = ${p(w.markResolvedAt)}`);
      if (prediction) {
        set.push(
          `predicted_at = ${p(prediction.at)}`,
          `predicted_probability = ${p(prediction.probability)}`,
          `model_version = ${p(prediction.modelVersion)}`,
          `prediction_threshold = ${p(prediction.threshold)}`,
          `prediction_emitted = ${p(prediction.predictionId !== null)}`,
          `prediction_id = ${p(prediction.predictionId)}`,
        );
      }
      if (set.length === 0) return true;
      history = `UPDATE clearance_hold_history SET ${set.join(', ')}
        WHERE tenant_id = $1 AND parcel_id = $2
        RETURNING 1`;
    }

    const resolved = w.markResolvedAt ? 1 : 0;
    const held = w.markHeldAt ? 1 : 0;
    if (resolved + held === 0) {
      return returnedRows(await m.query(history, params)).length > 0;
    }
    const cells = cellKeysOf(w.features);
    // One shard per connection (its backend pid), not per parcel: a transaction that adds counts
    // for several parcels (a consumer batch) then takes each cell's lock once, cells in
    // BACKOFF_LEVELS order, the all-parcels cell first. Transactions sharing a shard queue at that
    // first cell and never deadlock; other connections mostly land on other shards.
    const rows = await m.query<Array<{ written: number }>>(
      `WITH history AS (${history}),
       counted AS (
         INSERT INTO clearance_hold_counts AS c
           (destination_country_code, origin_country_code, carrier_code, value_band, shard, resolved, held)
         SELECT k.d, k.o, k.c, k.b, (pg_backend_pid() % ${COUNT_SHARDS})::smallint, ${p(resolved)}::bigint, ${p(held)}::bigint
           FROM unnest(${p(cells.map((c) => c.destination))}::text[], ${p(cells.map((c) => c.origin))}::text[],
                       ${p(cells.map((c) => c.carrierCode))}::text[], ${p(cells.map((c) => c.valueBand))}::text[])
                WITH ORDINALITY AS k(d, o, c, b, n)
          WHERE EXISTS (SELECT 1 FROM history)
          ORDER BY k.n
         ON CONFLICT (destination_country_code, origin_country_code, carrier_code, value_band, shard)
         DO UPDATE SET resolved = c.resolved + excluded.resolved, held = c.held + excluded.held
       )
       SELECT count(*)::int AS written FROM history`,
      params,
    );
    return (rows[0]?.written ?? 0) > 0;
  }

  /** History counts of the five cells a parcel with these features is estimated from (shards summed). */
  async levelCounts(m: EntityManager, features: HoldFeatures): Promise<LevelCounts> {
    const cells = cellKeysOf(features);
    const rows = await m.query<
      Array<{ d: string; o: string; c: string; b: string; resolved: number; held: number }>
    >(
      `SELECT destination_country_code AS d, origin_country_code AS o, carrier_code AS c, value_band AS b,
              sum(resolved)::float8 AS resolved, sum(held)::float8 AS held
         FROM clearance_hold_counts
        WHERE (destination_country_code, origin_country_code, carrier_code, value_band) IN (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))
        GROUP BY 1, 2, 3, 4`,
      [
        cells.map((c) => c.destination),
        cells.map((c) => c.origin),
        cells.map((c) => c.carrierCode),
        cells.map((c) => c.valueBand),
      ],
    );
    const found = new Map(
      rows.map((r) => [
        cellKeyId({ destination: r.d, origin: r.o, carrierCode: r.c, valueBand: r.b }),
        { resolved: Number(r.resolved), held: Number(r.held) },
      ]),
    );
    const counts = emptyLevelCounts();
    BACKOFF_LEVELS.forEach((level, i) => {
      counts[level] = found.get(cellKeyId(cells[i]!)) ?? counts[level];
    });
    return counts;
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
