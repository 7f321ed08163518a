import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Encrypted document storage. Wrapped data keys (`document_keys`) are kept apart from content
 * (`document_blobs` references, bytes in `vault_blobs` or S3) because shredding destroys the key
 * alone: every copy of the ciphertext, in a backup or a bucket replica, becomes unreadable with it.
 * A shredded version keeps its row as a tombstone (no key, `shredded_at` set), so reads can say
 * "shredded" rather than "not found" and a shredded version is never sealed again.
 */
export class DocumentsStorage1796000000001 implements MigrationInterface {
  name = 'DocumentsStorage1796000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE document_keys (
        document_id  text        NOT NULL,
        version      int         NOT NULL CHECK (version > 0),
        kek_id       text        NULL,
        wrapped_key  bytea       NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz NULL,
        shredded_at  timestamptz NULL,
        PRIMARY KEY (document_id, version),
        CONSTRAINT document_keys_live_or_shredded CHECK (
          (shredded_at IS NULL AND kek_id IS NOT NULL AND wrapped_key IS NOT NULL)
          OR (shredded_at IS NOT NULL AND kek_id IS NULL AND wrapped_key IS NULL)
        )
      )`);
    // What rewrap-keys and the rotation report count: live keys per KEK.
    await queryRunner.query(
      `CREATE INDEX document_keys_kek_id ON document_keys (kek_id) WHERE wrapped_key IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE document_blobs (
        document_id text        NOT NULL,
        version     int         NOT NULL,
        side        text        NOT NULL,
        blob_key    text        NOT NULL UNIQUE,
        byte_length int         NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (document_id, version, side),
        FOREIGN KEY (document_id, version) REFERENCES document_keys (document_id, version)
      )`);
    // The Postgres blob store's bytes; unused (empty) when VAULT_BLOB_STORE=s3.
    await queryRunner.query(`
      CREATE TABLE vault_blobs (
        key        text        PRIMARY KEY,
        bytes      bytea       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE vault_blobs');
    await queryRunner.query('DROP TABLE document_blobs');
    await queryRunner.query('DROP TABLE document_keys');
  }
}
