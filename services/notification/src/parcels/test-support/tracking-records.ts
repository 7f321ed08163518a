// Test support (not loaded by the application): a TrackingEventRecorded as carrier-ingestion puts
// it on carrier.tracking.v1 (key = parcel id, Portico headers), ready for a producer's batch.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, TrackingStreamEventSchema, type common } from '@portico/contracts';
import { encodeEvent } from '@portico/messaging';
import type { Message } from 'kafkajs';

export interface ScanRecordOptions {
  readonly tenantId: string;
  readonly status: carrier.TrackingStatus;
  readonly occurredAt?: Date;
  readonly late?: boolean;
  readonly customsHoldReason?: carrier.CustomsHoldReason;
  readonly recipient?: carrier.RecipientHint;
  /** The same id again is a redelivered copy. */
  readonly eventId?: string;
}

export function trackingRecord(ref: common.ParcelRef, o: ScanRecordOptions): Message & { eventId: string } {
  const record = encodeEvent({
    schema: TrackingStreamEventSchema,
    message: create(TrackingStreamEventSchema, {
      event: {
        case: 'trackingEventRecorded',
        value: create(carrier.TrackingEventRecordedSchema, {
          parcel: ref,
          tenantId: o.tenantId,
          provider: carrier.TrackingProvider.PORTICO_NATIVE,
          sourceEventId: randomUUID(),
          status: o.status,
          customsHoldReason: o.customsHoldReason,
          occurredAt: timestampFromDate(o.occurredAt ?? new Date()),
          receivedAt: timestampFromDate(new Date()),
          late: o.late ?? false,
          recipient: o.recipient,
        }),
      },
    }),
    key: ref.parcelId,
    tenantId: o.tenantId,
    eventId: o.eventId,
  });
  return {
    key: record.key,
    value: Buffer.from(record.value),
    headers: { ...record.headers },
    eventId: record.eventId,
  };
}
