import { Counter, type Metric, type Registry } from 'prom-client';
import { AUDIT_ACTIONS, type AuditAction } from './audit-entry';

export interface AuditMetrics {
  /** Appends by action. Counted on append, so it includes entries whose transaction then rolled back. */
  readonly entries: Counter<'action'>;
  /** Verifications (full runs or the signer's check of new rows) that found the log tampered with. */
  readonly verificationFailures: Counter<string>;
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
    verificationFailures: registeredMetric(
      registry,
      'portico_vault_audit_verification_failures_total',
      () =>
        new Counter({
          name: 'portico_vault_audit_verification_failures_total',
          help: 'Verifications of the id-vault audit log that found it tampered with (edited, deleted or truncated rows, forged heads)',
          registers: [registry],
        }),
    ),
  };
}

export function countAppend(metrics: AuditMetrics | undefined, action: AuditAction): void {
  metrics?.entries.inc({ action });
}
