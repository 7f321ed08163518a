import { fromBinary } from '@bufbuild/protobuf';
import { NOTIFICATION_OUTREACH_TOPIC, notification, OutreachEventSchema } from '@portico/contracts';
import { createIdempotentProducer, createKafka } from '@portico/messaging';
import { waitFor } from '@portico/testing';
import { PorticoPlatformClient, signedNativeWebhook, type CarrierAccount } from '@portico/testing/platform';
import { logLevel, type Consumer, type Kafka } from 'kafkajs';
import { startBenchService, sharedBenchSettings } from './bench-platform';
import type { Cleanup } from './cleanup';
import { busyPercent, cpuTimeMs, machineCpuTicks } from './machine';
import { benchDirectory, customsHoldFor, inTransitScan } from './notify-directory';
import { distributionOf, type Distribution } from './percentiles';
import { steadyLoad, type SteadyLoadResult } from './steady-load';

export interface LatencyOptions {
  readonly runId: string;
  readonly brokers: string[];
  readonly rate: number;
  readonly seconds: number;
  readonly baselineSeconds: number;
  /** One webhook in `holdEvery` is a customs hold for ID documents; the rest are in-transit scans. */
  readonly holdEvery: number;
  readonly properties: number;
  readonly unitsPerProperty: number;
  /** Distinct parcels the in-transit scans are spread over. */
  readonly scanParcels: number;
  readonly settleSeconds: number;
  readonly serviceEnv: Record<string, Record<string, string>>;
}

export interface LatencyResult {
  readonly baseline: Distribution & { readonly sent: number; readonly received: number };
  readonly load: SteadyLoadResult;
  readonly answers: Distribution;
  readonly holdsAccepted: number;
  readonly latency: Distribution;
  readonly missing: number;
  readonly duplicated: number;
  readonly wrongTask: number;
  /** CPU time (user + system) each process spent during the load, in ms ('bench' is this process). */
  readonly cpuMs: Record<string, number>;
  readonly loadMs: number;
  /** How busy the whole machine was during the load (all processes, everyone's), in % of all cores. */
  readonly machineBusyPercent: number;
}

const CARRIERS = ['bench-express', 'bench-post'] as const;
const TASK_CREATED = 'portico.notification.v1.OutreachTaskCreated';
const SERVICES = ['carrier-ingestion', 'clearance', 'notification'] as const;

/** A consumer that has joined its group (kafkajs' run() resolves before that). */
async function joinedConsumer(kafka: Kafka, groupId: string, topic: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  return consumer;
}

