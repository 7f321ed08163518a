import { Inject, Injectable } from '@nestjs/common';
import { TimerScheduler } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import { backstopPurgeAt, purgeDueAt, type VaultCase } from '../cases/vault-case';
import { RETENTION_DAYS } from '../shared/tokens';

export const PURGE_TIMER_KIND = 'document_purge';

export interface PurgeTimerPayload {
  readonly documentId: string;
}

export function purgeTimerKey(documentId: string): string {
  return `purge:${documentId}`;
}

/**
 * Retention as durable timers (one per document): a restart loses none, and moving a purge is
 * rescheduling its key. The purge itself is RetentionService's.
 */
@Injectable()
export class RetentionScheduler {
  private readonly timers = new TimerScheduler();

  constructor(@Inject(RETENTION_DAYS) private readonly purgeAfterDays: number) {}

  /** At upload: the backstop purge (see backstopPurgeAt). */
  async scheduleDocumentPurge(m: EntityManager, documentId: string, dueAt: Date): Promise<void> {
    await this.timers.schedule<PurgeTimerPayload>(m, {
      key: purgeTimerKey(documentId),
      kind: PURGE_TIMER_KIND,
      dueAt,
      payload: { documentId },
    });
  }

  /**
   * At a case's end: every live document of the case is purged `purgeAfterDays` after it, or at its
   * backstop when that is earlier (a case closed after its deadline must not keep documents longer
   * than the deadline promised). Called once per case (closing is idempotent upstream).
   */
  async scheduleCasePurge(
    m: EntityManager,
    c: Pick<VaultCase, 'caseId' | 'deadline'>,
    closedAt: Date,
  ): Promise<number> {
    const docs = (await m.query(
      `SELECT id, submitted_at FROM documents WHERE case_id = $1 AND status <> 'purged'`,
      [c.caseId],
    )) as Array<{ id: string; submitted_at: Date }>;
    const byClosure = purgeDueAt(closedAt, this.purgeAfterDays);
    await this.timers.scheduleMany<PurgeTimerPayload>(
      m,
      docs.map((d) => {
        const backstop = backstopPurgeAt(c, d.submitted_at, this.purgeAfterDays);
        return {
          key: purgeTimerKey(d.id),
          kind: PURGE_TIMER_KIND,
          dueAt: backstop < byClosure ? backstop : byClosure,
          payload: { documentId: d.id },
        };
      }),
    );
    return docs.length;
  }

  /**
   * The case's deadline moved while it is open: each live document's backstop moves with it, so an
   * extended deadline does not purge documents the case still needs (nor keep them past a shortened one).
   */
  async rescheduleBackstops(m: EntityManager, c: Pick<VaultCase, 'caseId' | 'deadline'>): Promise<number> {
    const docs = (await m.query(
      `SELECT id, submitted_at FROM documents WHERE case_id = $1 AND status <> 'purged'`,
      [c.caseId],
    )) as Array<{ id: string; submitted_at: Date }>;
    await this.timers.scheduleMany<PurgeTimerPayload>(
      m,
      docs.map((d) => ({
        key: purgeTimerKey(d.id),
        kind: PURGE_TIMER_KIND,
        dueAt: backstopPurgeAt(c, d.submitted_at, this.purgeAfterDays),
        payload: { documentId: d.id },
      })),
    );
    return docs.length;
  }
}
