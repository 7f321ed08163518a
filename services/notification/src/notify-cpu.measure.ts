// Not a test (no jest config matches it): notification's CPU per consumed event under a scan load,
// in process, on the real broker and Postgres (NotificationHarness). 12,000 in-transit scans over
// 2,000 parcels plus, every 50th, a customs hold of a parcel of its own and its DocumentsRequested
// (the bench's mix, without carrier-ingestion and clearance), produced in bursts of 200; the clock
// runs from the first burst until every hold has its task and every scan is in the inbox. Prints
// this process's CPU (the service and the test producer) and the CPU of the Postgres backends of
// the scratch database, per scan, and the top self-time functions of a CPU profile.
//
// ONLY against a scratch broker: it puts ~12,500 records on carrier.tracking.v1, and every
// harness of every service starts its consumer group at the beginning of that topic (14 days'
// retention), so on the shared broker it slows everyone's integration specs until they time out
// (it did, 2026-12-03: 86,000 records, truncated by hand). Run:
//   a broker of its own as tools/bench/scratch-broker.sh starts one (deploy/local/kafka.sh with
//   KAFKA_LOCAL_DIR=.local/kafka-bench KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093), then
//   KAFKA_BROKERS=127.0.0.1:19092 jest -c jest.int.js --testMatch '**/notify-cpu.measure.ts' services/notification/src/notify-cpu.measure.ts
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  common,
  recipientDigest,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { getTestKafka, waitFor } from '@portico/testing';
import { logLevel, type Message } from 'kafkajs';
import { NotificationHarness, uniqueResident } from './it-harness';
import { trackingRecord } from './parcels/test-support/tracking-records';

const SCANS = 12_000;
const PARCELS = 2_000;
const HOLD_EVERY = 50;
const BURST = 200;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

function cpuMsOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0; // the backend ended
  }
}

const SHARED_BROKER = '127.0.0.1:9092';

