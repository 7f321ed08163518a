// The walking skeleton, end to end: all five services run as real processes from their build output
// against the real Kafka broker and Postgres (fresh databases), exporting traces to an OTLP receiver
// in this test. One signed customs-hold webhook must travel carrier-ingestion -> Kafka -> clearance
// -> Kafka -> notification as ONE trace, which goes on through notification's request for the
// one-time upload link (id-vault), the resident's e-mail (a real SMTP server in this test) and the
// signed webhook to the tenant's SIMULATED property system; the resident's documents then go from
// the link in that e-mail through id-vault (consent, checked upload, steward approval) to a
// SIMULATED carrier receiver with no manual relay; and the resident's personal data (name, phone,
// e-mail, the ID number typed at upload) must appear nowhere but in the services that own it.
import {
  CARRIER_TRACKING_TOPIC,
  CLEARANCE_CASE_TOPIC,
  NOTIFICATION_OUTREACH_TOPIC,
  VAULT_DOCUMENT_TOPIC,
} from '@portico/contracts';
import { headersAsStrings, waitFor } from '@portico/testing';
import { cardPhoto } from '@portico/testing/images';
import type { ReceivedMail } from '@portico/testing/smtp';
import {
  customsHoldScenario,
  PorticoPlatformClient,
  type CarrierAccount,
  type CustomsHoldScenario,
} from '@portico/testing/platform';
import { Kafka, logLevel } from 'kafkajs';
import { E2ePlatform, secret } from './support/e2e-platform';
import type { ReceivedSpan } from './support/otlp-receiver';
import { ARTIFACTS } from './support/service-process';

interface KafkaRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Every record of the given topics whose key is `key` (topics are shared with other runs). */
async function recordsKeyed(
  brokers: string[],
  topics: string[],
  key: string,
  minimum: number,
): Promise<KafkaRecord[]> {
  const kafka = new Kafka({ clientId: 'e2e-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `e2e-reader-${secret(6)}` });
  const found: KafkaRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() !== key) return;
        found.push({
          topic,
          key,
          value: message.value ?? Buffer.alloc(0),
          headers: headersAsStrings(message.headers),
        });
      },
    });
    await waitFor(() => found.length >= minimum, {
      timeoutMs: 30_000,
      description: `${minimum} records keyed ${key}`,
    });
    // a moment more, so that unexpected extra records (duplicates) would be seen too
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return found;
  } finally {
    await consumer.disconnect();
  }
}

