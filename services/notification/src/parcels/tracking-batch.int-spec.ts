// The tracking projection's batch path end to end (NotificationHarness: the service as in
// production on the real broker and Postgres): a burst of scans lands in chunks, each written with
// one statement, and must leave every parcel where the one-by-one path left it — out-of-order and
// late scans never move a status back, a redelivered copy inside the chunk changes nothing, and a
// poison record goes to the DLQ alone while the rest of its chunk is projected.
import { create } from '@bufbuild/protobuf';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  dlqTopicName,
  HeaderNames,
  recipientDigest,
  type common,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka } from '@portico/messaging';
import { getTestKafka, waitFor } from '@portico/testing';
import { logLevel, type Producer } from 'kafkajs';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { trackingRecord } from './test-support/tracking-records';

const T0 = new Date('2026-12-01T02:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const S = carrier.TrackingStatus;

describe('tracking projection in batches (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  let producer: Producer;
  const resident = uniqueResident();

  beforeAll(async () => {
    h = await NotificationHarness.start();
    const { brokers } = await getTestKafka();
    producer = createIdempotentProducer(
      createKafka({ brokers, clientId: `${h.group}-burst`, logLevel: logLevel.NOTHING }),
    );
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await h?.stop();
  });

  const scan = (
    ref: common.ParcelRef,
    status: carrier.TrackingStatus,
    occurredAt: Date,
    options: { late?: boolean; hint?: boolean; eventId?: string } = {},
  ) =>
    trackingRecord(ref, {
      tenantId: h.tenantId,
      status,
      occurredAt,
      late: options.late,
      eventId: options.eventId,
      recipient: options.hint
        ? create(carrier.RecipientHintSchema, {
            postalCode: '200120',
            addressLine: '88 Century Avenue',
            unit: '12-03',
            nameDigest: recipientDigest('name', resident.name, h.digestKey),
            phoneDigest: recipientDigest('phone', resident.phone, h.digestKey),
          })
        : undefined,
    });

  const projection = async (ref: common.ParcelRef) =>
    (
      await h.pg.query(
        `SELECT status, status_occurred_at, last_event_id, hint_occurred_at, hint_unit,
                name_digest IS NOT NULL AS has_name_digest
           FROM parcel_projection WHERE tenant_id = $1 AND parcel_id = $2`,
        [h.tenantId, ref.parcelId],
      )
    ).rows[0] as
      | {
          status: string;
          status_occurred_at: Date;
          last_event_id: string;
          hint_occurred_at: Date | null;
          hint_unit: string;
          has_name_digest: boolean;
        }
      | undefined;

  it('projects a burst per parcel as one by one would: order, late, duplicates, a poison record', async () => {
    const ordered = h.parcel('ORD');
    const stored = h.parcel('STO');
    const tie = h.parcel('TIE');

    // `stored` is known before the burst: its rows take the UPDATE branch
    const storedFirst = scan(stored, S.CUSTOMS_RELEASED, at(50), { hint: true });
    await producer.send({ topic: CARRIER_TRACKING_TOPIC.name, messages: [storedFirst] });
    await waitFor(async () => (await projection(stored))?.last_event_id === storedFirst.eventId, {
      timeoutMs: 30_000,
      description: 'the stored parcel',
    });

    const o1 = scan(ordered, S.INFO_RECEIVED, at(0));
    const o2 = scan(ordered, S.IN_TRANSIT, at(10), { hint: true });
    const o3 = scan(ordered, S.CUSTOMS_HOLD, at(20)); // newest, no hint: the hint of o2 stays
    const olderOfStored = scan(stored, S.IN_TRANSIT, at(30)); // older than what is stored
    const lateOfStored = scan(stored, S.DELIVERED, at(90), { late: true }); // newer, but late
    const t1 = scan(tie, S.IN_TRANSIT, at(40));
    const t2 = scan(tie, S.CUSTOMS_HOLD, at(40)); // same time: the later one wins
    const t1Again = { ...t1 }; // a redelivered copy (same event id): must not win the tie back
    // A poison record among the tie parcel's (same key, so same partition and chunk): DLQ alone.
    const poison = {
      ...scan(tie, S.IN_TRANSIT, at(41)),
      value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff]),
    };
    const poisonId = String(poison.headers![HeaderNames.eventId]);
    await producer.send({
      topic: CARRIER_TRACKING_TOPIC.name,
      messages: [o1, t1, olderOfStored, o2, t2, poison, lateOfStored, t1Again, o3],
    });

    const dead = await h.readRecords(
      [dlqTopicName(CARRIER_TRACKING_TOPIC.name, h.group)],
      (r) => r.headers[HeaderNames.eventId] === poisonId,
      (found) => found.length > 0,
    );
    expect(dead).toHaveLength(1);

    await waitFor(
      async () =>
        (await projection(ordered))?.last_event_id === o3.eventId &&
        (await projection(tie))?.last_event_id === t2.eventId,
      { timeoutMs: 30_000, description: 'the burst projected' },
    );
    // every record of the burst is through (inbox), so nothing below is still on its way
    const handled = await h.pg.query(`SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])`, [
      [o1, o2, o3, olderOfStored, lateOfStored, t1, t2].map((r) => r.eventId),
    ]);
    expect(handled.rows).toHaveLength(7);

    expect(await projection(ordered)).toMatchObject({
      status: 'customs_hold',
      status_occurred_at: at(20),
      hint_occurred_at: at(10),
      hint_unit: '12-03',
      has_name_digest: true,
    });
    expect(await projection(stored)).toMatchObject({
      status: 'customs_released',
      status_occurred_at: at(50),
      last_event_id: storedFirst.eventId,
      hint_occurred_at: at(50),
    });
    expect(await projection(tie)).toMatchObject({ status: 'customs_hold', status_occurred_at: at(40) });

    // the batch path ran (more than one scan in a statement) and logged counts only
    const lines = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('tracking updates projected'))
      .map((l) => JSON.parse(l) as { updates: number; parcels: number });
    expect(lines.some((l) => l.updates > 1)).toBe(true);
    const logs = h.logs();
    for (const secret of [resident.name, resident.phone, ordered.trackingNumber])
      expect(logs).not.toContain(secret);
  });
});
