import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sealed document parts (ciphertext only) and their wrapped data keys, in separate tables: deleting
 * a document's keys (crypto-shredding) makes its blobs unreadable wherever copies survive.
 */
export class DocumentsStorage1796000000001 implements MigrationInterface {
  name = 'DocumentsStorage1796000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_keys (
        document_id text NOT NULL,
        version integer NOT NULL,
        kek_id text NOT NULL,
        wrapped_key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz,
        PRIMARY KEY (document_id, version)
      )`);
    await q.query(`CREATE INDEX document_keys_kek ON document_keys (kek_id)`);
    await q.query(`
      CREATE TABLE vault_blobs (
        key text PRIMARY KEY,
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE vault_blobs');
    await q.query('DROP TABLE document_keys');
  }
}
