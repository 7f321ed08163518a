import { Inject, Injectable } from '@nestjs/common';
import type { ClearanceCaseEvent } from '@portico/contracts';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { isOpen, type CaseTransition, type ClearanceCase } from '../cases/case';
import { CaseActivityRepository } from '../cases/case-activity.repository';
import {
  documentsReceivedEvent,
  documentsRejectedEvent,
  documentsRequestedEvent,
  reviewStartedEvent,
  submittedToCarrierEvent,
} from '../cases/case-events';
import type { CaseState } from '../cases/case-state';
import { CaseMetrics } from '../cases/case-metrics';
import { steps } from '../cases/case-step';
import { CaseWriter } from '../cases/case-writer';
import { CaseRepository } from '../cases/case.repository';
import { CaseTimers } from '../deadlines/case-timers';
import { CLOCK, type Clock } from '../shared/tokens';
import { CaseDocumentRepository } from './case-document.repository';
import {
  allAtLeast,
  channelOf,
  currentDocuments,
  typesToReupload,
  type CaseDocument,
} from './document-round';
import {
  rejectionReasonToContract,
  type DocumentApprovedNotice,
  type DocumentRejectedNotice,
  type DocumentRelayedNotice,
  type DocumentSubmittedNotice,
} from './vault-event';

/** What an id-vault event did to its case (the consumer span's `portico.clearance.outcome`). */
export type DocumentOutcome =
  | { readonly kind: 'moved'; readonly to: CaseState }
  | { readonly kind: 'recorded' }
  | {
      readonly kind: 'ignored';
      readonly reason: 'unknown_case' | 'case_closed' | 'repeated' | 'unknown_document';
    };

type Move = Parameters<typeof steps>[1][number];

/**
 * Moves a case through documents received -> under review -> (rejected -> awaiting documents) ->
 * submitted to carrier, from what id-vault reports. id-vault decides about each document; this
 * service decides what the set of documents means for the case:
 *
 * - received when every required type has a current (not rejected) document;
 * - under review from the first verdict on them;
 * - one rejected document rejects the round and asks again for what is missing (the same
 *   transaction emits DocumentsRejected then DocumentsRequested with the reasons);
 * - submitted to the carrier when every current document was relayed.
 *
 * Everything runs in the consumer's transaction with the case row locked, so two verdicts of one
 * case never interleave.
 */
