import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BlobStore } from './blob-store';

/** Blobs in the vault's own database (bytea): transactional with everything else, for local use and small sites. */
@Injectable()
export class PostgresBlobStore extends BlobStore {
  async put(m: EntityManager, key: string, bytes: Buffer): Promise<void> {
    await m.query(
      `INSERT INTO vault_blobs (key, bytes) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET bytes = EXCLUDED.bytes`,
      [key, bytes],
    );
  }

  async get(m: EntityManager, key: string): Promise<Buffer | undefined> {
    const rows = (await m.query(`SELECT bytes FROM vault_blobs WHERE key = $1`, [key])) as Array<{
      bytes: Buffer;
    }>;
    return rows[0]?.bytes;
  }

  async deletePrefix(m: EntityManager, prefix: string): Promise<number> {
    const r = (await m.query(`DELETE FROM vault_blobs WHERE starts_with(key, $1)`, [prefix])) as [
      unknown,
      number,
    ];
    return r[1];
  }
}
