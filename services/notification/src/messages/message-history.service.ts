import { Inject, Injectable } from '@nestjs/common';
import type { MessageView } from '@portico/contracts';
import type { Principal } from '@portico/auth';
import { canAccessTenant } from '@portico/auth';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { OutreachMetrics } from '../outreach/outreach.metrics';
import { TaskNotFoundError } from '../outreach/task-action-errors';
import { readScope } from '../outreach/task-access';
import { toMessageView, type MessageHistoryQuery } from './message-history';
import { MessageHistoryRepository, type MessageHistoryFilter } from './message-history.repository';

/**
 * Messages and their delivery status for the steward's timeline, scoped exactly like the task list
 * (readScope); by task like the task actions (a task the caller may not see is 404).
 */
@Injectable()
export class MessageHistoryService {
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly history: MessageHistoryRepository,
    private readonly metrics: OutreachMetrics,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'message-history' });
  }

  async list(caller: Principal, query: MessageHistoryQuery): Promise<MessageView[]> {
    const filter: MessageHistoryFilter = {
      parcelId: query.parcelId,
      caseId: query.caseId,
      taskId: query.taskId,
      limit: query.limit,
      ...readScope(caller, query),
    };
    const items = await this.uow.read((m) => this.read(m, caller, filter));
    this.metrics.read('messages', items.length);
    this.log.info(
      { parcelId: query.parcelId, caseId: query.caseId, taskId: query.taskId, items: items.length },
      'message history read',
    );
    return items;
  }

  async forTask(caller: Principal, taskId: string): Promise<MessageView[]> {
    const items = await this.uow.read(async (m) => {
      const task = await this.history.taskScope(m, taskId);
      if (!task || !canAccessTenant(caller, task)) throw new TaskNotFoundError(taskId);
      return this.read(m, caller, {
        taskId,
        limit: 200,
        tenantId: task.tenantId,
        propertyIds: [task.propertyId],
      });
    });
    this.metrics.read('task_messages', items.length);
    this.log.info({ taskId, items: items.length }, 'message history read');
    return items;
  }

  private async read(
    m: EntityManager,
    caller: Principal,
    filter: MessageHistoryFilter,
  ): Promise<MessageView[]> {
    // defence in depth, as for tasks: a row the scope should have excluded is dropped, never shown
    const rows = (await this.history.list(m, filter)).filter((r) => canAccessTenant(caller, r));
    const attempts = await this.history.attempts(
      m,
      rows.map((r) => r.id),
    );
    return rows.map((r) =>
      toMessageView(
        r,
        attempts.filter((a) => a.messageId === r.id),
      ),
    );
  }
}
