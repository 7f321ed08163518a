import type { MigrationInterface, QueryRunner } from 'typeorm';

const VALUE_BANDS = `'<200', '200-1000', '1000-5000', '>=5000', 'unknown'`;

/**
 * Hold prediction (src/prediction): the history it learns from, its per-feature-cell counts, and the
 * per-tenant threshold.
 */
export class HoldPrediction1795824000002 implements MigrationInterface {
  name = 'HoldPrediction1795824000002';

  async up(q: QueryRunner): Promise<void> {
    // One row per (tenant, parcel), features as at first sight. Countries are '' when the carrier
    // did not say. Times are the tracking events' occurred_at (the parcel's own timeline, so a replay
    // or a late delivery records the same history). A document hold also resolves the parcel, so
    // held_at implies resolved_at; a parcel released first and held later keeps its resolved_at.
    await q.query(`
      CREATE TABLE clearance_hold_history (
        tenant_id                 text NOT NULL,
        parcel_id                 text NOT NULL,
        carrier_code              text NOT NULL,
        origin_country_code       text NOT NULL,
        destination_country_code  text NOT NULL,
        value_band                text NOT NULL CHECK (value_band IN (${VALUE_BANDS})),
        first_seen_at             timestamptz NOT NULL,
        -- first customs hold with reason id_documents_required
        held_at                   timestamptz NULL,
        -- first outcome: that hold, or release / out for delivery / delivered / returned without it
        resolved_at               timestamptz NULL,
        -- the one estimate made for the parcel (emitted or not), for precision/recall later
        predicted_at              timestamptz NULL,
        predicted_probability     double precision NULL CHECK (predicted_probability BETWEEN 0 AND 1),
        model_version             text NULL,
        prediction_threshold      double precision NULL,
        prediction_emitted        boolean NOT NULL DEFAULT false,
        prediction_id             text NULL,
        PRIMARY KEY (tenant_id, parcel_id),
        CHECK (held_at IS NULL OR resolved_at IS NOT NULL),
        CHECK ((predicted_at IS NULL) = (predicted_probability IS NULL)
           AND (predicted_at IS NULL) = (model_version IS NULL)
           AND (predicted_at IS NULL) = (prediction_threshold IS NULL)),
        CHECK (prediction_emitted = (prediction_id IS NOT NULL)),
        CHECK (NOT prediction_emitted OR predicted_at IS NOT NULL)
      )`);

    // Counts per back-off cell, kept in the same transaction as the history row so an estimate is
    // five indexed lookups instead of an aggregate over all history (which grows without bound and
    // would run for every new in-transit parcel). A coarser level is a row whose finer columns are
    // '*': every resolution adds to five cells, the all-parcels one included. That row would be hot
    // (every consumer transaction touching it, holding its lock until commit), so each cell is
    // spread over 8 shards (the writing connection's pid % 8), and readers sum the shards. Counts only move on a
    // parcel's first outcome and first document hold, never on in-transit scans.
    await q.query(`
      CREATE TABLE clearance_hold_counts (
        destination_country_code  text NOT NULL,
        origin_country_code       text NOT NULL,
        carrier_code              text NOT NULL,
        value_band                text NOT NULL,
        shard                     smallint NOT NULL CHECK (shard >= 0),
        resolved                  bigint NOT NULL DEFAULT 0 CHECK (resolved >= 0),
        held                      bigint NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= resolved),
        PRIMARY KEY (destination_country_code, origin_country_code, carrier_code, value_band, shard)
      )`);

    // No row: the configured default (PREDICTION_DEFAULT_THRESHOLD), enabled.
    await q.query(`
      CREATE TABLE clearance_prediction_settings (
        tenant_id   text PRIMARY KEY,
        threshold   numeric NOT NULL CHECK (threshold > 0 AND threshold <= 1),
        enabled     boolean NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE clearance_prediction_settings`);
    await q.query(`DROP TABLE clearance_hold_counts`);
    await q.query(`DROP TABLE clearance_hold_history`);
  }
}
