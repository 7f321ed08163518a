import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What moves a case after it opened: the documents id-vault reports for it, the steward's
 * acknowledgement of the outreach task (SLA), and the property the parcel was resolved to. The
 * durable timers themselves live in `portico_timers` (@portico/timers' own migration).
 */
export class CaseProgress1795824000001 implements MigrationInterface {
  name = 'CaseProgress1795824000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE clearance_cases
        -- learned from notification's RecipientResolved; review metrics are per property
        ADD COLUMN property_id               text NULL,
        -- acknowledgement SLA of the current documents round (reset on each new round)
        ADD COLUMN ack_due_at                timestamptz NULL,
        ADD COLUMN acknowledged_at           timestamptz NULL,
        ADD COLUMN ack_sla_breached_at       timestamptz NULL,
        -- when the round's documents were all in; how they came (secure-channel share)
        ADD COLUMN documents_received_at     timestamptz NULL,
        ADD COLUMN documents_channel         text NULL
          CHECK (documents_channel IN ('secure_upload', 'steward_assisted'))`);
    await q.query(
      `CREATE INDEX clearance_cases_property_idx ON clearance_cases (tenant_id, property_id, opened_at)`,
    );

    // One row per document id-vault stored for a case; its review and relay are recorded on it.
    // A round is complete when every required type has a row of that round in the wanted status.
    await q.query(`
      CREATE TABLE clearance_case_documents (
        case_id            text NOT NULL REFERENCES clearance_cases (id) ON DELETE CASCADE,
        document_id        text NOT NULL,
        round              integer NOT NULL CHECK (round > 0),
        document_type      text NOT NULL,
        upload_request_id  text NOT NULL,
        channel            text NOT NULL CHECK (channel IN ('secure_upload', 'steward_assisted')),
        status             text NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'relayed')),
        rejection_reason   text NULL,
        reviewer_id        text NULL,
        grant_id           text NULL,
        submitted_at       timestamptz NOT NULL,
        decided_at         timestamptz NULL,
        relayed_at         timestamptz NULL,
        PRIMARY KEY (case_id, document_id)
      )`);

    // Every person-facing step of a case (task acknowledged, resident contacted, document reviewed,
    // escalation), timestamped: the raw material of the steward-effort and escalation metrics.
    await q.query(`
      CREATE TABLE clearance_case_activity (
        id          bigserial PRIMARY KEY,
        case_id     text NOT NULL REFERENCES clearance_cases (id) ON DELETE CASCADE,
        kind        text NOT NULL,
        actor_id    text NULL,
        source_event_id text NOT NULL,
        at          timestamptz NOT NULL,
        UNIQUE (case_id, source_event_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE clearance_case_activity');
    await q.query('DROP TABLE clearance_case_documents');
    await q.query('DROP INDEX clearance_cases_property_idx');
    await q.query(`
      ALTER TABLE clearance_cases
        DROP COLUMN property_id, DROP COLUMN ack_due_at, DROP COLUMN acknowledged_at,
        DROP COLUMN ack_sla_breached_at, DROP COLUMN documents_received_at, DROP COLUMN documents_channel`);
  }
}
