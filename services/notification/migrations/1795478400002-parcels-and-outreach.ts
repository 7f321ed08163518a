import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * notification's own view of parcels (built from `carrier.tracking.v1`), the outreach tasks it
 * gives stewards, and the front-desk queue for parcels it could not match to a resident.
 */
export class ParcelsAndOutreach1795478400002 implements MigrationInterface {
  name = 'ParcelsAndOutreach1795478400002';

  async up(q: QueryRunner): Promise<void> {
    // Keyed by tenant too: the parcel id is global, but the tenant is the one whose carrier account
    // reported it, and only that tenant's directory may resolve it.
    await q.query(`
      CREATE TABLE parcel_projection (
        tenant_id             text NOT NULL,
        parcel_id             text NOT NULL,
        carrier_code          text NOT NULL,
        tracking_number       text NOT NULL,
        status                text NOT NULL,
        status_occurred_at    timestamptz NOT NULL,
        last_event_id         uuid NOT NULL,
        -- recipient hint (building-level address, unit, keyed digests; never a name or phone)
        hint_occurred_at      timestamptz NULL,
        hint_country_code     text NOT NULL DEFAULT '',
        hint_region           text NOT NULL DEFAULT '',
        hint_city             text NOT NULL DEFAULT '',
        hint_district         text NOT NULL DEFAULT '',
        hint_postal_code      text NOT NULL DEFAULT '',
        hint_address_line     text NOT NULL DEFAULT '',
        hint_unit             text NOT NULL DEFAULT '',
        name_digest           bytea NULL,
        name_digest_key_id    text NULL,
        phone_digest          bytea NULL,
        phone_digest_key_id   text NULL,
        -- set once the parcel is matched to a resident (RecipientResolved was published)
        resolved_property_id  text NULL,
        resolved_unit_id      text NULL,
        resolved_resident_id  text NULL,
        resolution_method     text NULL CHECK (resolution_method IN ('pre_registered', 'address_match')),
        resolved_at           timestamptz NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, parcel_id)
      )`);
    await q.query(`
      CREATE TABLE outreach_tasks (
        id                text PRIMARY KEY,
        tenant_id         text NOT NULL,
        property_id       text NOT NULL REFERENCES properties (id),
        case_id           text NULL,
        -- DocumentsRequested round (1, 2 … after rejections); 0 for tasks outside a request round
        round             integer NOT NULL DEFAULT 0,
        parcel_id         text NOT NULL,
        carrier_code      text NOT NULL,
        tracking_number   text NOT NULL,
        kind              text NOT NULL CHECK (kind IN ('documents_requested', 'reupload_requested', 'unmatched_parcel')),
        steward_id        text NULL REFERENCES staff (id) ON DELETE SET NULL,
        resident_id       text NULL REFERENCES residents (id) ON DELETE SET NULL,
        state             text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'closed')),
        ack_due_at        timestamptz NOT NULL,
        deadline          timestamptz NULL,
        expedited         boolean NOT NULL DEFAULT false,
        -- scripts keep a placeholder instead of the resident's name (filled in when an allowed
        -- caller reads the task), so the name lives in one table only
        script_template   text NOT NULL,
        script_language   text NOT NULL CHECK (script_language IN ('zh', 'en')),
        script_zh         text NOT NULL,
        script_en         text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        acknowledged_at   timestamptz NULL,
        closed_at         timestamptz NULL,
        close_resolution  text NULL
      )`);
    // One task per case, request round and kind: a redelivered or re-published DocumentsRequested
    // finds its task already there.
    await q.query(
      `CREATE UNIQUE INDEX outreach_tasks_case_round_kind_idx ON outreach_tasks (case_id, round, kind)`,
    );
    await q.query(`CREATE INDEX outreach_tasks_parcel_idx ON outreach_tasks (tenant_id, parcel_id)`);
    await q.query(
      `CREATE INDEX outreach_tasks_property_state_idx ON outreach_tasks (property_id, state, created_at)`,
    );
    await q.query(`
      CREATE TABLE front_desk_queue (
        id               text PRIMARY KEY,
        -- no foreign key: a tenant without an imported directory still gets its parcels queued
        tenant_id        text NOT NULL,
        property_id      text NULL REFERENCES properties (id),
        parcel_id        text NOT NULL,
        case_id          text NULL,
        carrier_code     text NOT NULL DEFAULT '',
        tracking_number  text NOT NULL DEFAULT '',
        hint_unit        text NOT NULL DEFAULT '',
        reason           text NOT NULL,
        state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'linked', 'dismissed')),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX front_desk_queue_open_parcel_idx ON front_desk_queue (tenant_id, parcel_id) WHERE state = 'open'`,
    );
    await q.query(
      `CREATE INDEX front_desk_queue_property_idx ON front_desk_queue (property_id, state, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE front_desk_queue');
    await q.query('DROP TABLE outreach_tasks');
    await q.query('DROP TABLE parcel_projection');
  }
}
