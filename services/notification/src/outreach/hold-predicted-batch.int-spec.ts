// HoldPredicted as a batch on NotificationHarness (real broker and Postgres): one chunk of
// predictions for parcels matched by address, by pre-registration, matched to a resident without
// consent, matched to nobody and not projected at all, plus a re-published prediction, a
// redelivered copy and a poison record. The run resolves with one directory read of each kind and
// queues its heads-ups with one insert: exactly one message per reachable parcel, each row in its
// own record's trace, the poison record alone in the DLQ, nothing personal in the logs.
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  common,
  dlqTopicName,
  HeaderNames,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { getTestKafka, waitFor } from '@portico/testing';
import { logLevel, type Message, type Producer } from 'kafkajs';
import { NotificationHarness, uniqueResident } from '../it-harness';

// W3C propagation, so the transport continues each record's trace and the message rows store it.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

describe('HoldPredicted heads-ups in batches (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  let producer: Producer;
  let r: string;
  const people = {
    byAddress: { ...uniqueResident(), unit: '5-01' },
    preRegistered: { ...uniqueResident(), unit: '5-02' },
    noConsent: { ...uniqueResident(), unit: '5-03' },
  };
  const address = { postalCode: '200120', addressLine: '' };

  beforeAll(async () => {
    h = await NotificationHarness.start({ SMTP_HOST: '127.0.0.1', SMTP_PORT: '1' }); // e-mail on; nothing needs to go out
    r = h.run;
    address.addressLine = `${r} Batch Road`;
    const { brokers } = await getTestKafka();
    producer = createIdempotentProducer(
      createKafka({ brokers, clientId: `${h.group}-burst`, logLevel: logLevel.NOTHING }),
    );
    await producer.connect();
    const resident = (k: keyof typeof people, consent: boolean, preRegistered?: common.ParcelRef) => ({
      id: `res_${k}_${r}`,
      name: people[k].name,
      phone: people[k].phone,
      email: `${k}.${r}@residents.example.test`,
      language: 'zh',
      consent: { sms: false, email: consent, wecom: false },
      ...(consent ? { channelPreferences: ['email'] } : {}),
      ...(preRegistered
        ? {
            preRegisteredTrackingNumbers: [
              { carrier: preRegistered.carrierCode, trackingNumber: preRegistered.trackingNumber },
            ],
          }
        : {}),
    });
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Batch Residences ${r}` },
      properties: [
        {
          id: `prop_hb_${r}`,
          name: `Batch Tower ${r}`,
          address: { country: 'CN', region: 'Shanghai', city: 'Shanghai', district: 'Pudong', ...address },
          residentOutreach: 'direct',
          units: (Object.keys(people) as (keyof typeof people)[]).map((k) => ({
            id: `unit_${k}_${r}`,
            label: people[k].unit,
            residents: [resident(k, k !== 'noConsent', k === 'preRegistered' ? h.parcel('PRE') : undefined)],
          })),
        },
      ],
      staff: [],
    });
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await h?.stop();
  });

  /** A trace of its own per record: the traceparent header a producer's span would set. */
  function traced(record: { key: string; value: Uint8Array; headers: Record<string, string> }) {
    const traceId = randomBytes(16).toString('hex');
    const message: Message = {
      key: record.key,
      value: Buffer.from(record.value),
      headers: { ...record.headers, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    };
    return { message, traceId };
  }

  function prediction(ref: common.ParcelRef, eventId?: string) {
    return traced(
      encodeEvent({
        schema: ClearanceCaseEventSchema,
        message: create(ClearanceCaseEventSchema, {
          event: {
            case: 'holdPredicted',
            value: create(clearance.HoldPredictedSchema, {
              predictionId: `pred_${ref.trackingNumber}`,
              tenantId: h.tenantId,
              parcel: ref,
              occurredAt: timestampFromDate(new Date()),
              probability: 0.8,
              threshold: 0.5,
              modelVersion: 'beta-backoff/k=20/p0=0.1/v1',
              likelyDocuments: [common.DocumentType.RESIDENT_ID_CARD],
            }),
          },
        }),
        key: ref.parcelId,
        tenantId: h.tenantId,
        eventId,
      }),
    );
  }

  it('queues one heads-up per reachable parcel of the chunk, each in its record’s trace', async () => {
    const byAddress = h.parcel('ADR');
    const preRegistered = h.parcel('PRE');
    const noConsent = h.parcel('NOC');
    const unmatched = h.parcel('UNM');
    const unknown = h.parcel('UNK');
    const hold = (ref: common.ParcelRef, k: keyof typeof people) =>
      h.publishHold(ref, { name: people[k].name, phone: people[k].phone, ...address, unit: people[k].unit });
    await hold(byAddress, 'byAddress');
    await hold(noConsent, 'noConsent');
    await h.publishHold(unmatched, {
      ...uniqueResident(),
      postalCode: '100000',
      addressLine: '1 Nowhere',
      unit: '1',
    });
    // projected from a scan without an address: only its pre-registration can match it
    await h.publishHold(preRegistered, { ...uniqueResident(), postalCode: '', addressLine: '', unit: '' });

    const a = prediction(byAddress);
    const aAgain = prediction(byAddress); // clearance re-published it (a new event id)
    const b = prediction(preRegistered);
    const bCopy = { ...b, message: { ...b.message } }; // a redelivery (same event id)
    const poison = prediction(byAddress);
    poison.message.value = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff]);
    const poisonId = String(poison.message.headers![HeaderNames.eventId]);
    const others = [noConsent, unmatched, unknown].map((ref) => prediction(ref));
    await producer.send({
      topic: CLEARANCE_CASE_TOPIC.name,
      messages: [a, others[0]!, b, poison, aAgain, others[1]!, bCopy, others[2]!].map((x) => x.message),
    });

    const dead = await h.readRecords(
      [dlqTopicName(CLEARANCE_CASE_TOPIC.name, h.group)],
      (rec) => rec.headers[HeaderNames.eventId] === poisonId,
      (found) => found.length > 0,
    );
    expect(dead).toHaveLength(1);
    const eventIds = [a, aAgain, b, ...others].map((x) => String(x.message.headers![HeaderNames.eventId]));
    await waitFor(
      async () =>
        (await h.pg.query(`SELECT 1 FROM inbox WHERE event_id = ANY($1::uuid[])`, [eventIds])).rows.length ===
        eventIds.length,
      { timeoutMs: 30_000, description: 'every prediction handled' },
    );

    const { rows } = await h.pg.query(
      `SELECT parcel_id, recipient_id, template_id, task_id, traceparent FROM messages
        WHERE tenant_id = $1 AND template_id = 'resident-hold-predicted' ORDER BY parcel_id`,
      [h.tenantId],
    );
    const byParcel = new Map(rows.map((row: { parcel_id: string }) => [row.parcel_id, row]));
    expect(rows).toHaveLength(2);
    expect(byParcel.get(byAddress.parcelId)).toMatchObject({
      recipient_id: `res_byAddress_${r}`,
      task_id: null,
    });
    expect(byParcel.get(preRegistered.parcelId)).toMatchObject({ recipient_id: `res_preRegistered_${r}` });
    // each row continues the trace of the record that queued it (the first of the re-published pair)
    const traceOf = (row: unknown) => String((row as { traceparent: string }).traceparent).split('-')[1];
    expect(traceOf(byParcel.get(byAddress.parcelId))).toBe(a.traceId);
    expect(traceOf(byParcel.get(preRegistered.parcelId))).toBe(b.traceId);

    const logs = h.logs();
    expect(logs).toContain('hold predicted for an unmatched parcel; no heads-up');
    expect(logs).toContain('holds predicted for parcels not projected yet; no heads-up');
    for (const p of Object.values(people)) {
      expect(logs).not.toContain(p.name);
      expect(logs).not.toContain(p.phone);
    }
    for (const ref of [byAddress, preRegistered, noConsent, unmatched, unknown])
      expect(logs).not.toContain(ref.trackingNumber);
  });
});
