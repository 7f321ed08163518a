import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { notification } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ClaimRepository } from '../claims/claim.repository';
import { ParcelRepository } from './parcel.repository';

/**
 * `notification.outreach.v1`: only RecipientResolved matters here: the parcel's property (a
 * directory id; the unit and resident ids are not kept), which every later claim event carries.
 */
@EventConsumer()
export class OutreachConsumer {
  constructor(
    private readonly parcels: ParcelRepository,
    private readonly claims: ClaimRepository,
    @InjectPinoLogger('claims-outreach') private readonly logger: PinoLogger,
  ) {}

  @EventPattern('portico.notification.v1.RecipientResolved')
  async onRecipientResolved(
    @Payload() event: notification.RecipientResolved,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', ctx.parcelId);
    const parcelId = event.parcel?.parcelId || ctx.parcelId;
    const tenantId = event.tenantId || ctx.tenantId;
    if (!event.propertyId) return;
    const known = await this.parcels.setProperty(ctx.manager, tenantId, parcelId, event.propertyId);
    await this.claims.setPropertyForParcel(ctx.manager, tenantId, parcelId, event.propertyId);
    if (!known) {
      // notification matched a parcel claims has not seen on the tracking stream yet (the topics are
      // not ordered with each other); its open claims, if any, still got the property.
      this.logger.debug({ eventId: ctx.eventId, parcelId }, 'property for a parcel not projected yet');
    }
  }
}
