import type { DataSource } from 'typeorm';
import { keyContext } from './document-cipher';
import type { KeyEncryptionKeys } from './key-encryption-keys';

export interface RewrapReport {
  readonly rewrapped: number;
  readonly batches: number;
}

/**
 * KEK rotation: every data key not under the active KEK is unwrapped with its old KEK and wrapped
 * with the active one. The ciphertext is untouched (that is what envelope encryption buys). Batches
 * of `batchSize` rows, one transaction each, SKIP LOCKED so several runs (or a crash and a re-run)
 * never fight or redo work.
 */
export async function rewrapDataKeys(
  dataSource: DataSource,
  keks: KeyEncryptionKeys,
  opts: { batchSize?: number } = {},
): Promise<RewrapReport> {
  const batchSize = opts.batchSize ?? 500;
  let rewrapped = 0;
  let batches = 0;
  for (;;) {
    const n = await dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT document_id, version, kek_id, wrapped_key FROM document_keys
         WHERE kek_id <> $1 ORDER BY document_id, version LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [keks.activeKeyId, batchSize],
      )) as Array<{ document_id: string; version: number; kek_id: string; wrapped_key: Buffer }>;
      for (const r of rows) {
        const context = keyContext(r.document_id, r.version);
        const dataKey = keks.unwrap({ kekId: r.kek_id, bytes: r.wrapped_key }, context);
        const wrapped = keks.wrap(dataKey, context);
        dataKey.fill(0);
        await m.query(
          `UPDATE document_keys SET kek_id = $3, wrapped_key = $4, rewrapped_at = now() WHERE document_id = $1 AND version = $2`,
          [r.document_id, r.version, wrapped.kekId, wrapped.bytes],
        );
      }
      return rows.length;
    });
    if (n === 0) return { rewrapped, batches };
    rewrapped += n;
    batches += 1;
  }
}
