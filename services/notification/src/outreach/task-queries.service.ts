import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@portico/auth';
import type { TaskSearchSteward } from '@portico/contracts';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import { OutreachMetrics } from './outreach.metrics';
import { OutreachRepository } from './outreach.repository';
import {
  scopedTaskSearch,
  toSearchHit,
  toStewardOptions,
  type TaskSearchBody,
  type TaskSearchHit,
} from './task-search';
import { scopedTaskFilter, toTaskView, visibleTo, type TaskQuery, type TaskView } from './task-access';

/** The steward read side: tasks narrowed to what the caller may see, names only where allowed. */
@Injectable()
export class TaskQueriesService {
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tasks: OutreachRepository,
    private readonly metrics: OutreachMetrics,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'outreach-search' });
  }

  async listTasks(caller: Principal, query: TaskQuery): Promise<TaskView[]> {
    const filter = scopedTaskFilter(caller, query);
    const rows = await this.uow.read((m) => this.tasks.list(m, filter));
    return rows.filter((r) => visibleTo(caller, r)).map((r) => toTaskView(caller, r));
  }

  /**
   * Tasks by tracking number, unit or resident name, matched in the database within the caller's
   * scope, plus the stewards of that scope for the filter. The text is never logged: counts only.
   */
  async search(
    caller: Principal,
    body: TaskSearchBody,
  ): Promise<{ items: TaskSearchHit[]; stewards: TaskSearchSteward[] }> {
    const filter = scopedTaskSearch(caller, body);
    const [rows, stewards] = await this.uow.read((m) =>
      Promise.all([this.tasks.search(m, filter), this.tasks.stewards(m, filter)]),
    );
    const items = rows.filter((r) => visibleTo(caller, r)).map((r) => toSearchHit(caller, r));
    this.metrics.read('search', items.length);
    this.log.info(
      {
        hits: items.length,
        byName: items.filter((i) => i.matched.includes('resident')).length,
        propertyId: body.propertyId,
      },
      'task search',
    );
    return { items, stewards: toStewardOptions(caller, filter.tenantId, stewards) };
  }
}
