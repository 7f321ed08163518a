import { Counter, Histogram, type Registry } from '@portico/observability';

export const VAULT_METRICS = 'id-vault:metrics';

/**
 * The vault's metrics. Labels are closed sets (outcome, check code, decision, purge reason): never a
 * document, case or tenant id, never anything about the resident.
 */
export interface VaultMetrics {
  readonly uploads: Counter<'outcome'>;
  readonly rejections: Counter<'reason'>;
  readonly checkSeconds: Histogram;
  readonly reviews: Counter<'decision'>;
  readonly views: Counter;
  readonly relays: Counter<'outcome' | 'adapter'>;
  readonly relayGrants: Counter;
  readonly grantDownloads: Counter<'outcome'>;
  readonly purges: Counter<'reason'>;
  readonly orphanBlobsDeleted: Counter;
}

export function createVaultMetrics(registry: Registry): VaultMetrics {
  return {
    uploads: new Counter({
      name: 'portico_vault_uploads_total',
      help: 'Document submissions, by outcome (accepted: stored; rejected: an automatic check failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'portico_vault_upload_rejections_total',
      help: 'Failed automatic checks on arrival, by reason (the check code: blurry, too_large, id_number_checksum, ...)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    checkSeconds: new Histogram({
      name: 'portico_vault_check_duration_seconds',
      help: 'Time to check (and normalise) one submission',
      buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    reviews: new Counter({
      name: 'portico_vault_reviews_total',
      help: 'Steward decisions on documents (approved, rejected)',
      labelNames: ['decision'] as const,
      registers: [registry],
    }),
    views: new Counter({
      name: 'portico_vault_document_views_total',
      help: 'Document parts shown to stewards (each one audited)',
      registers: [registry],
    }),
    relays: new Counter({
      name: 'portico_vault_relays_total',
      help: 'Relays of approved documents to carriers/brokers, by outcome (delivered; failed: one attempt, retried; refused: final refusal by the destination; grant_expired: a copy-carrying upload past its grant) and adapter (signed-https-push, email, dhl-express-mydhl)',
      labelNames: ['outcome', 'adapter'] as const,
      registers: [registry],
    }),
    relayGrants: new Counter({
      name: 'portico_vault_relay_grants_total',
      help: 'Download grants issued to carriers/brokers for approved documents',
      registers: [registry],
    }),
    grantDownloads: new Counter({
      name: 'portico_vault_grant_downloads_total',
      help: 'Downloads through relay grants, by outcome (served, expired, exhausted, invalid)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    purges: new Counter({
      name: 'portico_vault_purges_total',
      help: 'Documents crypto-shredded and deleted, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    orphanBlobsDeleted: new Counter({
      name: 'portico_vault_orphan_blobs_deleted_total',
      help: 'Stored blobs no document referenced (left by a rolled-back write to an object store), deleted by the sweep',
      registers: [registry],
    }),
  };
}
