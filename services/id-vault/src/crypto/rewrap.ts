import type { CommonConfig } from '@portico/config';
import { createLogger, type Logger } from '@portico/observability';
import { dataSourceOptions, describeDatabaseUrl } from '@portico/service-kit';
import { DataSource } from 'typeorm';
import type { DocumentVersionRef } from './associated-data';
import type { CryptoConfig } from './crypto-settings';
import { DocumentCipher } from './document-cipher';
import { DocumentKeysRepository, START_CURSOR } from './document-keys.repository';
import type { KeyEncryptionKeys, WrappedKey } from './key-encryption-keys';
import { DocumentIntegrityError, EncryptionKeyUnavailableError } from './vault-errors';

export interface RewrapOptions {
  batchSize?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Stops after the batch in progress (SIGTERM): committed batches stay done, a rerun continues. */
  signal?: AbortSignal;
}

export interface RewrapReport {
  readonly activeKeyId: string;
  /** Data keys moved to the active KEK by this run. */
  readonly rewrapped: number;
  /** Keys under a KEK this keyring does not have, by KEK id: left as they are. */
  readonly unavailable: Readonly<Record<string, number>>;
  /** Keys whose wrapping failed authentication (tampered or corrupt): left as they are, ids logged. */
  readonly rejected: number;
  readonly batches: number;
  readonly stopped: boolean;
  /** Live keys per KEK after the run: everything but `activeKeyId` still needs attention. */
  readonly liveKeysByKek: Readonly<Record<string, number>>;
  /** Live keys not under the active KEK after the run (unavailable, rejected, or locked by another run). */
  readonly remaining: number;
}

/**
 * Moves every live data key onto the active KEK. Only the 61-byte wrapped keys change: the content
 * was encrypted under the data key, which stays the same, so no blob is read or rewritten.
 * One transaction per batch, rows claimed with FOR UPDATE SKIP LOCKED: a crash loses at most the
 * batch in progress, a rerun picks up whatever is still under an old KEK (idempotent), and runs in
 * parallel split the work. A retired KEK can leave VAULT_KEKS once `liveKeysByKek` no longer lists it.
 */
export async function rewrapDataKeys(
  dataSource: DataSource,
  keys: KeyEncryptionKeys,
  options: RewrapOptions = {},
): Promise<RewrapReport> {
  const batchSize = options.batchSize ?? 200;
  const cipher = new DocumentCipher(keys);
  const repository = new DocumentKeysRepository();
  const unavailable: Record<string, number> = {};
  let rewrapped = 0;
  let rejected = 0;
  let batches = 0;
  let cursor: DocumentVersionRef = START_CURSOR;
  let stopped = false;

  for (;;) {
    if (options.signal?.aborted) {
      stopped = true;
      break;
    }
    const claimed = await dataSource.transaction(async (m) => {
      const batch = await repository.claimRewrapBatch(m, keys.activeKeyId, cursor, batchSize);
      const updates: { ref: DocumentVersionRef; wrapped: WrappedKey }[] = [];
      for (const row of batch) {
        const ref = { documentId: row.documentId, version: row.version };
        if (!keys.has(row.wrapped.kekId)) {
          unavailable[row.wrapped.kekId] = (unavailable[row.wrapped.kekId] ?? 0) + 1;
          continue;
        }
        try {
          updates.push({ ref, wrapped: await cipher.rewrap(ref, row.wrapped) });
        } catch (e) {
          if (e instanceof EncryptionKeyUnavailableError) {
            unavailable[e.kekId] = (unavailable[e.kekId] ?? 0) + 1;
          } else if (e instanceof DocumentIntegrityError) {
            rejected++;
            options.logger?.warn(
              {
                documentId: ref.documentId,
                version: ref.version,
                kekId: row.wrapped.kekId,
                reason: e.reason,
              },
              'wrapped data key failed authentication; left as is',
            );
          } else {
            throw e; // a KMS outage or the like: this batch rolls back, a rerun retries it
          }
        }
      }
      await repository.replaceWrappedKeys(m, updates);
      return { last: batch.at(-1), count: batch.length, updated: updates.length };
    });
    if (!claimed.last) break;
    batches++;
    rewrapped += claimed.updated;
    cursor = { documentId: claimed.last.documentId, version: claimed.last.version };
    options.logger?.info(
      { batch: batches, claimed: claimed.count, rewrapped: claimed.updated },
      'rewrap batch committed',
    );
  }

  const liveKeysByKek = await repository.countLiveKeysByKek(dataSource.manager);
  const remaining = Object.entries(liveKeysByKek)
    .filter(([kekId]) => kekId !== keys.activeKeyId)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    activeKeyId: keys.activeKeyId,
    rewrapped,
    unavailable,
    rejected,
    batches,
    stopped,
    liveKeysByKek,
    remaining,
  };
}

type RewrapCommandConfig = Pick<CommonConfig, 'serviceName' | 'databaseUrl' | 'logLevel'> & CryptoConfig;

/**
 * Body of `node dist/src/rewrap-keys.js`. Exit status: 0 when every live data key is under the
 * active KEK, 2 when some are not (a KEK missing from VAULT_KEKS, a rejected key, or rows another
 * run held: see the report), 1 when the run failed.
 */
export async function runRewrapCommand(config: RewrapCommandConfig): Promise<void> {
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const database = describeDatabaseUrl(config.databaseUrl);
  const dataSource = new DataSource(
    dataSourceOptions({ serviceName: config.serviceName, databaseUrl: config.databaseUrl }, [], {
      applicationName: `${config.serviceName}-rewrap-keys`,
      poolSize: 2,
      logger,
    }),
  );
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await dataSource.initialize();
    const report = await rewrapDataKeys(dataSource, config.keyEncryptionKeys, {
      batchSize: config.rewrapBatchSize,
      logger,
      signal: abort.signal,
    });
    const done = report.remaining === 0 && !report.stopped;
    if (done) {
      logger.info(
        { database, ...report },
        `rewrapped ${report.rewrapped} data key(s); all live keys are under ${report.activeKeyId}`,
      );
    } else {
      logger.warn(
        { database, ...report },
        `rewrapped ${report.rewrapped} data key(s); ${report.remaining} live key(s) are not under ${report.activeKeyId} yet`,
      );
    }
    process.exitCode = done ? 0 : 2;
  } catch (e) {
    logger.fatal({ database, err: e }, `${config.serviceName}: rewrap-keys failed`);
    process.exitCode = 1;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    await dataSource.destroy().catch(() => undefined);
  }
}
