import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import { AUDIT_ACTIONS, type AuditAction } from './audit-entry';

export interface AuditMetrics {
  /** Appends by action. Counted on append, so it includes entries whose transaction then rolled back. */
  readonly entries: Counter<'action'>;
  /** Verifications (full runs or the signer's check of new rows), by outcome (ok, failed). */
  readonly verifications: Counter<'outcome'>;
  /** Unix time of the last verification that found the log intact: a stale value means nobody checks. */
  readonly lastVerified: Gauge;
}

/** Counts one verification, and when it passed, moves the last-verified time. */
export function countVerification(
  metrics: AuditMetrics | undefined,
  ok: boolean,
  at: Date = new Date(),
): void {
  if (!metrics) return;
  metrics.verifications.inc({ outcome: ok ? 'ok' : 'failed' });
  if (ok) metrics.lastVerified.set(at.getTime() / 1000);
}

/** The metric already registered under `name`, or a new one (several components share one registry). */
function registeredMetric<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/**
 * Audit metrics in the service's registry (createMetricsRegistry in @portico/observability), never
 * prom-client's global one. The only label is the action, from a fixed set: never an id.
 */
export function createAuditMetrics(registry: Registry): AuditMetrics {
  const entries = registeredMetric(
    registry,
    'portico_vault_audit_entries_total',
    () =>
      new Counter({
        name: 'portico_vault_audit_entries_total',
        help: 'Entries appended to the id-vault audit log, by action (including appends whose transaction rolled back)',
        labelNames: ['action'],
        registers: [registry],
      }),
  );
  // Series for every action exist from the start, so a rate() over a quiet action reads 0, not "no data".
  for (const action of AUDIT_ACTIONS) entries.inc({ action }, 0);
  return {
    entries,
    verifications: registeredMetric(
      registry,
      'portico_vault_audit_chain_verifications_total',
      () =>
        new Counter({
          name: 'portico_vault_audit_chain_verifications_total',
          help: "Verifications of the id-vault audit chain (full runs and the signer's check of new rows), by outcome; failed = edited, deleted or truncated rows, forged heads",
          labelNames: ['outcome'] as const,
          registers: [registry],
        }),
    ),
    lastVerified: registeredMetric(
      registry,
      'portico_vault_audit_chain_last_verified_timestamp_seconds',
      () =>
        new Gauge({
          name: 'portico_vault_audit_chain_last_verified_timestamp_seconds',
          help: 'Unix time of the last verification that found the id-vault audit chain intact',
          registers: [registry],
        }),
    ),
  };
}

export function countAppend(metrics: AuditMetrics | undefined, action: AuditAction): void {
  metrics?.entries.inc({ action });
}
