import { Injectable } from '@nestjs/common';
import type { Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import { OutreachRepository } from './outreach.repository';
import { scopedTaskFilter, toTaskView, visibleTo, type TaskQuery, type TaskView } from './task-access';

/** The steward read side: tasks narrowed to what the caller may see, names only where allowed. */
@Injectable()
export class TaskQueriesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tasks: OutreachRepository,
  ) {}

  async listTasks(caller: Principal, query: TaskQuery): Promise<TaskView[]> {
    const filter = scopedTaskFilter(caller, query);
    const rows = await this.uow.read((m) => this.tasks.list(m, filter));
    return rows.filter((r) => visibleTo(caller, r)).map((r) => toTaskView(caller, r));
  }
}
