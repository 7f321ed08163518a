import { Inject, Injectable } from '@nestjs/common';
import type { MessageView } from '@portico/contracts';
import type { Principal } from '@portico/auth';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import { CLOCK, type Clock } from '../shared/tokens';
import {
  MessageNotFoundError,
  MessageNotRedrivableError,
  noteDropped,
  REDRIVE_OUTCOMES,
  redriveRefusal,
  tallyRedrives,
  type BulkRedriveFilter,
  type FailedMessagesQuery,
  type RedriveOutcome,
} from './failed-messages';
import { FailedMessagesRepository } from './failed-messages.repository';
import { toMessageView } from './message-history';
import { MessageHistoryRepository } from './message-history.repository';
import { MessagesMetrics } from './messages.metrics';

/**
 * Operators: messages that failed for good (every channel refused, or a late receipt), newest
 * failure first, and re-driving one or a filtered batch. The re-drive records nothing but the
 * queue change and a log line with the operator's user id; the attempt it leads to emits
 * MessageSent / MessageFailed.
 */
@Injectable()
export class FailedMessagesService {
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: FailedMessagesRepository,
    private readonly history: MessageHistoryRepository,
    private readonly metrics: MessagesMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'messages' });
  }

  async list(query: FailedMessagesQuery): Promise<MessageView[]> {
    return this.uow.read(async (m) => {
      const rows = await this.repo.failed(m, query);
      const attempts = await this.history.attempts(
        m,
        rows.map((r) => r.id),
      );
      this.log.info({ tenantId: query.tenantId, items: rows.length }, 'failed messages read');
      return rows.map((r) =>
        toMessageView(
          r,
          attempts.filter((a) => a.messageId === r.id),
        ),
      );
    });
  }

  async redrive(caller: Principal, messageId: string): Promise<RedriveAnswer> {
    return this.uow.transaction(async (m) => {
      const now = this.clock();
      const [found] = await this.repo.lockForRedrive(m, [messageId]);
      if (!found) throw new MessageNotFoundError(messageId);
      const refusal = redriveRefusal(found, now);
      if (refusal) {
        this.metrics.redriven(refusal);
        throw new MessageNotRedrivableError(messageId, refusal);
      }
      await this.repo.requeue(m, [messageId], now);
      this.metrics.redriven('queued');
      const dropped = noteDropped(found);
      this.log.info(
        {
          messageId,
          taskId: found.taskId,
          parcelId: found.parcelId,
          operatorId: operatorOf(caller),
          lastErrorCode: found.lastErrorCode,
          noteDropped: dropped,
        },
        'failed message re-driven',
      );
      return { messageId, status: 'queued' as const, noteDropped: dropped };
    });
  }

  /**
   * Re-drives up to `filter.limit` of a tenant's failed messages in one transaction, each decided
   * by the single re-drive's rule. A message already queued again is no longer failed, so a
   * repeated call does not queue it twice. One log line and one metric update per outcome for the
   * call, never one per message.
   */
  async redriveMany(caller: Principal, filter: BulkRedriveFilter): Promise<BulkRedriveAnswer> {
    const tally = await this.uow.transaction(async (m) => {
      const now = this.clock();
      const ids = await this.repo.redriveCandidates(m, filter, now);
      const result = tallyRedrives(await this.repo.lockForRedrive(m, ids), now);
      await this.repo.requeue(m, result.queued, now);
      return result;
    });
    for (const outcome of REDRIVE_OUTCOMES) this.metrics.redriven(outcome, tally.counts[outcome]);
    this.log.info(
      {
        bulk: true,
        tenantId: filter.tenantId,
        operatorId: operatorOf(caller),
        filter: {
          since: filter.since,
          until: filter.until,
          channel: filter.channel,
          errorCode: filter.errorCode,
          limit: filter.limit,
        },
        counts: tally.counts,
        noteDropped: tally.noteDropped.length,
      },
      'failed message re-driven',
    );
    return { counts: tally.counts, queuedIds: tally.queued, noteDroppedIds: tally.noteDropped };
  }
}

export interface RedriveAnswer {
  readonly messageId: string;
  readonly status: 'queued';
  /** The message goes without the steward's note it was queued with (its keep window ended). */
  readonly noteDropped: boolean;
}

export interface BulkRedriveAnswer {
  readonly counts: Record<RedriveOutcome, number>;
  readonly queuedIds: string[];
  readonly noteDroppedIds: string[];
}

function operatorOf(caller: Principal): string | null {
  return caller.kind === 'person' ? caller.subject : null;
}
