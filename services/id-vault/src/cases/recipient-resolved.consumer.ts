import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { notification } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { VaultCaseRepository } from './vault-case.repository';

/**
 * `notification.outreach.v1` RecipientResolved: the parcel's property, which decides which
 * stewards may review its documents. Every other outreach event is no concern of the vault's.
 */
@EventConsumer()
export class RecipientResolvedConsumer {
  constructor(private readonly cases: VaultCaseRepository) {}

  @EventPattern('portico.notification.v1.RecipientResolved')
  async onResolved(@Payload() e: notification.RecipientResolved, @Ctx() ctx: EventContext): Promise<void> {
    if (!e.propertyId) return;
    const completed = await this.cases.resolveProperty(ctx.manager, {
      tenantId: e.tenantId || ctx.tenantId,
      parcelId: e.parcel?.parcelId || ctx.parcelId,
      propertyId: e.propertyId,
      at: e.occurredAt ? timestampDate(e.occurredAt) : ctx.occurredAt,
    });
    trace.getActiveSpan()?.setAttribute('portico.vault.cases_completed', completed);
  }
}
