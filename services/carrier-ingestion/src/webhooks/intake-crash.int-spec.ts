/**
 * kill -9 under load: carrier-ingestion runs as a real process from its build output (dist/, as
 * `npm run up` runs it) on a fresh database and the real Kafka broker. Sixteen concurrent senders
 * post unique signed Portico-native webhooks; after about 1.5 s the process is killed with SIGKILL
 * while requests are in flight. A second process is started on the same database, takes more load,
 * and gets the retries of every delivery that went unanswered in the crash (same webhook-id, same
 * bytes, as a sender retries). Once its outbox is drained and it has stopped gracefully, the topic
 * is read back from the offsets it had before the load. Proved:
 *
 * - every webhook answered 2xx (before or after the crash) is published as exactly one event
 *   (one event-id) on carrier.tracking.v1: a 2xx means "durably stored and will be published", and
 *   the crash loses none of them and never turns one webhook into two events;
 * - the topic holds exactly as many distinct events as there are `accepted` receipts: nothing
 *   stored is left unpublished, and nothing unstored is published.
 *
 * What the topic may hold twice is the same event: the outbox relay is at-least-once (a batch sent
 * just before the kill, whose outbox rows were not yet deleted, is sent again by the next process,
 * with the same event-ids), and every consumer's inbox drops the copy by event-id. See
 * docs/adr/0003-at-least-once-relay.md for why, and for what literal exactly-once would take.
 * - a retry of a delivery the crash left unanswered is either accepted (it was never stored) or
 *   answered duplicate (it was stored, only its answer was lost), never anything else.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { signDevToken } from '@portico/auth';
import { CARRIER_TRACKING_TOPIC, TrackingStreamEventSchema } from '@portico/contracts';
import {
  createTestDatabase,
  getTestKafka,
  readTopicRange,
  waitFor,
  type TestDatabase,
} from '@portico/testing';
import {
  freePort,
  REPO_ROOT,
  ServiceProcess,
  signedNativeWebhook,
  type NativeTrackingEvent,
  type SignedWebhook,
} from '@portico/testing/platform';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

const runId = randomBytes(4).toString('hex');
const TENANT = `ten_crash_${runId}`;
const CARRIER = 'crash-express';
const LOG_DIR = join(REPO_ROOT, 'test-artifacts', 'carrier-ingestion');

const SENDERS = 16;
/** Load before the kill; the kill comes earlier if this many 2xx answers were already seen. */
const LOAD_BEFORE_KILL_MS = 1_500;
const ACKS_BEFORE_KILL_MAX = 4_000;
const LOAD_AFTER_RESTART_MS = 1_000;
/** Hard bounds of each load phase, whatever the machine's speed. */
const MAX_REQUESTS_PER_PHASE = 8_000;
const MAX_PHASE_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

type Phase = 'before-kill' | 'after-restart' | 'retry';

/** One HTTP delivery as its sender saw it. */
interface Delivery {
  readonly id: string;
  readonly phase: Phase;
  readonly signed: SignedWebhook;
  readonly startedAt: number;
  /** The HTTP status, when an answer arrived. */
  status?: number;
  /** Why no answer arrived (the error's cause code: ECONNRESET, UND_ERR_SOCKET, ...). */
  error?: string;
}

const acknowledged = (d: Delivery) => d.status !== undefined && d.status >= 200 && d.status < 300;

