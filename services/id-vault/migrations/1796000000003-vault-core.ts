import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The vault's own records: its projection of clearance cases, upload requests (token hashes only),
 * consents, documents (metadata: the images live sealed in vault_blobs, their keys in
 * document_keys), short-lived steward view links and carrier relay grants.
 *
 * No column here holds an ID number, a name or an image. Waybill recipient names are known only as
 * keyed digests (ADR 0002); bearer secrets only as SHA-256.
 */
export class VaultCore1796000000003 implements MigrationInterface {
  name = 'VaultCore1796000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vault_cases (
        case_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        property_id text,
        parcel_id text NOT NULL,
        carrier_code text NOT NULL,
        tracking_number text NOT NULL,
        required_documents text[] NOT NULL DEFAULT '{}',
        deadline timestamptz,
        recipient_name_digest text,
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
        closed_at timestamptz,
        closed_because text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE upload_requests (
        id text PRIMARY KEY,
        case_id text NOT NULL REFERENCES vault_cases (case_id),
        tenant_id text NOT NULL,
        property_id text,
        parcel_id text NOT NULL,
        required_documents text[] NOT NULL,
        language text NOT NULL CHECK (language IN ('zh', 'en')),
        token_hash bytea NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('open', 'submitted', 'revoked', 'superseded')),
        expires_at timestamptz NOT NULL,
        replaces_request_id text REFERENCES upload_requests (id),
        attempts integer NOT NULL DEFAULT 0,
        requested_by text NOT NULL,
        -- the caller's retry key: a retried create re-issues the same request's token instead of a second link
        idempotency_key text,
        created_at timestamptz NOT NULL,
        closed_at timestamptz
      )`);
    // At most one live link per case: a new one (re-upload after rejection) supersedes the old.
    await q.query(
      `CREATE UNIQUE INDEX upload_requests_one_open_per_case ON upload_requests (case_id) WHERE status = 'open'`,
    );
    await q.query(`CREATE INDEX upload_requests_case ON upload_requests (case_id)`);
    await q.query(
      `CREATE UNIQUE INDEX upload_requests_idempotency ON upload_requests (case_id, idempotency_key)`,
    );
    await q.query(`
      CREATE TABLE consents (
        id text PRIMARY KEY,
        request_id text NOT NULL REFERENCES upload_requests (id),
        text_version text NOT NULL,
        purpose text NOT NULL,
        recipient text NOT NULL,
        retention_days integer NOT NULL,
        language text NOT NULL,
        given_at timestamptz NOT NULL,
        withdrawn_at timestamptz
      )`);
    await q.query(`CREATE INDEX consents_request ON consents (request_id)`);
    await q.query(`
      CREATE TABLE documents (
        id text PRIMARY KEY,
        request_id text NOT NULL REFERENCES upload_requests (id),
        case_id text NOT NULL,
        tenant_id text NOT NULL,
        property_id text,
        parcel_id text NOT NULL,
        document_type text NOT NULL,
        sides text[] NOT NULL,
        version integer NOT NULL DEFAULT 1,
        channel text NOT NULL,
        consent_id text NOT NULL REFERENCES consents (id),
        attempt integer NOT NULL,
        status text NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'relayed', 'purged')),
        check_summary jsonb NOT NULL DEFAULT '{}',
        has_typed_fields boolean NOT NULL DEFAULT false,
        submitted_at timestamptz NOT NULL,
        reviewed_at timestamptz,
        reviewer_id text,
        rejection_reason text,
        purge_reason text,
        purged_at timestamptz
      )`);
    await q.query(`CREATE INDEX documents_case ON documents (case_id)`);
    await q.query(`
      CREATE TABLE document_view_links (
        token_hash bytea PRIMARY KEY,
        document_id text NOT NULL REFERENCES documents (id),
        viewer_id text NOT NULL,
        part text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX document_view_links_document ON document_view_links (document_id)`);
    await q.query(`
      CREATE TABLE relay_grants (
        id text PRIMARY KEY,
        document_id text NOT NULL REFERENCES documents (id),
        token_hash bytea NOT NULL UNIQUE,
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('carrier', 'customs_broker')),
        recipient_id text NOT NULL,
        adapter text NOT NULL,
        purpose text NOT NULL,
        expires_at timestamptz NOT NULL,
        max_uses integer NOT NULL CHECK (max_uses > 0),
        uses integer NOT NULL DEFAULT 0 CHECK (uses <= max_uses),
        created_at timestamptz NOT NULL,
        delivered_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX relay_grants_document ON relay_grants (document_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'relay_grants',
      'document_view_links',
      'documents',
      'consents',
      'upload_requests',
      'vault_cases',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