describe('walking skeleton: customs hold webhook -> clearance -> notification', () => {
  const platform = new E2ePlatform({ artifacts: ARTIFACTS });
  const { otlp, carrierRelay, propertySystem, processes } = platform;
  const databaseDumps = () => platform.databaseDumps();
  let brokers: string[];
  let client: PorticoPlatformClient;
  let scenario: CustomsHoldScenario;
  let account: CarrierAccount;
  let parcel: string;

  beforeAll(async () => {
    await platform.start();
    ({ brokers, client } = platform);
    // The property lets Portico message its (consenting) residents itself: the link goes out by e-mail.
    scenario = customsHoldScenario(platform.runId, { residentOutreach: 'direct' });
    parcel = PorticoPlatformClient.parcelIdOf(scenario.carrierCode, scenario.trackingNumber);
    account = await client.createCarrierAccount({
      tenantId: scenario.tenantId,
      carrierCode: scenario.carrierCode,
      displayName: 'E2E Express (simulated carrier)',
    });
    await client.importDirectory(scenario.directory);
    const subscription = await client.createWebhookSubscription({
      tenantId: scenario.tenantId,
      url: platform.propertySystemUrl,
      eventTypes: ['clearance.case.*', 'outreach.*'],
    });
    propertySystem.useSecret(subscription.secret);
  }, 240_000);

  /** The resident's e-mail from notification, with the one-time upload link id-vault issued. */
  const residentMail = (): ReceivedMail | undefined => platform.mailTo(scenario.resident.email);

  afterAll(() => platform.stop(), 120_000);

  it('opens a case and gives the steward on duty a task, as one trace', async () => {
    const holdAt = new Date(Date.now() - 60_000);
    const intake = await client.postTrackingWebhook(account, [scenario.customsHold(holdAt)]);
    expect(intake.status).toBe(202);

    const task = await waitFor(async () => (await client.tasksOf(parcel))[0], {
      timeoutMs: 30_000,
      description: 'an outreach task for the parcel',
    });
    expect(task).toMatchObject({ parcelId: parcel, stewardId: scenario.stewardId, state: 'open' });

    const [openCase, ...others] = await client.casesOf(parcel);
    expect(others).toHaveLength(0);
    expect(openCase).toMatchObject({ parcelId: parcel, state: 'awaiting_documents' });
    expect(task.caseId).toBe(openCase!.id);

    // The carrier retries the same delivery (same webhook-id): accepted again, nothing new happens.
    const retried = await client.postTrackingWebhook(account, [scenario.customsHold(holdAt)], {
      id: intake.webhookId,
    });
    expect(retried.status).toBe(200);

    // One trace from the webhook request to the steward's task.
    const spans = await waitFor(
      () => {
        // the trace of the intake: the carrier-ingestion span that recorded this parcel
        const intakeSpan = otlp.spans.find(
          (s) => s.service === 'carrier-ingestion' && s.attributes['portico.parcel_id'] === parcel,
        );
        if (!intakeSpan) return undefined;
        const trace = otlp.spans.filter((s) => s.traceId === intakeSpan.traceId);
        const services = new Set(trace.map((s) => s.service));
        return services.has('clearance') && services.has('notification') ? trace : undefined;
      },
      {
        timeoutMs: 30_000,
        description: 'spans of carrier-ingestion, clearance and notification in one trace',
      },
    );
    const byService = (name: string): ReceivedSpan[] => spans.filter((s) => s.service === name);
    expect(byService('carrier-ingestion').length).toBeGreaterThan(0);
    expect(byService('clearance').length).toBeGreaterThan(0);
    expect(byService('notification').length).toBeGreaterThan(0);
    // operators find the parcel's trace by its id, which is not personal data
    expect(spans.some((s) => s.attributes['portico.parcel_id'] === parcel)).toBe(true);
  });

  it("continues that trace through the vault's link, the resident's e-mail and the property system's webhook", async () => {
    // The resident's e-mail carries the one-time link notification asked id-vault for at send time.
    const mail = await waitFor(residentMail, { timeoutMs: 30_000, description: "the resident's e-mail" });
    expect(mail.text).toMatch(/\/u\/[A-Za-z0-9_-]{20,}/);
    // The property system got the task, signed (verified with the official package) and traced.
    const delivery = await waitFor(
      () => propertySystem.eventsOf(parcel).find((d) => d.payload.type === 'outreach.task.created'),
      { timeoutMs: 30_000, description: "the property system's outreach.task.created webhook" },
    );
    expect(propertySystem.rejected).toHaveLength(0);
    expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
    const traceId = delivery.headers['traceparent']?.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await waitFor(
      () => {
        const trace = otlp.spans.filter((s) => s.traceId === traceId);
        const expected: Record<string, (s: ReceivedSpan) => boolean> = {
          intake: (s) => s.service === 'carrier-ingestion' && s.attributes['portico.parcel_id'] === parcel,
          clearance: (s) => s.service === 'clearance',
          'vault link': (s) => s.service === 'id-vault',
          // the resident's send, not just any e-mail: the steward's can be exported first
          'e-mail send': (s) =>
            s.service === 'notification' &&
            s.name === 'message send email' &&
            s.attributes['portico.recipient_role'] === 'resident',
          'webhook delivery': (s) => s.service === 'notification' && s.name === 'webhook deliver',
        };
        const missing = Object.keys(expected).filter((step) => !trace.some(expected[step]!));
        if (missing.length > 0) {
          const seen = [...new Set(trace.map((s) => `${s.service}:${s.name}`))].join(', ');
          throw new Error(`trace ${traceId} lacks ${missing.join(', ')}; it has ${seen}`);
        }
        return trace;
      },
      {
        timeoutMs: 30_000,
        description: 'one trace: webhook -> clearance -> vault link -> resident e-mail -> property webhook',
      },
    );
    // The link request is a server span of id-vault's internal API inside the message's send.
    const send = spans.find(
      (s) => s.name === 'message send email' && s.attributes['portico.recipient_role'] === 'resident',
    );
    expect(send).toBeDefined();
    expect(spans.filter((s) => s.service === 'id-vault').length).toBeGreaterThan(0);
  });

  it('publishes each step once, keyed by the parcel id, with the trace context in the headers', async () => {
    const records = await recordsKeyed(
      brokers,
      [CARRIER_TRACKING_TOPIC.name, CLEARANCE_CASE_TOPIC.name, NOTIFICATION_OUTREACH_TOPIC.name],
      parcel,
      4,
    );
    const types = records.map((r) => r.headers['event-type']);
    expect(types.filter((t) => t?.endsWith('TrackingEventRecorded'))).toHaveLength(1);
    expect(types.filter((t) => t?.endsWith('CaseOpened'))).toHaveLength(1);
    expect(types.filter((t) => t?.endsWith('DocumentsRequested'))).toHaveLength(1);
    expect(types.filter((t) => t?.endsWith('OutreachTaskCreated'))).toHaveLength(1);
    for (const record of records) {
      expect(record.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(record.headers['tenant-id']).toBe(scenario.tenantId);
    }
    const traceIds = new Set(records.map((r) => r.headers['traceparent']!.split('-')[1]));
    expect(traceIds.size).toBe(1);
  });

  it('takes the documents through id-vault to the carrier with no manual relay', async () => {
    const [openCase] = await client.casesOf(parcel);
    const [task] = await client.tasksOf(parcel);
    expect(task).toBeDefined();
    // The resident follows the link in notification's e-mail: nobody relayed it by hand.
    const mail = await waitFor(residentMail, { timeoutMs: 30_000, description: "the resident's e-mail" });
    const uploadUrl = /https?:\/\/[^\s"<>]+\/u\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    expect(uploadUrl).toBeDefined();
    const link = { requestId: '', uploadUrl: uploadUrl!, expiresAt: '' };
    await client.giveConsent(link);
    // The resident types the ID number and name too: both exist only inside id-vault from here on.
    const { documentId } = await client.uploadIdCard(link, await cardPhoto(), await cardPhoto({ angle: 4 }), {
      idNumber: scenario.residentIdNumber,
      name: scenario.resident.name,
      expiry: '长期',
    });
    const steward = await client.personToken({
      subject: scenario.stewardId,
      roles: ['steward'],
      tenantId: scenario.tenantId,
      propertyIds: [scenario.propertyId],
    });
    // The steward sees the case's documents once the vault knows its property (RecipientResolved).
    const [stored] = await waitFor(
      () => client.vaultDocumentsOf(openCase!.id, steward).catch(() => undefined),
      { timeoutMs: 30_000, description: "the property's steward sees the documents" },
    );
    expect(stored).toMatchObject({ id: documentId, status: 'submitted', sides: ['front', 'back'] });
    await client.approveDocument(documentId, steward);
    const notice = await waitFor(async () => carrierRelay.notices[0], {
      timeoutMs: 30_000,
      description: 'the relay push to the carrier',
    });
    expect(notice).toMatchObject({
      documentId,
      caseId: openCase!.id,
      trackingNumber: scenario.trackingNumber,
    });
    expect(carrierRelay.rejected).toHaveLength(0); // every push carried a valid Standard Webhooks signature
    const copy = await carrierRelay.download(notice, 'front');
    expect(copy.status).toBe(200);
    expect(copy.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    await waitFor(
      async () => (await client.casesOf(parcel)).find((c) => c.state === 'submitted_to_carrier'),
      {
        timeoutMs: 30_000,
        description: 'the case submitted to the carrier',
      },
    );
  });

  it("never lets the resident's name, phone or ID number out of the services that own them", async () => {
    const records = await recordsKeyed(
      brokers,
      [
        CARRIER_TRACKING_TOPIC.name,
        CLEARANCE_CASE_TOPIC.name,
        NOTIFICATION_OUTREACH_TOPIC.name,
        VAULT_DOCUMENT_TOPIC.name,
      ],
      parcel,
      4,
    );
    // Let the batch span processors flush what they hold.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const emitted = [
      ...records.map((r) => `${r.key}\n${r.value.toString('utf8')}\n${JSON.stringify(r.headers)}`),
      ...otlp.rawBodies,
      ...[...processes.values()].map((p) => p.logText()),
    ].join('\n');
    expect(emitted.length).toBeGreaterThan(1_000); // the scan saw real output
    expect(records.some((r) => r.topic === VAULT_DOCUMENT_TOPIC.name)).toBe(true);
    for (const value of scenario.personalData) {
      expect(emitted.includes(value)).toBe(false);
    }
    // Other services' databases: the typed ID number exists only in id-vault (sealed); clearance and
    // claims hold no name or phone either (notification owns the directory, carrier-ingestion the raw
    // webhook archive, by design).
    const dumps = await databaseDumps();
    for (const [service, text] of dumps) {
      expect({ service, holdsIdNumber: text.includes(scenario.residentIdNumber) }).toEqual({
        service,
        holdsIdNumber: false,
      });
      if (service === 'clearance' || service === 'claims') {
        for (const value of [scenario.resident.name, scenario.resident.phone]) {
          expect({ service, holdsPersonalData: text.includes(value) }).toEqual({
            service,
            holdsPersonalData: false,
          });
        }
      }
    }
    expect(dumps.get('clearance')!.length).toBeGreaterThan(1_000);
  });

  it("clears the case when the carrier's release webhook arrives, and the steward's task closes itself", async () => {
    const released = await client.postTrackingWebhook(account, [scenario.released(new Date())]);
    expect(released.status).toBe(202);
    const cleared = await waitFor(
      async () => (await client.casesOf(parcel)).find((c) => c.state === 'cleared'),
      { timeoutMs: 30_000, description: 'the case cleared' },
    );
    expect(cleared).toMatchObject({ parcelId: parcel, open: false });
    const steps = (cleared.history as Array<{ to: string }>).map((h) => h.to);
    expect(steps.slice(0, 2)).toEqual(['opened', 'awaiting_documents']);
    expect(steps).toContain('submitted_to_carrier');
    expect(steps.at(-1)).toBe('cleared');
    await waitFor(async () => (await client.tasksOf(parcel))[0]?.state !== 'open', {
      timeoutMs: 30_000,
      description: "the steward's task closed",
    });
  });
});
