// Helpers shared by clearance's integration specs (cases, prediction): the service runs as in
// production against the real broker and Postgres; these are the small pieces every such spec needs.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, CARRIER_TRACKING_TOPIC, common, TrackingStreamEventSchema } from '@portico/contracts';
import { testKafkaClient } from '@portico/testing';

/** A log destination kept in memory, so a spec can assert on what the service logged. */
export function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

/** bootstrapService's `process`: no signal handlers, no exit, in a test. */
export function fakeProcess() {
  return { on: () => undefined, removeListener: () => undefined, exit: () => undefined };
}

/**
 * Starts a fresh consumer group at the end of carrier.tracking.v1: the shared topic's history
 * (other suites' parcels) is not a spec's business, and replaying it would only slow the start down.
 */
export async function startGroupAtTrackingEnd(brokers: string[], group: string): Promise<void> {
  const admin = testKafkaClient(brokers).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(CARRIER_TRACKING_TOPIC.name);
    await admin.setOffsets({
      groupId: group,
      topic: CARRIER_TRACKING_TOPIC.name,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** The fields a test sets on a TrackingEventRecorded (protobuf-es init, never a built message). */
export type TrackingInit = Exclude<
  MessageInitShape<typeof carrier.TrackingEventRecordedSchema>,
  carrier.TrackingEventRecorded
>;

/**
 * One TrackingStreamEvent as carrier-ingestion publishes it: a JP → CN parcel declared at 1280 CNY
 * unless `init` says otherwise.
 */
export function trackingEvent(ref: common.ParcelRef, tenantId: string, init: TrackingInit) {
  return create(TrackingStreamEventSchema, {
    event: {
      case: 'trackingEventRecorded',
      value: create(carrier.TrackingEventRecordedSchema, {
        parcel: ref,
        tenantId,
        provider: carrier.TrackingProvider.PORTICO_NATIVE,
        sourceEventId: `src-${randomBytes(6).toString('hex')}`,
        receivedAt: timestampFromDate(new Date()),
        shipment: create(carrier.ShipmentDetailsSchema, {
          originCountryCode: 'JP',
          destinationCountryCode: 'CN',
          declaredValue: create(common.MoneySchema, { currencyCode: 'CNY', amountMinor: 128_000n }),
        }),
        ...init,
      }),
    },
  });
}
