import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  NOTIFICATION_OUTREACH_TOPIC,
  notification,
  OutreachEventSchema,
  parcelRef,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { waitFor } from '@portico/testing';
import { freePort, PorticoPlatformClient } from '@portico/testing/platform';
import { logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { startBenchService, sharedBenchSettings } from './bench-platform';
import type { Cleanup } from './cleanup';
import { cpuTimeMs } from './machine';

export interface DeliveriesOptions {
  readonly runId: string;
  readonly brokers: string[];
  /** Outreach events put through (three per parcel: created, acknowledged, closed). */
  readonly events: number;
  readonly serviceEnv: Record<string, string>;
}

export interface ReceiverReport {
  readonly requests: number;
  readonly unique: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly meanBodyBytes: number;
  readonly orderViolations: number;
  readonly parcels: number;
  readonly verified: number;
  readonly verifyFailures: number;
  readonly arrivals: number[];
}

export interface Throughput {
  /** Distinct deliveries over the time from the first to the last arrival. */
  readonly perSecond: number;
  /** The same between the 10th and the 90th percentile arrival (start-up and tail left out). */
  readonly steadyPerSecond: number;
  readonly seconds: number;
}

export interface DeliveriesResult {
  readonly concurrency: number;
  readonly baseline: Throughput & { readonly report: ReceiverReport };
  readonly fanOutSeconds: number;
  readonly service: Throughput & { readonly report: ReceiverReport };
  readonly deliveredInLog: number;
  readonly attemptsInLog: number;
  readonly apiSample: { status: string; attempts: number }[];
  readonly serviceCpuPercent: number;
}

const EVENTS_PER_PARCEL = 3;

function throughputOf(report: ReceiverReport): Throughput {
  const a = [...report.arrivals].sort((x, y) => x - y);
  const seconds = (report.lastAt - report.firstAt) / 1000;
  const lo = a[Math.floor(a.length * 0.1)] ?? 0;
  const hi = a[Math.floor(a.length * 0.9)] ?? 0;
  return {
    seconds,
    perSecond: report.unique / Math.max(seconds, 0.001),
    steadyPerSecond: (0.8 * report.unique) / Math.max((hi - lo) / 1000, 0.001),
  };
}

/** The bare receiver (bare-webhook-receiver.server.js) in its own process. */
async function startReceiver(cleanup: Cleanup) {
  const port = await freePort();
  const child: ChildProcess = fork(join(__dirname, '..', 'bare-webhook-receiver.server.js'), [], {
    env: { ...process.env, BENCH_PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', () => undefined); // a send after it stopped (cleanup on Ctrl-C)
  cleanup.add('receiver', () => child.kill('SIGTERM'));
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  const ask = <T>(message: object, key?: string) =>
    new Promise<T>((resolve) => {
      if (!key) {
        child.send(message);
        resolve(undefined as T);
        return;
      }
      const onMessage = (m: Record<string, unknown>) => {
        if (key in m) {
          child.off('message', onMessage);
          resolve(m[key] as T);
        }
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return {
    url: `http://127.0.0.1:${port}/hooks/bench`,
    pid: child.pid,
    setSecret: (secret: string) => ask({ secret }),
    reset: () => ask({ reset: true }),
    report: () => ask<ReceiverReport>({ report: true }, 'report'),
  };
}

/** What the service sends for an outreach event (webhook-events.ts), built by hand for the baseline. */
function baselineBody(runId: string, tenantId: string, i: number): string {
  const parcel = Math.floor(i / EVENTS_PER_PARCEL);
  const trackingNumber = `BW${runId.toUpperCase()}${String(parcel).padStart(7, '0')}`;
  const at = new Date(Date.UTC(2026, 11, 1) + (i % EVENTS_PER_PARCEL) * 1000).toISOString();
  return JSON.stringify({
    type: 'outreach.task.acknowledged',
    version: 1,
    eventId: randomUUID(),
    timestamp: at,
    tenantId,
    data: {
      taskId: `ot_${runId}_${parcel}`,
      tenantId,
      parcel: {
        parcelId: parcelRef('bench-express', trackingNumber).parcelId,
        carrierCode: 'bench-express',
        trackingNumber,
      },
      propertyId: `prop_${runId}_0`,
      caseId: `case_${runId}_${parcel}`,
      occurredAt: at,
      claimId: '',
      userId: `stf_steward_${runId}_0`,
      level: 'steward',
    },
  });
}

/**
 * The floor: the same receiver, the same number of POSTs with the same concurrency and body size,
 * signed by the same `standardwebhooks` signer, through the same kind of client the service's gateway
 * uses (node:http keep-alive agent) — and nothing else: no database, no claim, no record.
 */
async function bareSender(
  url: string,
  secret: string,
  count: number,
  concurrency: number,
  runId: string,
  tenantId: string,
) {
  const target = new URL(url);
  const signer = new Webhook(secret);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, scheduling: 'lifo' });
  let next = 0;
  const post = (i: number) =>
    new Promise<void>((resolve) => {
      const body = baselineBody(runId, tenantId, i);
      const id = `msg_bare_${runId}_${i}`;
      const now = new Date();
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Portico-Webhooks/1',
            'content-length': Buffer.byteLength(body),
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': signer.sign(id, now, body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', () => resolve());
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await post(next++);
    }),
  );
  agent.destroy();
}

async function putOutreachEventsThrough(brokers: string[], runId: string, tenantId: string, count: number) {
  const kafka = createKafka({
    brokers,
    clientId: `bench-notify-events-${runId}`,
    logLevel: logLevel.NOTHING,
  });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    const base = Date.now() - 3_600_000;
    for (let start = 0; start < count; start += 1_000) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 1_000); i++) {
        const p = Math.floor(i / EVENTS_PER_PARCEL);
        const step = i % EVENTS_PER_PARCEL;
        const parcel = parcelRef('bench-express', `BW${runId.toUpperCase()}${String(p).padStart(7, '0')}`);
        // Each parcel's events a second apart: the receiver checks they arrive in that order.
        const occurredAt = timestampFromDate(new Date(base + p + step * 1_000));
        const identity = {
          taskId: `ot_${runId}_${p}`,
          tenantId,
          parcel,
          propertyId: `prop_${runId}_${p % 10}`,
          caseId: `case_${runId}_${p}`,
          occurredAt,
        };
        const message =
          step === 0
            ? create(OutreachEventSchema, {
                event: {
                  case: 'outreachTaskCreated',
                  value: create(notification.OutreachTaskCreatedSchema, {
                    ...identity,
                    kind: notification.OutreachKind.DOCUMENTS_REQUESTED,
                    stewardId: `stf_steward_${runId}_${p % 10}`,
                    residentId: `res_${runId}_${p}`,
                  }),
                },
              })
            : step === 1
              ? create(OutreachEventSchema, {
                  event: {
                    case: 'taskAcknowledged',
                    value: create(notification.TaskAcknowledgedSchema, {
                      ...identity,
                      userId: `stf_steward_${runId}_${p % 10}`,
                      level: notification.EscalationLevel.STEWARD,
                    }),
                  },
                })
              : create(OutreachEventSchema, {
                  event: {
                    case: 'taskClosed',
                    value: create(notification.TaskClosedSchema, {
                      ...identity,
                      resolution: notification.TaskResolution.COMPLETED,
                    }),
                  },
                });
        const record = encodeEvent({ schema: OutreachEventSchema, message, key: parcel.parcelId, tenantId });
        messages.push({ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } });
      }
      await producer.send({ topic: NOTIFICATION_OUTREACH_TOPIC.name, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Outbound deliveries/s: notification (its own process, scratch database) with a subscription of the
 * tenant to `outreach.*` on the bare receiver. `--events` outreach events go through its real consumer
 * and fan-out while the delivery worker is off (WEBHOOK_WORKER_LOOPS=0), so the whole backlog is
 * queued; then the service restarts with the worker on and the drain is timed at the receiver.
 */
export async function measureDeliveries(o: DeliveriesOptions, cleanup: Cleanup): Promise<DeliveriesResult> {
  const receiver = await startReceiver(cleanup);
  const { env, tokens } = sharedBenchSettings(o.brokers, ['notification']);
  const webhookEnv = {
    ...env,
    INTERNAL_SERVICE_TOKEN: tokens.notification!,
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_PRIVATE_NETWORKS: '127.0.0.1/32',
  };
  const loops = Number(o.serviceEnv.WEBHOOK_WORKER_LOOPS ?? 2);
  const perLoop = Number(o.serviceEnv.WEBHOOK_WORKER_CONCURRENCY ?? 64);
  const concurrency = loops * perLoop;

  const filling = await startBenchService(
    cleanup,
    'notification',
    o.runId,
    {
      ...webhookEnv,
      ...o.serviceEnv,
      WEBHOOK_WORKER_LOOPS: '0',
    },
    { tag: ' (fan-out only)' },
  );
  const client = new PorticoPlatformClient(
    { carrierIngestion: '', clearance: '', notification: filling.service.baseUrl },
    { devTokenKey: env.AUTH_DEV_TOKEN_KEY! },
  );
  const tenantId = `ten_bench_${o.runId}`;
  const operator = await client.operatorToken();
  const created = await fetch(`${filling.service.baseUrl}/v1/webhooks/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      tenantId,
      url: receiver.url,
      eventTypes: ['outreach.*'],
      description: 'bench receiver',
    }),
  });
  if (created.status !== 201) throw new Error(`subscription: HTTP ${created.status} ${await created.text()}`);
  const { subscription, secret } = (await created.json()) as { subscription: { id: string }; secret: string };
  await receiver.setSecret(secret);

  // Baseline first, alone on the machine (the filling service is idle).
  await bareSender(receiver.url, secret, o.events, concurrency, o.runId, tenantId);
  const bareReport = await receiver.report();
  await receiver.reset();

  const pg = new Client({ connectionString: filling.databaseUrl });
  await pg.connect();
  cleanup.add('pg', () => pg.end());
  const fanOutStarted = performance.now();
  await putOutreachEventsThrough(o.brokers, o.runId, tenantId, o.events);
  await waitFor(
    async () => (await pg.query('SELECT count(*)::int AS n FROM webhook_deliveries')).rows[0].n >= o.events,
    { timeoutMs: 600_000, intervalMs: 500, description: `${o.events} deliveries queued` },
  );
  const fanOutSeconds = (performance.now() - fanOutStarted) / 1000;
  await cleanup.runNow(filling.stepName);

  const draining = await startBenchService(
    cleanup,
    'notification',
    o.runId,
    { ...webhookEnv, ...o.serviceEnv },
    {
      databaseUrl: filling.databaseUrl,
      tag: ' (delivering)',
    },
  );
  const cpuBefore = cpuTimeMs(draining.service.pid);
  const drainStarted = performance.now();
  await waitFor(
    async () =>
      (await pg.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'`)).rows[0]
        .n >= o.events,
    { timeoutMs: 600_000, intervalMs: 250, description: 'every delivery delivered' },
  ).catch(() => undefined);
  const serviceCpuPercent =
    ((cpuTimeMs(draining.service.pid) - cpuBefore) / (performance.now() - drainStarted)) * 100;
  const serviceReport = await receiver.report();
  const log = (
    await pg.query(
      `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
              (SELECT count(*)::int FROM webhook_attempts) AS attempts FROM webhook_deliveries`,
    )
  ).rows[0] as { delivered: number; attempts: number };
  const sample = await fetch(
    `${draining.service.baseUrl}/v1/webhooks/subscriptions/${subscription.id}/deliveries?limit=5`,
    { headers: { authorization: `Bearer ${await client.operatorToken()}` } },
  );
  const apiSample = ((await sample.json()) as { items: { status: string; attempts: unknown[] }[] }).items.map(
    (d) => ({
      status: d.status,
      attempts: d.attempts.length,
    }),
  );
  await cleanup.runNow(draining.stepName);
  return {
    concurrency,
    baseline: { ...throughputOf(bareReport), report: bareReport },
    fanOutSeconds,
    service: { ...throughputOf(serviceReport), report: serviceReport },
    deliveredInLog: log.delivered,
    attemptsInLog: log.attempts,
    apiSample,
    serviceCpuPercent,
  };
}
