import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATES = `'detected', 'verifying', 'carrier_inquiry', 'awaiting_customer_decision', 'filed', 'in_review',
  'resolved', 'closed'`;
const REASONS = `'no_scan', 'past_estimated_delivery', 'not_received', 'carrier_lost', 'carrier_damaged',
  'carrier_returned', 'damaged_on_arrival'`;

/**
 * claims' own tables: the parcel projection built from carrier.tracking.v1 (and the property from
 * notification's RecipientResolved), per-tenant settings (detection rules, service levels, default
 * decision), claims with their history and communication log, carrier requests (the work queue of
 * HTTP/e-mail calls, performed outside database transactions), inquiries, filings and evidence.
 * No names, phone numbers or addresses anywhere: the projection keeps statuses, times and lanes.
 */
export class Claims1796400000003 implements MigrationInterface {
  name = 'Claims1796400000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claims_parcels (
        tenant_id                 text NOT NULL,
        parcel_id                 text NOT NULL,
        carrier_code              text NOT NULL,
        tracking_number           text NOT NULL,
        status                    text NOT NULL,
        exception_reason          text NULL,
        -- occurred_at of the newest non-late tracking event: "last scan"
        last_scan_at              timestamptz NOT NULL,
        last_event_id             text NOT NULL,
        estimated_delivery        date NULL,
        origin_country_code       text NULL,
        destination_country_code  text NULL,
        property_id               text NULL,
        delivered_at              timestamptz NULL,
        declared_currency         text NULL,
        declared_minor            bigint NULL,
        insured_currency          text NULL,
        insured_minor             bigint NULL,
        -- 'carrier' (shipment details on the tracking stream) or 'api' (set by a person/system)
        insured_source            text NULL,
        first_seen_at             timestamptz NOT NULL,
        updated_at                timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, parcel_id)
      )`);
    await q.query(
      `CREATE INDEX claims_parcels_tracking_idx ON claims_parcels (carrier_code, tracking_number)`,
    );
    await q.query(`CREATE INDEX claims_parcels_seen_idx ON claims_parcels (tenant_id, first_seen_at)`);
    // The tracking history for the evidence bundle: canonical facts only (no raw descriptions).
    await q.query(`
      CREATE TABLE claims_parcel_scans (
        event_id         text PRIMARY KEY,
        tenant_id        text NOT NULL,
        parcel_id        text NOT NULL,
        status           text NOT NULL,
        exception_reason text NULL,
        raw_status_code  text NOT NULL DEFAULT '',
        location         text NOT NULL DEFAULT '',
        occurred_at      timestamptz NOT NULL,
        late             boolean NOT NULL DEFAULT false
      )`);
    await q.query(
      `CREATE INDEX claims_parcel_scans_parcel_idx ON claims_parcel_scans (tenant_id, parcel_id, occurred_at)`,
    );

    await q.query(`
      CREATE TABLE claims_tenant_settings (
        tenant_id   text PRIMARY KEY,
        settings    jsonb NOT NULL,
        version     integer NOT NULL DEFAULT 1,
        updated_at  timestamptz NOT NULL,
        updated_by  text NOT NULL
      )`);

    await q.query(`
      CREATE TABLE claims_claims (
        id                   text PRIMARY KEY,
        tenant_id            text NOT NULL,
        parcel_id            text NOT NULL,
        carrier_code         text NOT NULL,
        tracking_number      text NOT NULL,
        property_id          text NULL,
        lane                 text NOT NULL,
        reason               text NOT NULL CHECK (reason IN (${REASONS})),
        origin               text NOT NULL CHECK (origin IN ('detection', 'resident', 'front_desk', 'operator')),
        rule_id              text NOT NULL DEFAULT '',
        incident_key         text NOT NULL,
        trigger_event_id     text NOT NULL DEFAULT '',
        state                text NOT NULL CHECK (state IN (${STATES})),
        version              integer NOT NULL,
        -- the service levels this claim runs on, fixed when it opened (tenant settings change later)
        service_levels       jsonb NOT NULL,
        default_decision     text NOT NULL,
        last_scan_at         timestamptz NULL,
        opened_at            timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        closed_at            timestamptz NULL,
        close_reason         text NULL,
        acknowledged_at      timestamptz NULL,
        explained_at         timestamptz NULL,
        assessed_at          timestamptz NULL,
        decision             text NULL,
        decision_defaulted   boolean NULL,
        decision_due_at      timestamptz NULL,
        outcome              text NULL,
        granted_minor        bigint NULL,
        granted_currency     text NULL,
        resolved_at          timestamptz NULL,
        opened_by            text NULL
      )`);
    // At most one claim per parcel and incident, whatever the redeliveries; and at most one open
    // claim per parcel: a second incident while one is being worked on joins that claim.
    await q.query(
      `CREATE UNIQUE INDEX claims_claims_incident_idx ON claims_claims (tenant_id, parcel_id, incident_key)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX claims_claims_open_idx ON claims_claims (tenant_id, parcel_id) WHERE closed_at IS NULL`,
    );
    await q.query(`CREATE INDEX claims_claims_scorecard_idx ON claims_claims (tenant_id, opened_at)`);

    await q.query(`
      CREATE TABLE claims_claim_transitions (
        id              bigserial PRIMARY KEY,
        claim_id        text NOT NULL REFERENCES claims_claims (id),
        from_state      text NULL,
        to_state        text NOT NULL,
        at              timestamptz NOT NULL,
        cause           text NOT NULL,
        actor_id        text NULL,
        cause_event_id  text NULL
      )`);
    await q.query(
      `CREATE INDEX claims_claim_transitions_claim_idx ON claims_claim_transitions (claim_id, id)`,
    );

    // The communication log: what was asked, answered, explained, sent to and heard from the
    // carrier. Structured facts and user ids only; never free text typed by a person.
    await q.query(`
      CREATE TABLE claims_claim_log (
        id         text PRIMARY KEY,
        claim_id   text NOT NULL REFERENCES claims_claims (id),
        kind       text NOT NULL,
        at         timestamptz NOT NULL,
        actor_id   text NULL,
        details    jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX claims_claim_log_claim_idx ON claims_claim_log (claim_id, at)`);

    // Calls to carriers happen outside database transactions: a request row is written with the
    // state change, a worker leases it, calls, and records the outcome in a new transaction.
    await q.query(`
      CREATE TABLE claims_carrier_requests (
        id               text PRIMARY KEY,
        claim_id         text NOT NULL REFERENCES claims_claims (id),
        kind             text NOT NULL CHECK (kind IN ('inquiry', 'inquiry_status', 'filing', 'filing_status')),
        channel          text NOT NULL CHECK (channel IN ('api', 'email')),
        subject_id       text NOT NULL,
        status           text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL,
        lease_until      timestamptz NULL,
        last_error       text NULL,
        created_at       timestamptz NOT NULL,
        done_at          timestamptz NULL
      )`);
    await q.query(
      `CREATE INDEX claims_carrier_requests_due_idx ON claims_carrier_requests (next_attempt_at) WHERE status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE claims_inquiries (
        id                 text PRIMARY KEY,
        claim_id           text NOT NULL REFERENCES claims_claims (id),
        channel            text NOT NULL,
        carrier_reference  text NULL,
        created_at         timestamptz NOT NULL,
        sent_at            timestamptz NULL,
        answered_at        timestamptz NULL,
        outcome            text NULL
      )`);
    await q.query(`
      CREATE TABLE claims_filings (
        id                   text PRIMARY KEY,
        claim_id             text NOT NULL REFERENCES claims_claims (id),
        channel              text NOT NULL,
        carrier_reference    text NULL,
        carrier_status       text NULL,
        claimed_currency     text NOT NULL,
        claimed_minor        bigint NOT NULL,
        evidence_bundle_id   text NULL,
        created_at           timestamptz NOT NULL,
        filed_at             timestamptz NULL
      )`);
    // Carrier message thread of a filing (API adapters return one), kept as the carrier wrote it:
    // it is the carrier's text about the claim, shown to staff, never logged or put on events.
    await q.query(`
      CREATE TABLE claims_filing_messages (
        filing_id    text NOT NULL REFERENCES claims_filings (id),
        carrier_id   text NOT NULL,
        author       text NOT NULL,
        body         text NOT NULL,
        at           timestamptz NOT NULL,
        PRIMARY KEY (filing_id, carrier_id)
      )`);

    // Photos and value proofs, re-encoded without metadata, in claims' own database (never id-vault).
    await q.query(`
      CREATE TABLE claims_evidence_items (
        id            text PRIMARY KEY,
        claim_id      text NOT NULL REFERENCES claims_claims (id),
        kind          text NOT NULL CHECK (kind IN ('photo', 'value_proof')),
        content_type  text NOT NULL,
        bytes         bytea NOT NULL,
        sha256        text NOT NULL,
        width         integer NOT NULL,
        height        integer NOT NULL,
        uploaded_by   text NOT NULL,
        created_at    timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE claims_evidence_bundles (
        id               text PRIMARY KEY,
        claim_id         text NOT NULL REFERENCES claims_claims (id),
        manifest         jsonb NOT NULL,
        manifest_sha256  text NOT NULL,
        pdf              bytea NULL,
        created_at       timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'claims_evidence_bundles',
      'claims_evidence_items',
      'claims_filing_messages',
      'claims_filings',
      'claims_inquiries',
      'claims_carrier_requests',
      'claims_claim_log',
      'claims_claim_transitions',
      'claims_claims',
      'claims_tenant_settings',
      'claims_parcel_scans',
      'claims_parcels',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