it('measures', async () => {
  if ((await getTestKafka()).brokers.includes(SHARED_BROKER))
    throw new Error(
      `notify-cpu.measure needs a scratch broker, not the shared ${SHARED_BROKER} (see the header)`,
    );
  const h = await NotificationHarness.start({ LOG_LEVEL: 'info' });
  const residents = Array.from({ length: 20 }, (_, i) => ({ ...uniqueResident(), unit: `${i + 1}-01` }));
  await h.importDirectory({
    tenant: { id: h.tenantId, name: `Measure ${h.run}` },
    properties: [
      {
        id: `prop_cpu_${h.run}`,
        name: `Measure Tower ${h.run}`,
        address: {
          country: 'CN',
          region: 'Shanghai',
          city: 'Shanghai',
          district: 'Pudong',
          postalCode: '200120',
          addressLine: `${h.run} Measure Road`,
        },
        units: residents.map((r, i) => ({
          id: `unit_cpu_${i}_${h.run}`,
          label: r.unit,
          residents: [{ id: `res_cpu_${i}_${h.run}`, name: r.name, phone: r.phone, language: 'zh' }],
        })),
      },
    ],
    staff: [
      {
        id: `stf_cpu_${h.run}`,
        name: 'Steward',
        role: 'steward',
        language: 'zh',
        channel: { kind: 'email', address: 'steward@example.test' },
        propertyIds: [`prop_cpu_${h.run}`],
        onDuty: true,
      },
    ],
  });
  const { brokers } = await getTestKafka();
  const producer = createIdempotentProducer(
    createKafka({ brokers, clientId: `${h.group}-load`, logLevel: logLevel.NOTHING }),
  );
  await producer.connect();
  const toMessage = (r: { key: string; value: Uint8Array; headers: Record<string, string> }): Message => ({
    key: r.key,
    value: Buffer.from(r.value),
    headers: { ...r.headers },
  });
  const scanOf = (ref: common.ParcelRef, hold?: (typeof residents)[number]) =>
    trackingRecord(ref, {
      tenantId: h.tenantId,
      status: hold ? carrier.TrackingStatus.CUSTOMS_HOLD : carrier.TrackingStatus.IN_TRANSIT,
      customsHoldReason: hold ? carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED : undefined,
      recipient: hold
        ? create(carrier.RecipientHintSchema, {
            postalCode: '200120',
            addressLine: `${h.run} Measure Road`,
            unit: hold.unit,
            nameDigest: recipientDigest('name', hold.name, h.digestKey),
          })
        : undefined,
    });
  const holds: common.ParcelRef[] = [];
  const bursts: Array<{ tracking: Message[]; cases: Message[] }> = [];
  for (let n = 0; n < SCANS; n += BURST) {
    const tracking: Message[] = [];
    const cases: Message[] = [];
    for (let k = n; k < n + BURST; k += 1) {
      tracking.push(scanOf(h.parcel(`S${k % PARCELS}`)));
      if (k % HOLD_EVERY === 0) {
        const ref = h.parcel(`H${k}`);
        holds.push(ref);
        tracking.push(scanOf(ref, residents[k % residents.length]));
        cases.push(
          toMessage(
            encodeEvent({
              schema: ClearanceCaseEventSchema,
              message: create(ClearanceCaseEventSchema, {
                event: {
                  case: 'documentsRequested',
                  value: create(clearance.DocumentsRequestedSchema, {
                    caseId: `case_cpu_${k}_${h.run}`,
                    tenantId: h.tenantId,
                    parcel: ref,
                    state: clearance.CaseState.AWAITING_DOCUMENTS,
                    occurredAt: timestampFromDate(new Date()),
                    requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
                    deadline: timestampFromDate(new Date(Date.now() + 72 * 3600_000)),
                    round: 1,
                  }),
                },
              }),
              key: ref.parcelId,
              tenantId: h.tenantId,
            }),
          ),
        );
      }
    }
    bursts.push({ tracking, cases });
  }
  const backends = async () =>
    (
      await h.pg.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      )
    ).rows.map((r: { pid: number }) => r.pid);
  const pids = await backends();
  const pg0 = new Map(pids.map((pid) => [pid, cpuMsOf(pid)]));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (const b of bursts) {
    await producer.send({ topic: CARRIER_TRACKING_TOPIC.name, messages: b.tracking });
    if (b.cases.length) await producer.send({ topic: CLEARANCE_CASE_TOPIC.name, messages: b.cases });
  }
  await waitFor(
    async () => {
      const { rows } = await h.pg.query(
        `SELECT (SELECT count(*) FROM outreach_tasks)::int AS tasks, (SELECT count(*) FROM inbox)::int AS inbox`,
      );
      return rows[0].tasks >= holds.length && rows[0].inbox >= SCANS + 2 * holds.length;
    },
    { timeoutMs: 300_000, intervalMs: 200, description: 'every event handled' },
  );
  const wall = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const { profile } = (await session.post('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; samples: number[] };
  };
  let pgMs = 0;
  for (const pid of new Set([...pids, ...(await backends())])) pgMs += cpuMsOf(pid) - (pg0.get(pid) ?? 0);
  const events = SCANS + 2 * holds.length;
  const selfHits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const url = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/[^/]+\//, '');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber}`;
    selfHits.set(key, (selfHits.get(key) ?? 0) + node.hitCount);
    total += node.hitCount;
  }
  const idle = [...selfHits].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
  const top = [...selfHits]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => `${((100 * v) / (total - idle)).toFixed(1).padStart(5)} %  ${k}`);
  console.log(
    [
      `${events} events (${SCANS} scans, ${holds.length} holds + documents requests) in ${(wall / 1000).toFixed(1)} s`,
      `this process: ${((cpu.user + cpu.system) / 1000 / SCANS).toFixed(3)} ms CPU per scan (service + producer)`,
      `postgres backends of the database: ${(pgMs / SCANS).toFixed(3)} ms CPU per scan`,
      'top self time (busy samples):',
      ...top,
    ].join('\n'),
  );
  await producer.disconnect();
  await h.stop();
}, 600_000);