/** The code of a failed fetch ("fetch failed" hides it in its cause). */
function errorCode(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.code ?? `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

describe('carrier-ingestion killed with -9 under webhook load (real process, Postgres and Kafka)', () => {
  let brokers: string[];
  let db: TestDatabase;
  let pg: Client;
  let kafka: Kafka;
  let env: Record<string, string>;
  const processes: ServiceProcess[] = [];
  let account: { id: string; secret: string };
  let offsetsBefore: { partition: number; offset: string }[];
  const deliveries: Delivery[] = [];
  let counter = 0;
  let killedAt = 0;

  const hold = (tracking: string): NativeTrackingEvent => ({
    carrier: CARRIER,
    trackingNumber: tracking,
    status: 'customs_hold',
    customsHoldReason: 'id_documents_required',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    carrierStatusCode: 'CUSTOMS_ID_REQUIRED',
    description: 'Held by customs: recipient identity documents required',
    location: { country: 'CN', city: 'Shanghai', description: 'Pudong International Airport customs' },
    recipient: { name: 'Crash Resident', phone: '13800000000', postalCode: '200120', unit: '12-03' },
    shipment: {
      originCountry: 'JP',
      destinationCountry: 'CN',
      declaredValue: { amount: '980.00', currency: 'CNY' },
    },
  });

  /** A fresh delivery: unique webhook-id and tracking number. */
  function nextWebhook(): SignedWebhook {
    const n = ++counter;
    return signedNativeWebhook(
      account.secret,
      [hold(`KC${runId.toUpperCase()}${String(n).padStart(7, '0')}CN`)],
      { id: `msg_crash_${runId}_${n}` },
    );
  }

  async function deliver(service: ServiceProcess, signed: SignedWebhook, phase: Phase): Promise<Delivery> {
    const delivery: Delivery = { id: signed.headers['webhook-id']!, phase, signed, startedAt: Date.now() };
    deliveries.push(delivery);
    try {
      const res = await fetch(`${service.baseUrl}/webhooks/${account.id}`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // The status line is the answer a sender acts on, even if the body is cut off after it.
      delivery.status = res.status;
      await res.text().catch(() => undefined);
    } catch (error) {
      delivery.error = errorCode(error);
    }
    return delivery;
  }

  /**
   * SENDERS concurrent loops of fresh deliveries, for `forMs` or until `stop()` (bounded in count and
   * time either way).
   */
  function load(service: ServiceProcess, phase: Phase, forMs = MAX_PHASE_MS) {
    let stopped = false;
    let sent = 0;
    const until = Date.now() + Math.min(forMs, MAX_PHASE_MS);
    const senders = Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (!stopped && sent < MAX_REQUESTS_PER_PHASE && Date.now() < until) {
          sent++;
          await deliver(service, nextWebhook(), phase);
        }
      }),
    );
    return {
      /** Resolves once every sender has finished (time or count is up). */
      done: senders,
      /** Starts no further request; resolves once every request in flight has settled. */
      stop: async () => {
        stopped = true;
        await senders;
      },
    };
  }

  const inPhase = (phase: Phase) => deliveries.filter((d) => d.phase === phase);
  /** What a failure message shows of a delivery. */
  const summary = (d: Delivery) => ({ id: d.id, phase: d.phase, status: d.status, error: d.error });
  const count = async (sql: string): Promise<number> => (await pg.query(sql)).rows[0].n as number;

  /** A new process of the service on the test database (same settings, a new port). */
  async function startService(options: { migrate: boolean }): Promise<ServiceProcess> {
    const service = new ServiceProcess('carrier-ingestion', await freePort(), env, LOG_DIR);
    if (options.migrate) service.migrate();
    processes.push(service);
    await service.start(30_000);
    return service;
  }

  beforeAll(async () => {
    ({ brokers } = await getTestKafka());
    db = await createTestDatabase('carrier_ingestion_crash');
    const devTokenKey = randomBytes(32).toString('base64url');
    env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: `carrier-ingestion-crash-${runId}`,
      AUTH_DEV_TOKEN_KEY: devTokenKey,
      RECIPIENT_DIGEST_KEYS: `k1=${randomBytes(32).toString('base64url')}`,
      CARRIER_SECRETS_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
    };
    kafka = new Kafka({ clientId: `ci-crash-reader-${runId}`, brokers, logLevel: logLevel.NOTHING });
    pg = new Client({ connectionString: db.url });
    await pg.connect();

    const first = await startService({ migrate: true });

    const token = await signDevToken(
      { subject: `operator-${runId}`, roles: ['operator'] },
      { key: devTokenKey, issuer: 'http://127.0.0.1:8080/portico-dev', audience: 'portico-api' },
    );
    const created = await fetch(`${first.baseUrl}/v1/carrier-accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId: TENANT,
        provider: 'portico-native',
        carrierCode: CARRIER,
        displayName: 'Crash Express',
      }),
    });
    if (created.status !== 201) throw new Error(`account creation answered ${created.status}`);
    account = (await created.json()) as { id: string; secret: string };

    const admin = kafka.admin();
    await admin.connect();
    try {
      offsetsBefore = await admin.fetchTopicOffsets(CARRIER_TRACKING_TOPIC.name);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);

  afterAll(async () => {
    for (const service of processes) await service.stop('SIGKILL').catch(() => undefined);
    await pg?.end().catch(() => undefined);
    await db?.drop();
  }, 30_000);

  it('is killed with -9 while webhooks are in flight', async () => {
    const service = processes[0]!;
    const startedAt = Date.now();
    const senders = load(service, 'before-kill');
    const acks = () => inPhase('before-kill').filter(acknowledged).length;
    await waitFor(
      () => acks() >= ACKS_BEFORE_KILL_MAX || (Date.now() - startedAt >= LOAD_BEFORE_KILL_MS && acks() > 0),
      { timeoutMs: 15_000, intervalMs: 10, description: 'webhooks being accepted under load' },
    );
    killedAt = Date.now();
    const stopping = senders.stop();
    await service.stop('SIGKILL');
    await stopping;
    expect(service.running).toBe(false);

    const sent = inPhase('before-kill');
    const unanswered = sent.filter((d) => d.status === undefined);
    // Answers before the kill were all 202: nothing was refused or failed under the load.
    expect(sent.filter((d) => d.status !== undefined && d.status !== 202).map(summary)).toEqual([]);
    expect(sent.filter(acknowledged).length).toBeGreaterThan(0);
    // The kill hit requests in flight: they got no answer (the connection broke), not a 5xx.
    expect(unanswered.length).toBeGreaterThan(0);
    expect(unanswered.every((d) => d.startedAt <= killedAt)).toBe(true);
  });

  it('restarts on the same database; each unanswered delivery, retried, is accepted or a duplicate', async () => {
    const service = await startService({ migrate: false });
    const unanswered = inPhase('before-kill').filter((d) => d.status === undefined);
    const senders = load(service, 'after-restart', LOAD_AFTER_RESTART_MS);
    // The sender's retries: the same bytes, hence the same webhook-id, to the restarted service.
    const retries = await Promise.all(unanswered.map((d) => deliver(service, d.signed, 'retry')));
    await senders.done;

    expect(retries.filter((d) => d.status !== 202 && d.status !== 200).map(summary)).toEqual([]);
    const after = inPhase('after-restart');
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((d) => d.status !== 202).map(summary)).toEqual([]);

    // Everything stored is published before the graceful stop.
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM outbox')) === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'the outbox drained by the restarted relay',
    });
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM outbox')).toBe(0);
  });

  it('has published every acknowledged webhook as exactly one event, and nothing that was not stored', async () => {
    const published = await readBack(kafka, offsetsBefore, TENANT, runId);
    // webhook id -> the event ids it was published under (one, however many copies)
    const seen = new Map<string, Set<string | undefined>>();
    for (const r of published)
      seen.set(r.sourceEventId, (seen.get(r.sourceEventId) ?? new Set()).add(r.eventId));
    // Every 2xx: before the kill, after the restart, and the retries (a retry answered 200 duplicate
    // was stored before the crash, only its answer was lost: it must be on the topic too).
    const acked = new Set(deliveries.filter(acknowledged).map((d) => d.id));
    const sent = new Set(deliveries.map((d) => d.id));
    const accepted = await count(
      `SELECT count(*)::int AS n FROM webhook_receipts WHERE outcome = 'accepted'`,
    );

    // All at once, so that a failure shows the whole picture.
    expect({
      // a webhook published as two different events (two outbox rows): a real duplicate, which
      // consumers' inboxes could not drop
      twoEvents: [...seen].filter(([, events]) => events.size > 1 || events.has(undefined)),
      // answered 2xx, not on the topic
      lost: [...acked].filter((id) => !seen.has(id)),
      // on the topic, never sent by this test, or for another account
      strangers: published.filter((r) => !sent.has(r.sourceEventId) || r.carrierAccountId !== account.id),
      webhookIds: seen.size,
      events: new Set(published.map((r) => r.eventId)).size,
    }).toEqual({ twoEvents: [], lost: [], strangers: [], webhookIds: accepted, events: accepted });
    expect(published.length).toBeGreaterThanOrEqual(accepted);
    expect(acked.size).toBeLessThanOrEqual(accepted);
  });
});

