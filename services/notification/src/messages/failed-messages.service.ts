import { Inject, Injectable } from '@nestjs/common';
import type { MessageView } from '@portico/contracts';
import type { Principal } from '@portico/auth';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import { CLOCK, type Clock } from '../shared/tokens';
import {
  MessageNotFoundError,
  MessageNotRedrivableError,
  redriveRefusal,
  type FailedMessagesQuery,
} from './failed-messages';
import { FailedMessagesRepository } from './failed-messages.repository';
import { toMessageView } from './message-history';
import { MessageHistoryRepository } from './message-history.repository';
import { MessagesMetrics } from './messages.metrics';

/**
 * Operators: messages that failed for good (every channel refused, or a late receipt), newest
 * failure first, and re-driving one. The re-drive records nothing but the queue change and a log
 * line with the operator's user id; the attempt it leads to emits MessageSent / MessageFailed.
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

  async redrive(caller: Principal, messageId: string): Promise<{ messageId: string; status: 'queued' }> {
    await this.uow.transaction(async (m) => {
      const found = await this.repo.lockForRedrive(m, messageId);
      if (!found) throw new MessageNotFoundError(messageId);
      const refusal = redriveRefusal({ status: found.row.status, ...found }, this.clock());
      if (refusal) {
        this.metrics.redriven(refusal);
        throw new MessageNotRedrivableError(messageId, refusal);
      }
      await this.repo.requeue(m, messageId, this.clock());
      this.metrics.redriven('queued');
      this.log.info(
        {
          messageId,
          taskId: found.row.taskId,
          parcelId: found.row.parcelId,
          operatorId: caller.kind === 'person' ? caller.subject : null,
          lastErrorCode: found.row.lastErrorCode,
        },
        'failed message re-driven',
      );
    });
    return { messageId, status: 'queued' };
  }
}
