// Helpers shared by clearance's integration specs and their harnesses (clearance-app, clearance-harness): the service runs as in
// production against the real broker and Postgres; these are the small pieces every such spec needs.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  CLEARANCE_CASE_TOPIC,
  common,
  NOTIFICATION_OUTREACH_TOPIC,
  TrackingStreamEventSchema,
  VAULT_DOCUMENT_TOPIC,
} from '@portico/contracts';
import { ensureTopics } from '@portico/messaging';
import { testKafkaClient, waitFor } from '@portico/testing';

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

/** The topics clearance consumes: a test's group starts at their ends. */
export const CONSUMED_TOPICS = [CARRIER_TRACKING_TOPIC, VAULT_DOCUMENT_TOPIC, NOTIFICATION_OUTREACH_TOPIC];

/**
 * Starts a fresh consumer group at the end of the topics clearance consumes: the shared topics'
 * history (other suites' parcels) is not a spec's business, and replaying it would only slow the
 * start down. On a fresh broker the topics do not exist until a service first starts, so they
 * (and clearance.case.v1, which specs read) are created first, and a just-created topic answers
 * "not the leader" until its metadata has settled.
 */
export async function startGroupAtEnd(brokers: string[], group: string): Promise<void> {
  const admin = testKafkaClient(brokers).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [...CONSUMED_TOPICS, CLEARANCE_CASE_TOPIC]);
    for (const topic of CONSUMED_TOPICS) {
      const ends = await waitFor(() => admin.fetchTopicOffsets(topic.name).catch(() => undefined), {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: `${topic.name} offsets`,
      });
      await admin.setOffsets({
        groupId: group,
        topic: topic.name,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
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

/** A customs hold for ID documents at `at`; by default without a carrier deadline (the policy's applies). */
export function customsHold(ref: common.ParcelRef, tenantId: string, at: Date, init: TrackingInit = {}) {
  return trackingEvent(ref, tenantId, {
    status: carrier.TrackingStatus.CUSTOMS_HOLD,
    customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
    occurredAt: timestampFromDate(at),
    rawStatusCode: 'CUSTOMS_ID_REQUIRED',
    ...init,
  });
}
