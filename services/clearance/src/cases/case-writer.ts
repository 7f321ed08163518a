import { Injectable } from '@nestjs/common';
import { CLEARANCE_CASE_TOPIC, ClearanceCaseEventSchema, type ClearanceCaseEvent } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { CaseTransition, ClearanceCase } from './case';
import { CaseRepository } from './case.repository';

/** A case changed under a concurrent transaction: the event (or timer) is retried. */
export class ConcurrentCaseUpdateError extends Error {
  constructor(readonly caseId: string) {
    super(`clearance case ${caseId} changed while it was being updated; the event will be retried`);
    this.name = 'ConcurrentCaseUpdateError';
  }
}

/**
 * The one way a case change is written: row (optimistic version check), history rows, events on
 * `clearance.case.v1` through the outbox, one log line per transition, all through the caller's
 * transaction. Event consumers, timer handlers and HTTP commands share it, so "every transition has
 * its history row and its event" holds by construction.
 */
@Injectable()
export class CaseWriter {
  constructor(
    private readonly cases: CaseRepository,
    private readonly outbox: OutboxWriter,
    @InjectPinoLogger('clearance-cases') private readonly logger: PinoLogger,
  ) {}

  async change(
    m: EntityManager,
    before: ClearanceCase,
    next: ClearanceCase,
    transitions: readonly CaseTransition[],
    events: readonly ClearanceCaseEvent[],
  ): Promise<void> {
    if (!(await this.cases.saveTransition(m, next, before.version))) {
      throw new ConcurrentCaseUpdateError(before.id);
    }
    await this.cases.addTransitions(m, transitions);
    await this.publish(m, next, events);
    for (const t of transitions) this.logTransition(next, t);
  }

  publish(m: EntityManager, c: ClearanceCase, events: readonly ClearanceCaseEvent[]): Promise<unknown> {
    return this.publishAll(
      m,
      events.map((event) => ({ case: c, event })),
    );
  }

  /** Events of several cases in one outbox statement (timer batches). */
  publishAll(
    m: EntityManager,
    items: ReadonlyArray<{ readonly case: ClearanceCase; readonly event: ClearanceCaseEvent }>,
  ): Promise<unknown> {
    if (items.length === 0) return Promise.resolve();
    return this.outbox.appendMany(
      m,
      items.map(({ case: c, event: message }) => ({
        topic: CLEARANCE_CASE_TOPIC.name,
        // Keyed by the parcel id, like every Portico topic: one consumer sees a parcel's events in order.
        key: c.parcel.parcelId,
        tenantId: c.tenantId,
        schema: ClearanceCaseEventSchema,
        message,
      })),
    );
  }

  /** Ids and states only: a transition line must be safe to ship to any log store. */
  logTransition(c: ClearanceCase, t: CaseTransition): void {
    this.logger.info(
      {
        caseId: c.id,
        parcelId: c.parcel.parcelId,
        tenantId: c.tenantId,
        from: t.from,
        to: t.to,
        cause: t.cause,
        causeEventId: t.causeEventId,
      },
      `case ${t.from ?? 'created'} -> ${t.to}`,
    );
  }
}
