import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { clearance, common } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { documentTypeFromContract, type DocumentTypeName } from '../shared/document-types';
import type { CaseClosure } from './vault-case';
import { VaultCasesService } from './vault-cases.service';

function date(t: Timestamp | undefined): Date | null {
  return t ? timestampDate(t) : null;
}

function documentNames(types: readonly common.DocumentType[]): DocumentTypeName[] {
  return types.map(documentTypeFromContract).filter((t): t is DocumentTypeName => t !== undefined);
}

/**
 * `clearance.case.v1`: the vault's view of each case (what to label a link with, how long it may
 * live, the waybill name's digest) and the end of a case, which revokes its links and starts the
 * retention clock. Thin: map the event, call the service in the transport's transaction.
 */
@EventConsumer()
export class ClearanceCaseConsumer {
  constructor(private readonly cases: VaultCasesService) {}

  @EventPattern('portico.clearance.v1.CaseOpened')
  async onOpened(@Payload() e: clearance.CaseOpened, @Ctx() ctx: EventContext): Promise<void> {
    annotate(e.caseId);
    const digest = e.recipientNameDigest;
    await this.cases.opened(ctx.manager, {
      caseId: e.caseId,
      tenantId: e.tenantId || ctx.tenantId,
      propertyId: e.propertyId || null,
      parcelId: e.parcel?.parcelId || ctx.parcelId,
      carrierCode: e.parcel?.carrierCode ?? '',
      trackingNumber: e.parcel?.trackingNumber ?? '',
      requiredDocuments: documentNames(e.requiredDocuments),
      deadline: date(e.deadline),
      recipientNameDigest:
        digest && digest.value.length > 0
          ? `${digest.keyId}:${Buffer.from(digest.value).toString('base64')}`
          : null,
    });
  }

  @EventPattern('portico.clearance.v1.DocumentsRequested')
  async onDocumentsRequested(
    @Payload() e: clearance.DocumentsRequested,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    annotate(e.caseId);
    await this.cases.refined(ctx.manager, e.caseId, {
      propertyId: e.propertyId || null,
      requiredDocuments: documentNames(e.requiredDocuments),
      deadline: date(e.deadline),
    });
  }

  @EventPattern('portico.clearance.v1.CaseCleared')
  onCleared(@Payload() e: clearance.CaseCleared, @Ctx() ctx: EventContext): Promise<void> {
    return this.close(ctx, e.caseId, 'cleared', e.occurredAt);
  }

  @EventPattern('portico.clearance.v1.CaseExpired')
  onExpired(@Payload() e: clearance.CaseExpired, @Ctx() ctx: EventContext): Promise<void> {
    return this.close(ctx, e.caseId, 'expired', e.occurredAt);
  }

  @EventPattern('portico.clearance.v1.CaseReturnedToSender')
  onReturned(@Payload() e: clearance.CaseReturnedToSender, @Ctx() ctx: EventContext): Promise<void> {
    return this.close(ctx, e.caseId, 'returned_to_sender', e.occurredAt);
  }

  @EventPattern('portico.clearance.v1.CaseCancelled')
  onCancelled(@Payload() e: clearance.CaseCancelled, @Ctx() ctx: EventContext): Promise<void> {
    return this.close(ctx, e.caseId, 'cancelled', e.occurredAt);
  }

  private async close(ctx: EventContext, caseId: string, because: CaseClosure, at: Timestamp | undefined) {
    annotate(caseId);
    const outcome = await this.cases.closed(ctx.manager, caseId, because, date(at) ?? ctx.occurredAt);
    trace.getActiveSpan()?.setAttribute('portico.vault.outcome', outcome);
  }
}

function annotate(caseId: string): void {
  if (caseId) trace.getActiveSpan()?.setAttribute('portico.case_id', caseId);
}
