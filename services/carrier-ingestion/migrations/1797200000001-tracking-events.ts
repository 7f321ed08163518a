import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A parcel's tracking history as published: one row per accepted update, written in the intake's
 * transaction beside the parcel projection, so the history, the archive and carrier.tracking.v1
 * never disagree. It holds what the published event holds minus every recipient field (no name or
 * phone digests, no delivery address): canonical status, the scan's place (already scrubbed of
 * names and phone numbers), the carrier's own code and description (scrubbed), times, late flag.
 */
export class TrackingEvents1797200000001 implements MigrationInterface {
  name = 'TrackingEvents1797200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tracking_events (
        -- arrival order: breaks ties between equal carrier times and makes paging stable
        seq                 bigserial PRIMARY KEY,
        parcel_id           text NOT NULL CHECK (parcel_id ~ '^prc_[0-9a-f]{32}$'),
        tenant_id           text NOT NULL,
        carrier_code        text NOT NULL,
        status              text NOT NULL,
        hold_reason         text NULL,
        exception_reason    text NULL,
        location            jsonb NULL,
        raw_status_code     text NOT NULL DEFAULT '',
        raw_description     text NOT NULL DEFAULT '',
        occurred_at         timestamptz NOT NULL,
        received_at         timestamptz NOT NULL,
        late                boolean NOT NULL
      )`);
    await q.query('CREATE INDEX tracking_events_parcel_idx ON tracking_events (parcel_id, occurred_at, seq)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tracking_events');
  }
}