function whenJoined(consumer: Consumer): Promise<void> {
  return new Promise((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
}

/**
 * The floor: records produced to a scratch topic at the same rate (one send per 5 ms tick, acks=-1,
 * idempotent, as the platform's outbox relays do) and consumed by a group on the same broker;
 * latency = consume time - send time, same clock.
 */
async function kafkaRoundTrip(kafka: Kafka, o: LatencyOptions, cleanup: Cleanup) {
  const topic = `bench.notify.roundtrip.${o.runId}`;
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add(`admin`, () => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  cleanup.add(`topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
  const consumer = await joinedConsumer(kafka, `bench-${o.runId}-roundtrip`, topic);
  cleanup.add('round-trip consumer', () => consumer.disconnect());
  const latencies: number[] = [];
  const joined = whenJoined(consumer);
  await consumer.run({
    eachMessage: async ({ message }) => {
      latencies.push(Date.now() - Number(message.value!.toString()));
    },
  });
  await joined;
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const total = Math.round(o.rate * o.baselineSeconds);
  let sent = 0;
  let key = 0;
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * o.rate));
    if (due > sent) {
      const now = String(Date.now());
      const messages = Array.from({ length: due - sent }, () => ({
        key: `prc_${key++ % 5_000}`,
        value: now,
      }));
      sent = due;
      sends.push(producer.send({ topic, messages }));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(sends);
  await producer.disconnect();
  await waitFor(() => latencies.length >= total, {
    timeoutMs: 60_000,
    intervalMs: 100,
    description: 'the round-trip records consumed',
  }).catch(() => undefined);
  await cleanup.runNow('round-trip consumer');
  return { ...distributionOf(latencies), sent: total, received: latencies.length };
}

/**
 * Webhook-to-steward-task latency through the real carrier-ingestion, clearance and notification
 * processes (each on a fresh scratch database). id-vault is not started: creating a task does not
 * ask it for anything (the resident's upload link is fetched by notification's message worker, later,
 * and only for properties with direct resident outreach and VAULT_INTERNAL_URL set).
 */
export async function measureLatency(o: LatencyOptions, cleanup: Cleanup): Promise<LatencyResult> {
  const kafka = createKafka({
    brokers: o.brokers,
    clientId: `bench-notify-${o.runId}`,
    logLevel: logLevel.NOTHING,
  });
  const baseline = await kafkaRoundTrip(kafka, o, cleanup);

  const { env, tokens } = sharedBenchSettings(o.brokers, ['carrier-ingestion', 'clearance', 'notification']);
  const started = new Map<string, Awaited<ReturnType<typeof startBenchService>>>();
  // One at a time: two cores, and each start provisions topics.
  for (const name of SERVICES)
    started.set(
      name,
      await startBenchService(cleanup, name, o.runId, {
        ...env,
        INTERNAL_SERVICE_TOKEN: tokens[name]!,
        ...(o.serviceEnv[name] ?? {}),
      }),
    );
  const client = new PorticoPlatformClient(
    {
      carrierIngestion: started.get('carrier-ingestion')!.service.baseUrl,
      clearance: started.get('clearance')!.service.baseUrl,
      notification: started.get('notification')!.service.baseUrl,
    },
    { devTokenKey: env.AUTH_DEV_TOKEN_KEY! },
  );
  const directory = benchDirectory(o.runId, o.properties, o.unitsPerProperty);
  await client.importDirectory(directory.body);
  const accounts: CarrierAccount[] = [];
  for (const carrierCode of CARRIERS)
    accounts.push(
      await client.createCarrierAccount({
        tenantId: directory.tenantId,
        carrierCode,
        displayName: 'Bench (load generator)',
      }),
    );

  // Every OutreachTaskCreated of this tenant, with the time it was read.
  const tasksByParcel = new Map<string, { at: number; kind: number; residentId: string }[]>();
  const consumer = await joinedConsumer(kafka, `bench-${o.runId}-tasks`, NOTIFICATION_OUTREACH_TOPIC.name);
  cleanup.add('task consumer', () => consumer.disconnect());
  const joined = whenJoined(consumer);
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = Date.now();
      if (message.headers?.['event-type']?.toString() !== TASK_CREATED) return;
      if (message.headers?.['tenant-id']?.toString() !== directory.tenantId) return;
      const event = fromBinary(OutreachEventSchema, message.value!);
      if (event.event.case !== 'outreachTaskCreated') return;
      const created = event.event.value;
      const parcel = created.parcel?.parcelId ?? message.key!.toString();
      const list = tasksByParcel.get(parcel) ?? [];
      list.push({ at, kind: created.kind, residentId: created.residentId });
      tasksByParcel.set(parcel, list);
    },
  });
  await joined;

  // The load: in-transit scans over `scanParcels` parcels, every `holdEvery`-th one a customs hold of
  // its own parcel for a resident of the directory (round robin over residents and carriers).
  const holdAnsweredAt = new Map<number, { parcel: string; at: number; ok: boolean }>();
  const holdParcel = new Map<number, { parcel: string; resident: string }>();
  const answerTimes: number[] = [];
  const sentAt = new Float64Array(Math.round(o.rate * o.seconds) + 1);
  const base = Date.now() - 3_600_000;
  const cpuBefore = Object.fromEntries(SERVICES.map((s) => [s, cpuTimeMs(started.get(s)!.service.pid)]));
  const benchCpuBefore = process.cpuUsage();
  const ticksBefore = machineCpuTicks();
  const loadStarted = performance.now();
  const load = await steadyLoad({
    baseUrl: client.urls.carrierIngestion,
    rate: o.rate,
    seconds: o.seconds,
    maxInFlight: 256,
    next: (i) => {
      const account = accounts[i % accounts.length]!;
      const carrier = CARRIERS[i % CARRIERS.length]!;
      const at = new Date(base + i);
      let event;
      if (i % o.holdEvery === o.holdEvery - 1) {
        const hold = Math.floor(i / o.holdEvery);
        const resident = directory.residents[hold % directory.residents.length]!;
        const trackingNumber = `BH${o.runId.toUpperCase()}${String(hold).padStart(7, '0')}`;
        holdParcel.set(i, {
          parcel: PorticoPlatformClient.parcelIdOf(carrier, trackingNumber),
          resident: resident.id,
        });
        event = customsHoldFor(carrier, trackingNumber, resident, at);
      } else {
        event = inTransitScan(
          carrier,
          `BN${o.runId.toUpperCase()}${String(i % o.scanParcels).padStart(7, '0')}`,
          at,
        );
      }
      const signed = signedNativeWebhook(account.secret, [event], { id: `msg_${o.runId}_${i}` });
      sentAt[i] = performance.now();
      return { path: `/webhooks/${account.id}`, headers: signed.headers, body: signed.body };
    },
    onAnswer: (i, status, at) => {
      const ok = status >= 200 && status < 300;
      if (ok) answerTimes.push(performance.now() - sentAt[i]!);
      const hold = holdParcel.get(i);
      if (hold) holdAnsweredAt.set(i, { parcel: hold.parcel, at, ok });
    },
  });
  const loadMs = performance.now() - loadStarted;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const cpuMs: Record<string, number> = {
    ...Object.fromEntries(SERVICES.map((s) => [s, cpuTimeMs(started.get(s)!.service.pid) - cpuBefore[s]!])),
    bench: (benchCpu.user + benchCpu.system) / 1000,
  };
  const machineBusy = busyPercent(ticksBefore, machineCpuTicks());

  const accepted = [...holdAnsweredAt.values()].filter((h) => h.ok);
  // Stragglers (a retry topic's back-off, a lagging consumer) count: wait for them, then a moment
  // more so that a duplicate task would be seen too.
  await waitFor(() => accepted.every((h) => tasksByParcel.has(h.parcel)), {
    timeoutMs: o.settleSeconds * 1000,
    intervalMs: 200,
    description: 'a task for every accepted hold',
  }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 3_000));
  await cleanup.runNow('task consumer');
  // The next phase gets the machine to itself.
  for (const { stepName } of [...started.values()].reverse()) await cleanup.runNow(stepName);

  const residentOf = new Map([...holdParcel.values()].map((h) => [h.parcel, h.resident]));
  const latencies: number[] = [];
  let missing = 0;
  let duplicated = 0;
  let wrongTask = 0;
  for (const hold of accepted) {
    const tasks = tasksByParcel.get(hold.parcel);
    if (!tasks) {
      missing++;
      continue;
    }
    if (tasks.length > 1) duplicated++;
    const first = tasks[0]!;
    if (
      first.kind !== notification.OutreachKind.DOCUMENTS_REQUESTED ||
      first.residentId !== residentOf.get(hold.parcel)
    )
      wrongTask++;
    latencies.push(first.at - hold.at);
  }
  return {
    baseline,
    load,
    answers: distributionOf(answerTimes),
    holdsAccepted: accepted.length,
    latency: distributionOf(latencies),
    missing,
    duplicated,
    wrongTask,
    cpuMs,
    loadMs,
    machineBusyPercent: machineBusy,
  };
}
