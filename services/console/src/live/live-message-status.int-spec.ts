// A message's status changes (MessageSent / MessageDelivered / MessageFailed on
// notification.outreach.v1, the REAL broker) reach the signed-in browsers' SSE streams of the
// console as a process from its build, through the Postgres fan-out (real Postgres), with the
// parcel and message ids the parcel page matches on — and only for the property's stewards.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { common, NOTIFICATION_OUTREACH_TOPIC, notification } from '@portico/contracts';
import { encodeEvent } from '@portico/messaging';
import type { TestDatabase } from '@portico/testing';
import type { ServiceProcess } from '@portico/testing/platform';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { consoleProcess, passwordSignIn, seedAccount } from '../test-support/console-process';
import { SseClient } from '../test-support/sse-client';
const run = randomBytes(4).toString('hex');
const TENANT = `ten_msg_${run}`;
const PROP_A = `prop_a_${run}`;
const PROP_B = `prop_b_${run}`;
const PASSWORD = `correct horse ${run}`;
const PARCEL_A = `prc_${randomBytes(16).toString('hex')}`;
const PARCEL_B = `prc_${randomBytes(16).toString('hex')}`;
// personal data the events carry or could: none of it may reach a browser or the log
const RECIPIENT = `res_${run}_ouyang`;
const TRACKING = `SF${run}0001`;

describe('live updates when a message’s status changes (real broker, real Postgres, console process)', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  let producer: Producer;
  let console_: ServiceProcess;
  let a: SseClient;
  let b: SseClient;

  async function publish<S extends DescMessage>(
    caseName: 'messageSent' | 'messageDelivered' | 'messageFailed',
    schema: S,
    fields: Partial<MessageShape<S>> & { parcelId: string; propertyId: string },
  ): Promise<void> {
    const { parcelId, ...rest } = fields;
    const value = create(schema, {
      tenantId: TENANT,
      parcel: create(common.ParcelRefSchema, { parcelId, carrierCode: 'sf-express', trackingNumber: TRACKING }),
      occurredAt: timestampFromDate(new Date()),
      ...rest,
    } as never);
    const message = create(notification.OutreachEventSchema, { event: { case: caseName, value } as never });
    const record = encodeEvent({ schema: notification.OutreachEventSchema, message, key: parcelId, tenantId: TENANT });
    await producer.send({
      topic: NOTIFICATION_OUTREACH_TOPIC.name,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: record.headers }],
    });
  }

  async function signIn(username: string): Promise<string> {
    const { status, cookie } = await passwordSignIn(console_.baseUrl, username, PASSWORD);
    expect(status).toBe(201);
    return cookie;
  }

  /** The consumer group has joined (and so starts at the topic end before we publish). */
  async function groupStable(group: string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const [g] = (await admin.describeGroups([group])).groups;
        if (g?.state === 'Stable' && g.members.length === 1) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`group ${group} did not settle`);
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    let brokers: string[];
    let group: string;
    ({ db, console: console_, brokers, group } = await consoleProcess('live-messages', run));
    kafka = new Kafka({ clientId: `console-msg-${run}`, brokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    for (const [username, propertyId] of [
      ['steward.a', PROP_A],
      ['steward.b', PROP_B],
    ] as const)
      seedAccount(db.url, { username, subject: `stf_${username}_${run}`, roles: ['steward'], tenantId: TENANT, propertyIds: [propertyId] }, PASSWORD);
    await console_.start();
    await groupStable(group);
    a = await SseClient.open(console_.baseUrl, await signIn('steward.a'));
    b = await SseClient.open(console_.baseUrl, await signIn('steward.b'));
    await new Promise((r) => setTimeout(r, 300)); // both streams subscribed
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    await producer?.disconnect();
    await console_?.stop();
    await db?.drop();
  });

  it('sent, delivered and failed reach the property’s steward with parcel and message ids; the other property’s steward gets nothing', async () => {
    const started = Date.now();
    // the resident's documents request: sent, then delivered (one message, one task, one case)
    const request = { parcelId: PARCEL_A, propertyId: PROP_A, taskId: `ot_${run}`, caseId: `case_${run}`, messageId: `msg_${run}_1`, attempt: 1 };
    await publish('messageSent', notification.MessageSentSchema, { ...request, recipientId: RECIPIENT, templateRef: 'resident-documents-requested@1' });
    await publish('messageDelivered', notification.MessageDeliveredSchema, request);
    // a message outside any task or case (e.g. the closing notice): only the parcel ties it to a page
    await publish('messageFailed', notification.MessageFailedSchema, {
      parcelId: PARCEL_A,
      propertyId: PROP_A,
      messageId: `msg_${run}_2`,
      attempt: 1,
      errorCode: 'SMTP_550',
    });
    // the other property's message
    await publish('messageFailed', notification.MessageFailedSchema, {
      parcelId: PARCEL_B,
      propertyId: PROP_B,
      messageId: `msg_${run}_3`,
      attempt: 2,
      errorCode: 'RATE_LIMITED',
    });

    await a.waitUntil((u) => u.length >= 3, 'three message updates for steward A');
    const elapsedMs = Date.now() - started;
    await b.waitUntil((u) => u.length >= 1, 'one message update for steward B');
    await new Promise((r) => setTimeout(r, 500)); // time for a leak or a duplicate to show
    expect(a.updates).toEqual([
      { type: 'MessageSent', caseId: `case_${run}`, taskId: `ot_${run}`, propertyId: PROP_A, parcelId: PARCEL_A, messageId: `msg_${run}_1` },
      { type: 'MessageDelivered', caseId: `case_${run}`, taskId: `ot_${run}`, propertyId: PROP_A, parcelId: PARCEL_A, messageId: `msg_${run}_1` },
      { type: 'MessageFailed', caseId: '', taskId: '', propertyId: PROP_A, parcelId: PARCEL_A, messageId: `msg_${run}_2` },
    ]);
    expect(b.updates).toEqual([
      { type: 'MessageFailed', caseId: '', taskId: '', propertyId: PROP_B, parcelId: PARCEL_B, messageId: `msg_${run}_3` },
    ]);
    expect(elapsedMs).toBeLessThan(2_000);
    process.stdout.write(`message status updates reached the stream in ${elapsedMs} ms\n`);
  });

  it('leaves the recipient, tracking number and error codes out of the streams and the log', () => {
    const streamed = JSON.stringify([...a.updates, ...b.updates]);
    const log = readFileSync(console_.logFile, 'utf8');
    for (const value of [RECIPIENT, TRACKING, 'SMTP_550', TENANT]) expect(streamed).not.toContain(value);
    for (const value of [RECIPIENT, TRACKING]) expect(log).not.toContain(value);
  });
});