@Injectable()
export class CaseDocumentsService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly documents: CaseDocumentRepository,
    private readonly activity: CaseActivityRepository,
    private readonly writer: CaseWriter,
    private readonly timers: CaseTimers,
    private readonly metrics: CaseMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('clearance-documents') private readonly logger: PinoLogger,
  ) {}

  async submitted(m: EntityManager, n: DocumentSubmittedNotice): Promise<DocumentOutcome> {
    const c = await this.openCase(m, n);
    if (!c) return this.unknownOrClosed(m, n);
    const doc: CaseDocument = {
      documentId: n.documentId,
      round: Math.max(1, c.documentsRound),
      type: n.type,
      uploadRequestId: n.uploadRequestId,
      channel: n.channel,
      status: 'submitted',
      grantId: null,
      submittedAt: n.occurredAt,
    };
    if (!(await this.documents.addSubmitted(m, c.id, doc))) return { kind: 'ignored', reason: 'repeated' };
    const all = await this.documents.documentsOf(m, c.id);
    if (c.state !== 'awaiting_documents' || !allAtLeast(c.requiredDocuments, all, 'submitted')) {
      return { kind: 'recorded' };
    }
    const now = this.clock();
    const current = [...currentDocuments(c.requiredDocuments, all).values()];
    const { next, transitions } = steps(
      c,
      [
        {
          command: 'receive_documents',
          changes: { documentsReceivedAt: now, documentsChannel: channelOf(current) },
        },
      ],
      'documents_submitted',
      n.eventId,
      now,
    );
    await this.writer.change(m, c, next, transitions, [
      documentsReceivedEvent(
        next,
        current.map((d) => d.documentId),
        n.uploadRequestId,
        now,
      ),
    ]);
    await this.timers.documentsIn(m, c.id);
    this.metrics.documentsReceived(next.documentsChannel ?? 'secure_upload');
    return { kind: 'moved', to: next.state };
  }

  async approved(m: EntityManager, n: DocumentApprovedNotice): Promise<DocumentOutcome> {
    const c = await this.openCase(m, n);
    if (!c) return this.unknownOrClosed(m, n);
    const now = this.clock();
    if (
      !(await this.documents.decide(m, c.id, n.documentId, 'approved', ['submitted'], {
        at: now,
        reviewerId: n.stewardId,
      }))
    ) {
      return { kind: 'ignored', reason: 'unknown_document' };
    }
    await this.reviewed(m, c, n, n.stewardId);
    if (c.state !== 'documents_received') return { kind: 'recorded' };
    const all = await this.documents.documentsOf(m, c.id);
    return this.move(m, c, [{ command: 'start_review' }], 'document_reviewed', n.eventId, now, (next) => [
      reviewStartedEvent(next, n.stewardId, roundDocumentIds(c, all), now),
    ]);
  }

  async rejected(m: EntityManager, n: DocumentRejectedNotice): Promise<DocumentOutcome> {
    const c = await this.openCase(m, n);
    if (!c) return this.unknownOrClosed(m, n);
    const now = this.clock();
    if (
      !(await this.documents.decide(m, c.id, n.documentId, 'rejected', ['submitted', 'approved', 'relayed'], {
        at: now,
        reviewerId: n.stewardId,
        rejectionReason: n.reason,
      }))
    ) {
      return { kind: 'ignored', reason: 'unknown_document' };
    }
    if (n.stewardId) await this.reviewed(m, c, n, n.stewardId);
    // A verdict on a document the resident is already replacing: recorded, nothing more to ask.
    if (!['documents_received', 'under_review', 'submitted_to_carrier'].includes(c.state)) {
      return { kind: 'recorded' };
    }
    const all = await this.documents.documentsOf(m, c.id);
    const round = c.documentsRound + 1;
    const reasons = [rejectionReasonToContract(n.reason)];
    const moves: Move[] = [
      ...(c.state === 'documents_received' ? [{ command: 'start_review' } as Move] : []),
      { command: 'reject_documents' },
      {
        command: 'request_documents',
        changes: {
          documentsRound: round,
          ackDueAt: this.timers.ackDueAt(c, now),
          acknowledgedAt: null,
          ackSlaBreachedAt: null,
          documentsReceivedAt: null,
          documentsChannel: null,
        },
      },
    ];
    const outcome = await this.move(m, c, moves, 'document_rejected', n.eventId, now, (next) => {
      const events: ClearanceCaseEvent[] = [];
      if (c.state === 'documents_received') {
        events.push(reviewStartedEvent(next, n.stewardId, roundDocumentIds(c, all), now));
      }
      events.push(
        documentsRejectedEvent(
          { ...next, state: 'rejected', documentsRound: c.documentsRound },
          { documentIds: [n.documentId], reasons, stewardId: n.stewardId },
          now,
        ),
        documentsRequestedEvent(next, round, now, reasons, typesToReupload(c.requiredDocuments, all)),
      );
      return events;
    });
    await this.timers.documentsRequested(m, c, round, now);
    if (c.documentsRound === 1) this.metrics.firstRound('rejected');
    return outcome;
  }

  async relayed(m: EntityManager, n: DocumentRelayedNotice): Promise<DocumentOutcome> {
    const c = await this.openCase(m, n);
    if (!c) return this.unknownOrClosed(m, n);
    const now = this.clock();
    // A relay implies the steward's approval (id-vault relays approved documents only).
    if (
      !(await this.documents.decide(m, c.id, n.documentId, 'relayed', ['submitted', 'approved'], {
        at: now,
        grantId: n.grantId,
      }))
    ) {
      return { kind: 'ignored', reason: 'unknown_document' };
    }
    const all = await this.documents.documentsOf(m, c.id);
    if (
      !['documents_received', 'under_review'].includes(c.state) ||
      !allAtLeast(c.requiredDocuments, all, 'relayed')
    ) {
      return { kind: 'recorded' };
    }
    const current = [...currentDocuments(c.requiredDocuments, all).values()];
    const moves: Move[] = [
      ...(c.state === 'documents_received' ? [{ command: 'start_review' } as Move] : []),
      { command: 'submit_to_carrier' },
    ];
    const outcome = await this.move(m, c, moves, 'document_relayed', n.eventId, now, (next) => [
      submittedToCarrierEvent(
        next,
        current.map((d) => d.documentId),
        current.map((d) => d.grantId ?? '').filter(Boolean),
        now,
      ),
    ]);
    if (c.documentsRound === 1) this.metrics.firstRound('accepted');
    return outcome;
  }

  private async move(
    m: EntityManager,
    c: ClearanceCase,
    moves: readonly Move[],
    cause: CaseTransition['cause'],
    eventId: string,
    now: Date,
    events: (next: ClearanceCase) => ClearanceCaseEvent[],
  ): Promise<DocumentOutcome> {
    const { next, transitions } = steps(c, moves, cause, eventId, now);
    await this.writer.change(m, c, next, transitions, events(next));
    return { kind: 'moved', to: next.state };
  }

  private reviewed(m: EntityManager, c: ClearanceCase, n: { eventId: string }, stewardId: string) {
    return this.activity.record(m, {
      caseId: c.id,
      kind: 'document_reviewed',
      actorId: stewardId,
      sourceEventId: n.eventId,
      at: this.clock(),
    });
  }

  private async openCase(
    m: EntityManager,
    n: { caseId: string; tenantId: string },
  ): Promise<ClearanceCase | undefined> {
    const c = await this.cases.findById(m, n.caseId, { lock: true });
    // A case id from another tenant is not this tenant's case, whatever the event says.
    if (!c || c.tenantId !== n.tenantId || !isOpen(c)) return undefined;
    return c;
  }

  private async unknownOrClosed(
    m: EntityManager,
    n: { caseId: string; tenantId: string; eventId: string },
  ): Promise<DocumentOutcome> {
    const c = await this.cases.findById(m, n.caseId);
    if (c && c.tenantId === n.tenantId) return { kind: 'ignored', reason: 'case_closed' };
    // Retrying cannot make the case appear: id-vault only creates requests for existing cases.
    this.logger.warn(
      { caseId: n.caseId, tenantId: n.tenantId, eventId: n.eventId },
      'vault event for an unknown case ignored',
    );
    return { kind: 'ignored', reason: 'unknown_case' };
  }
}

/** The documents of the case's current round (what the reviewer is looking at). */
function roundDocumentIds(c: ClearanceCase, all: readonly CaseDocument[]): string[] {
  return [...currentDocuments(c.requiredDocuments, all).values()].map((d) => d.documentId);
}
