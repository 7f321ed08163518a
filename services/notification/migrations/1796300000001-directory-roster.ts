import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the directory's remaining intake paths need:
 * - removals are soft (`removed_at`) so tasks and resolutions stay explainable; a resident's personal
 *   data is blanked `DIRECTORY_PURGE_AFTER_DAYS` later (`purged_at`, durable timer);
 * - roster changes (`POST /v1/directory/changes`) are idempotent per `changeId`
 *   (`directory_changes`) and last-writer-wins per entity by the property system's `occurredAt`
 *   (`directory_entity_versions`; imports stamp the entities they list too);
 * - the front-desk queue keeps what the waiting documents request needs to go on once a person
 *   links the parcel (round, deadline, expedited, documents) and who linked it to whom;
 * - `front_desk` is a resolution method;
 * - who issued and revoked which API key (`api_key_audit`; the keys themselves are libs/auth's).
 */
export class DirectoryRoster1796300000001 implements MigrationInterface {
  name = 'DirectoryRoster1796300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE residents
        ADD COLUMN removed_at timestamptz NULL,
        ADD COLUMN purged_at timestamptz NULL`);
    await q.query(`ALTER TABLE staff ADD COLUMN removed_at timestamptz NULL`);
    await q.query(`
      CREATE TABLE directory_changes (
        tenant_id    text NOT NULL,
        change_id    text NOT NULL,
        entity_kind  text NOT NULL,
        entity_id    text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        -- applied | stale (an equal or newer change of the entity was there first)
        outcome      text NOT NULL CHECK (outcome IN ('applied', 'stale')),
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, change_id)
      )`);
    await q.query(`
      CREATE TABLE directory_entity_versions (
        tenant_id    text NOT NULL,
        -- resident | staff | duty (entity_id = '<property id>/<staff id>')
        entity_kind  text NOT NULL,
        entity_id    text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, entity_kind, entity_id)
      )`);
    await q.query(`
      ALTER TABLE front_desk_queue
        ADD COLUMN request_round      integer NULL,
        ADD COLUMN request_deadline   timestamptz NULL,
        ADD COLUMN request_expedited  boolean NOT NULL DEFAULT false,
        -- common.DocumentType numbers of the request
        ADD COLUMN request_documents  integer[] NOT NULL DEFAULT '{}',
        ADD COLUMN linked_resident_id text NULL,
        ADD COLUMN linked_by          text NULL,
        ADD COLUMN linked_at          timestamptz NULL`);
    await q.query(`ALTER TABLE parcel_projection DROP CONSTRAINT parcel_projection_resolution_method_check`);
    await q.query(`
      ALTER TABLE parcel_projection ADD CONSTRAINT parcel_projection_resolution_method_check
        CHECK (resolution_method IN ('pre_registered', 'address_match', 'front_desk'))`);
    await q.query(`
      CREATE TABLE api_key_audit (
        id          bigserial PRIMARY KEY,
        tenant_id   text NOT NULL,
        key_id      text NOT NULL,
        action      text NOT NULL CHECK (action IN ('issued', 'revoked')),
        -- the person's user id (token subject)
        actor       text NOT NULL,
        scopes      text[] NOT NULL DEFAULT '{}',
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_key_audit_key_idx ON api_key_audit (tenant_id, key_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_key_audit`);
    await q.query(`ALTER TABLE parcel_projection DROP CONSTRAINT parcel_projection_resolution_method_check`);
    await q.query(`
      ALTER TABLE parcel_projection ADD CONSTRAINT parcel_projection_resolution_method_check
        CHECK (resolution_method IN ('pre_registered', 'address_match'))`);
    await q.query(`
      ALTER TABLE front_desk_queue
        DROP COLUMN request_round, DROP COLUMN request_deadline, DROP COLUMN request_expedited,
        DROP COLUMN request_documents, DROP COLUMN linked_resident_id, DROP COLUMN linked_by,
        DROP COLUMN linked_at`);
    await q.query(`DROP TABLE directory_entity_versions`);
    await q.query(`DROP TABLE directory_changes`);
    await q.query(`ALTER TABLE staff DROP COLUMN removed_at`);
    await q.query(`ALTER TABLE residents DROP COLUMN purged_at, DROP COLUMN removed_at`);
  }
}
