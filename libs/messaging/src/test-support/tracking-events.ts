// Test data shared by this library's specs: real contract messages, built the way services will.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, TrackingStreamEventSchema, type TrackingStreamEvent } from '@portico/contracts';

export const TRACKING_SCHEMA = TrackingStreamEventSchema;

export function trackingEvent(
  parcelId: string,
  options: { sourceEventId?: string; occurredAt?: Date; tenantId?: string } = {},
): TrackingStreamEvent {
  return create(TrackingStreamEventSchema, {
    event: {
      case: 'trackingEventRecorded',
      value: create(carrier.TrackingEventRecordedSchema, {
        parcel: create(common.ParcelRefSchema, {
          parcelId,
          carrierCode: 'sf-express',
          trackingNumber: 'SF1234567890',
        }),
        tenantId: options.tenantId ?? 'tenant-1',
        sourceEventId: options.sourceEventId ?? 'src-1',
        status: carrier.TrackingStatus.CUSTOMS_HOLD,
        occurredAt: timestampFromDate(options.occurredAt ?? new Date('2026-11-22T08:15:30.123Z')),
      }),
    },
  });
}

/** The source event id carried by a decoded TrackingEventRecorded (tests use it as a label). */
export function sourceEventIdOf(event: unknown): string {
  return (event as carrier.TrackingEventRecorded).sourceEventId;
}