interface PublishedEvent {
  sourceEventId: string;
  carrierAccountId: string;
  /** Where it is and which outbox row it came from, for the failure message. */
  partition: number;
  offset: string;
  eventId?: string;
  timestamp: string;
}

/**
 * Reads carrier.tracking.v1 from `from` to the end offsets it has now (the topic is shared: only
 * records with this test's tenant-id header are kept) and decodes each into its source event id,
 * which for portico-native is the webhook-id.
 */
async function readBack(
  kafka: Kafka,
  from: { partition: number; offset: string }[],
  tenantId: string,
  runId: string,
): Promise<PublishedEvent[]> {
  const records = await readTopicRange(kafka, CARRIER_TRACKING_TOPIC.name, from, {
    groupId: `ci-crash-reader-${runId}`,
    timeoutMs: 30_000,
  });
  return records.flatMap((r) => {
    if (r.headers['tenant-id'] !== tenantId) return [];
    const stream = fromBinary(TrackingStreamEventSchema, r.value);
    if (stream.event.case !== 'trackingEventRecorded') return [];
    return [
      {
        sourceEventId: stream.event.value.sourceEventId,
        carrierAccountId: stream.event.value.carrierAccountId,
        partition: r.partition,
        offset: r.offset,
        eventId: r.headers['event-id'],
        timestamp: r.timestamp,
      },
    ];
  });
}
