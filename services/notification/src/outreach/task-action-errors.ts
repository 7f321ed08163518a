import { BadRequestError, ConflictError, NotFoundError } from '@portico/service-kit';

/** Also for a task of another tenant or property: its existence is not the caller's business. */
export class TaskNotFoundError extends NotFoundError {
  constructor(taskId: string) {
    super('task_not_found', { en: 'There is no such outreach task.', zh: '没有这个外联任务。' }, { taskId });
  }
}

export class TaskClosedError extends ConflictError {
  constructor(taskId: string) {
    super(
      'task_closed',
      {
        en: 'This task is already closed; the case has moved on.',
        zh: '这个任务已经关闭，案件已有进展。',
      },
      { taskId },
    );
  }
}

export class TaskHasNoResidentError extends ConflictError {
  constructor(taskId: string) {
    super(
      'task_has_no_resident',
      {
        en: 'This task is not linked to a resident yet; link the parcel at the front desk first.',
        zh: '这个任务尚未关联住户，请先在前台关联包裹。',
      },
      { taskId },
    );
  }
}

export class NotAColleagueError extends BadRequestError {
  constructor(staffId: string) {
    super(
      'not_a_colleague',
      {
        en: 'The task can only be handed to a steward or manager of the same property.',
        zh: '任务只能转交给同一物业的管家或经理。',
      },
      { staffId },
    );
  }
}

export class SameAssigneeError extends BadRequestError {
  constructor() {
    super('same_assignee', {
      en: 'The task is already assigned to this person.',
      zh: '任务已经分配给此人。',
    });
  }
}
