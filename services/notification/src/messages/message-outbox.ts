import { Inject, Injectable } from '@nestjs/common';
import { injectTraceContext, type Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import type { Language } from '../directory/directory.types';
import type { ParcelIdentity } from '../outreach/outreach-events';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import type { MessageVariables, RecipientRole } from './message';
import { MessagesRepository, type NewMessage } from './messages.repository';
import type { MessageTemplate } from './templates';

export interface EnqueueRequest {
  /** One message per purpose, e.g. `task:<task id>:steward:<staff id>`; a repeat is ignored. */
  readonly dedupeKey: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly taskId: string | null;
  readonly caseId: string | null;
  readonly parcel: ParcelIdentity;
  readonly recipient: { readonly role: RecipientRole; readonly id: string };
  readonly template: Pick<MessageTemplate, 'id' | 'version'>;
  readonly language: Language;
  /** Ids, codes and times only: the row must never hold personal data. */
  readonly variables: MessageVariables;
  readonly channelPlan: readonly ChannelKind[];
  /** Not before this time (quiet hours, decided by the caller); default now. */
  readonly notBefore?: Date;
  /** A steward's free text for this message (re-upload request): its own column, blanked when finished, never logged. */
  readonly stewardNote?: string | null;
}

/**
 * Puts messages into the durable queue inside the caller's transaction: the message commits with
 * the state change that caused it (a task), or neither does. The caller never waits for a
 * channel; the MessageWorker sends.
 */
@Injectable()
export class MessageOutbox {
  private readonly log: Logger;

  constructor(
    private readonly repo: MessagesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'messages' });
  }

  /** @returns the new message's id, or null when its dedupe key was already queued or it has no channel. */
  async enqueue(m: EntityManager, req: EnqueueRequest): Promise<string | null> {
    const [id] = await this.enqueueMany(m, [{ request: req }]);
    return id ?? null;
  }

  /**
   * enqueue for a batch handler's chunk: ONE insert for all the requests. Each row stores the
   * trace context of its own item (`inTrace`: the record's trace), and each "message queued" line
   * is logged in it, so a message sent later stays in its parcel's trace.
   * @returns per request, in order, the new message's id or null (dedupe key already queued —
   *   also by an earlier request of the same batch — or no channel).
   */
  async enqueueMany(m: EntityManager, items: readonly EnqueueItem[]): Promise<Array<string | null>> {
    if (!m.queryRunner?.isTransactionActive) {
      throw new Error('MessageOutbox.enqueue needs the EntityManager of an open transaction');
    }
    const now = this.clock();
    const rows: Array<NewMessage | null> = [];
    for (const { request: req, inTrace } of items) {
      if (req.channelPlan.length === 0) {
        rows.push(null);
        continue;
      }
      const trace = inTrace
        ? await inTrace(() => Promise.resolve(injectTraceContext({})))
        : injectTraceContext({});
      rows.push({
        id: this.newId('msg'),
        dedupeKey: req.dedupeKey,
        tenantId: req.tenantId,
        propertyId: req.propertyId,
        taskId: req.taskId,
        caseId: req.caseId,
        parcelId: req.parcel.parcelId,
        carrierCode: req.parcel.carrierCode,
        trackingNumber: req.parcel.trackingNumber,
        recipientRole: req.recipient.role,
        recipientId: req.recipient.id,
        templateId: req.template.id,
        templateVersion: req.template.version,
        language: req.language,
        variables: req.variables,
        channelPlan: req.channelPlan,
        nextAttemptAt: req.notBefore && req.notBefore > now ? req.notBefore : now,
        traceparent: trace.traceparent ?? null,
        tracestate: trace.tracestate ?? null,
        stewardNote: req.stewardNote ?? null,
      });
    }
    const inserted = await this.repo.insertMany(
      m,
      rows.filter((r): r is NewMessage => r !== null),
    );
    const ids: Array<string | null> = [];
    for (const [i, row] of rows.entries()) {
      if (!row || !inserted.has(row.id)) {
        ids.push(null);
        continue;
      }
      const { request: req, inTrace } = items[i]!;
      const log = () =>
        this.log.info(
          {
            messageId: row.id,
            taskId: req.taskId,
            parcelId: req.parcel.parcelId,
            recipientRole: req.recipient.role,
            recipientId: req.recipient.id,
            templateRef: `${req.template.id}@${req.template.version}`,
            channels: req.channelPlan,
          },
          'message queued',
        );
      if (inTrace) await inTrace(() => Promise.resolve(log()));
      else log();
      ids.push(row.id);
    }
    return ids;
  }
}

/** One request of enqueueMany, with the trace it belongs to (a batch handler's record). */
export interface EnqueueItem {
  readonly request: EnqueueRequest;
  readonly inTrace?: <T>(work: () => Promise<T>) => Promise<T>;
}
