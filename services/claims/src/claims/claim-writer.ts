import { Injectable } from '@nestjs/common';
import { CLAIMS_CLAIM_TOPIC, ClaimEventSchema, type ClaimEvent } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { Claim, ClaimTransition } from './claim';
import { ClaimMetrics } from './claim-metrics';
import { ClaimRepository } from './claim.repository';

/** A claim changed under a concurrent transaction: the event (or timer, or request) is retried. */
export class ConcurrentClaimUpdateError extends Error {
  constructor(readonly claimId: string) {
    super(`claim ${claimId} changed while it was being updated; the work will be retried`);
    this.name = 'ConcurrentClaimUpdateError';
  }
}

/**
 * The one way a claim change is written: row (optimistic version check), history rows, events on
 * `claims.claim.v1` through the outbox, one log line per transition, all in the caller's
 * transaction. Consumers, timer handlers, the carrier worker and HTTP commands share it, so
 * "every transition has its history row and its event" holds by construction.
 */
@Injectable()
export class ClaimWriter {
  constructor(
    private readonly claims: ClaimRepository,
    private readonly outbox: OutboxWriter,
    private readonly metrics: ClaimMetrics,
    @InjectPinoLogger('claims') private readonly logger: PinoLogger,
  ) {}

  /** A new claim: false (nothing written) when the parcel already has this incident or an open claim. */
  async open(m: EntityManager, c: Claim, opened: ClaimEvent): Promise<boolean> {
    return (await this.openMany(m, [{ claim: c, opened }])).has(c.id);
  }

  /**
   * open() for several claims with a handful of statements whatever their number (claims, their
   * first transition, their ClaimOpened events). @returns the ids that were opened; the others
   * met an existing claim and wrote nothing.
   */
  async openMany(
    m: EntityManager,
    items: ReadonlyArray<{ claim: Claim; opened: ClaimEvent }>,
  ): Promise<Set<string>> {
    const inserted = await this.claims.insertMany(
      m,
      items.map((i) => i.claim),
    );
    const opened = items.filter((i) => inserted.has(i.claim.id));
    const transitions = opened.map(({ claim: c }): ClaimTransition => ({
      claimId: c.id,
      from: null,
      to: c.state,
      at: c.openedAt,
      cause: c.origin === 'detection' ? `detected:${c.reason}` : 'reported',
      actorId: c.openedBy,
      causeEventId: c.triggerEventId || null,
    }));
    await this.claims.addTransitions(m, transitions);
    await this.publishMany(
      m,
      opened.map((i) => ({ claim: i.claim, events: [i.opened] })),
    );
    opened.forEach(({ claim }, n) => {
      this.logTransition(claim, transitions[n]!);
      this.metrics.claimOpened(claim);
    });
    return inserted;
  }

  async change(
    m: EntityManager,
    before: Claim,
    next: Claim,
    transitions: readonly ClaimTransition[],
    events: readonly ClaimEvent[],
  ): Promise<void> {
    if (!(await this.claims.save(m, next, before.version))) throw new ConcurrentClaimUpdateError(before.id);
    await this.claims.addTransitions(m, transitions);
    await this.publish(m, next, events);
    for (const t of transitions) this.logTransition(next, t);
    if (before.closedAt === null && next.closedAt !== null && next.closeReason) {
      this.metrics.claimClosed(next, next.closeReason, next.closedAt);
    }
  }

  publish(m: EntityManager, c: Claim, events: readonly ClaimEvent[]): Promise<unknown> {
    return this.publishMany(m, [{ claim: c, events }]);
  }

  /** Every claim's events in one outbox INSERT, in the given order. */
  private publishMany(
    m: EntityManager,
    batches: ReadonlyArray<{ claim: Claim; events: readonly ClaimEvent[] }>,
  ): Promise<unknown> {
    const all = batches.flatMap(({ claim: c, events }) =>
      events.map((message) => ({
        topic: CLAIMS_CLAIM_TOPIC.name,
        // Keyed by parcel id like every Portico topic: one consumer sees a parcel's events in order.
        key: c.parcel.parcelId,
        tenantId: c.tenantId,
        schema: ClaimEventSchema,
        message,
      })),
    );
    if (all.length === 0) return Promise.resolve();
    return this.outbox.appendMany(m, all);
  }

  /** Ids and states only: a transition line must be safe to ship to any log store. */
  private logTransition(c: Claim, t: ClaimTransition): void {
    this.logger.info(
      {
        claimId: c.id,
        parcelId: c.parcel.parcelId,
        tenantId: c.tenantId,
        from: t.from,
        to: t.to,
        cause: t.cause,
        causeEventId: t.causeEventId,
      },
      `claim ${t.from ?? 'opened'} -> ${t.to}`,
    );
  }
}
