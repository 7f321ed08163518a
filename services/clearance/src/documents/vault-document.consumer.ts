import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { vault } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { CaseDocumentsService, type DocumentOutcome } from './case-documents.service';
import { approvedNotice, rejectedNotice, relayedNotice, submittedNotice } from './vault-event';

/**
 * `vault.document.v1`: what id-vault stored, and the steward's and carrier's verdicts, move the
 * case. Thin: map the event, call the service in the transport's transaction (with the inbox row).
 * UploadRequested, DocumentChecksFailed and DocumentPurged do not change a case and have no handler.
 */
@EventConsumer()
export class VaultDocumentConsumer {
  constructor(private readonly documents: CaseDocumentsService) {}

  @EventPattern('portico.vault.v1.DocumentSubmitted')
  async onSubmitted(@Payload() e: vault.DocumentSubmitted, @Ctx() ctx: EventContext): Promise<void> {
    const n = submittedNotice(e, ctx);
    traced(e.caseId, n ? await this.documents.submitted(ctx.manager, n) : undefined);
  }

  @EventPattern('portico.vault.v1.DocumentApproved')
  async onApproved(@Payload() e: vault.DocumentApproved, @Ctx() ctx: EventContext): Promise<void> {
    const n = approvedNotice(e, ctx);
    traced(e.caseId, n ? await this.documents.approved(ctx.manager, n) : undefined);
  }

  @EventPattern('portico.vault.v1.DocumentRejected')
  async onRejected(@Payload() e: vault.DocumentRejected, @Ctx() ctx: EventContext): Promise<void> {
    const n = rejectedNotice(e, ctx);
    traced(e.caseId, n ? await this.documents.rejected(ctx.manager, n) : undefined);
  }

  @EventPattern('portico.vault.v1.DocumentRelayed')
  async onRelayed(@Payload() e: vault.DocumentRelayed, @Ctx() ctx: EventContext): Promise<void> {
    const n = relayedNotice(e, ctx);
    traced(e.caseId, n ? await this.documents.relayed(ctx.manager, n) : undefined);
  }
}

function traced(caseId: string, outcome: DocumentOutcome | undefined): void {
  const span = trace.getActiveSpan();
  if (caseId) span?.setAttribute('portico.case_id', caseId);
  span?.setAttribute(
    'portico.clearance.outcome',
    !outcome
      ? 'ignored:not_a_case_document'
      : outcome.kind === 'ignored'
        ? `ignored:${outcome.reason}`
        : outcome.kind === 'moved'
          ? `moved:${outcome.to}`
          : outcome.kind,
  );
}
