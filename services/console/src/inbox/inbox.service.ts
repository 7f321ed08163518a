import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Session } from '../sessions/session';
import { ConsoleMetrics } from '../shared/console-metrics';
import { recordStewardAction } from '../shared/steward-action';
import { UpstreamClient } from '../upstream/upstream-client';
import { sortByUrgency, type UrgencyFacts } from './urgency';

/** An outreach task as notification lists it (only the fields the console relies on are typed). */
export interface OutreachTask extends UrgencyFacts {
  readonly tenantId: string;
  readonly propertyId: string;
  readonly caseId: string | null;
  readonly state: string;
  readonly [field: string]: unknown;
}

/** The steward's inbox and one-click task actions, through notification's API. */
@Injectable()
export class InboxService {
  readonly logger = new Logger('inbox');

  constructor(
    private readonly upstream: UpstreamClient,
    readonly metrics: ConsoleMetrics,
  ) {}

  async list(
    session: Session,
    query: { propertyId?: string; caseId?: string; state: 'open' | 'acknowledged' | 'active' | 'closed' },
  ): Promise<OutreachTask[]> {
    const states = query.state === 'active' ? ['open', 'acknowledged'] : [query.state];
    const pages = await Promise.all(
      states.map((state) => {
        const params = new URLSearchParams({ state, limit: '200' });
        if (query.propertyId) params.set('propertyId', query.propertyId);
        if (query.caseId) params.set('caseId', query.caseId);
        return this.upstream.json<{ items: OutreachTask[] }>(session, 'notification', 'GET', `/v1/outreach/tasks?${params}`);
      }),
    );
    return sortByUrgency(pages.flatMap((p) => p.items));
  }

  async actions(session: Session, taskId: string): Promise<unknown> {
    return this.upstream.json(session, 'notification', 'GET', `/v1/outreach/tasks/${encodeURIComponent(taskId)}/actions`);
  }

  /** Acknowledge; the idempotency key makes a double click (or a retried request) record one action. */
  acknowledge(session: Session, taskId: string, idempotencyKey: string | undefined): Promise<unknown> {
    return this.taskAction(session, taskId, 'acknowledge', {}, idempotencyKey);
  }

  /** The steward sent the script (or called): notification records the contact, acknowledging an open task too. */
  contacted(session: Session, taskId: string, channel: string, idempotencyKey: string | undefined): Promise<unknown> {
    return this.taskAction(session, taskId, 'contacted', { channel }, idempotencyKey);
  }

  private taskAction(session: Session, taskId: string, action: 'acknowledge' | 'contacted', body: object, idempotencyKey: string | undefined) {
    trace.getActiveSpan()?.setAttributes({ 'portico.task_id': taskId });
    return recordStewardAction(this, action, { taskId, accountId: session.account.id }, () =>
      this.upstream.json(session, 'notification', 'POST', `/v1/outreach/tasks/${encodeURIComponent(taskId)}/${action}`, body, {
        'idempotency-key': idempotencyKey ?? randomUUID(),
      }),
    );
  }
}
