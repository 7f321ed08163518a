import { Inject, Injectable } from '@nestjs/common';
import { TimerScheduler } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import { purgeDueAt } from '../cases/vault-case';
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
   * At a case's end: every live document of the case, `purgeAfterDays` after it. Called once per
   * case (closing is idempotent upstream), so last-wins rescheduling cannot be replayed into a delay.
   */
  async scheduleCasePurge(m: EntityManager, caseId: string, closedAt: Date): Promise<number> {
    const docs = (await m.query(`SELECT id FROM documents WHERE case_id = $1 AND status <> 'purged'`, [
      caseId,
    ])) as Array<{ id: string }>;
    const dueAt = purgeDueAt(closedAt, this.purgeAfterDays);
    await this.timers.scheduleMany<PurgeTimerPayload>(
      m,
      docs.map((d) => ({
        key: purgeTimerKey(d.id),
        kind: PURGE_TIMER_KIND,
        dueAt,
        payload: { documentId: d.id },
      })),
    );
    return docs.length;
  }
}
