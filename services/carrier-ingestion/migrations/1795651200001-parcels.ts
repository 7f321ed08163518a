import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The parcel projection: per parcel the latest status by the carrier's own time (an update that
 * arrives late or out of order never moves it backwards), when Portico first heard of the parcel
 * and its latest scan, which lost-parcel detection needs. No personal data: ids, codes and times.
 */
export class Parcels1795651200001 implements MigrationInterface {
  name = 'Parcels1795651200001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE parcels (
        parcel_id           text PRIMARY KEY CHECK (parcel_id ~ '^prc_[0-9a-f]{32}$'),
        carrier_code        text NOT NULL,
        tracking_number     text NOT NULL,
        status              text NOT NULL,
        -- the carrier's time of the update that set status; -infinity until the first one
        status_occurred_at  timestamptz NOT NULL,
        first_seen_at       timestamptz NOT NULL,
        last_scan_at        timestamptz,
        updates             integer NOT NULL DEFAULT 0 CHECK (updates >= 0),
        late_updates        integer NOT NULL DEFAULT 0 CHECK (late_updates >= 0),
        updated_at          timestamptz NOT NULL
      )`);
    // stale-parcel sweeps ("no scan for N days") read by last scan, never the whole table
    await q.query('CREATE INDEX parcels_last_scan_idx ON parcels (last_scan_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE parcels');
  }
}
