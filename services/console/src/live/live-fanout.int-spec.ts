// Live updates with two console instances: both run as processes from the build, in ONE consumer
// group on the real broker (so each consumes only its partitions' events) with one real Postgres.
// Every event must still reach the SSE streams of both instances (the Postgres LISTEN/NOTIFY
// fan-out, docs/adr/0005-console-live-fanout.md), filtered per session as before.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { NOTIFICATION_OUTREACH_TOPIC, notification } from '@portico/contracts';
import { encodeEvent } from '@portico/messaging';
import { createTestDatabase, getTestKafka, type TestDatabase } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import { Kafka, logLevel } from 'kafkajs';
import { SseClient } from '../test-support/sse-client';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console-live-fanout');
const run = randomBytes(4).toString('hex');
const TENANT = `ten_live_${run}`;
const PROP_A = `prop_a_${run}`;
const PROP_B = `prop_b_${run}`;
const PASSWORD = `correct horse ${run}`;
const GROUP = `console-live-${run}`;

describe('live updates across two console instances (one consumer group, Postgres fan-out)', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  const instances: ServiceProcess[] = [];
  const streams: SseClient[] = [];

  async function publishTaskCreated(taskId: string, propertyId: string): Promise<void> {
    const message = create(notification.OutreachEventSchema, {
      event: {
        case: 'outreachTaskCreated',
        value: create(notification.OutreachTaskCreatedSchema, {
          taskId,
          tenantId: TENANT,
          propertyId,
          caseId: `case_${taskId}`,
          occurredAt: timestampFromDate(new Date()),
        }),
      },
    });
    // distinct keys spread the events over the topic's partitions, so both instances consume some
    const record = encodeEvent({
      schema: notification.OutreachEventSchema,
      message,
      key: `prc_${taskId}`,
      tenantId: TENANT,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: NOTIFICATION_OUTREACH_TOPIC.name,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: record.headers }],
    });
    await producer.disconnect();
  }

  async function signIn(instance: ServiceProcess): Promise<string> {
    const response = await fetch(`${instance.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'steward.live', password: PASSWORD }),
    });
    expect(response.status).toBe(201);
    return response.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  /** Both instances are members and the group has settled: a partition moved after that would start past our events. */
  async function groupStable(): Promise<{ members: number; partitions: number[][] }> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const [group] = (await admin.describeGroups([GROUP])).groups;
        if (group?.state === 'Stable' && group.members.length === 2) {
          const { AssignerProtocol } = await import('kafkajs');
          const partitions = group.members.map((m) => {
            const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
            return assignment?.assignment[NOTIFICATION_OUTREACH_TOPIC.name] ?? [];
          });
          return { members: group.members.length, partitions };
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`group ${GROUP} did not settle with two members`);
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('console');
    const { brokers } = await getTestKafka();
    kafka = new Kafka({ clientId: `console-live-${run}`, brokers, logLevel: logLevel.NOTHING });
    for (const name of ['a', 'b']) {
      instances.push(
        new ServiceProcess(
          'console',
          await freePort(),
          {
            DATABASE_URL: db.url,
            KAFKA_BROKERS: brokers.join(','),
            KAFKA_CONSUMER_GROUP: GROUP,
            AUTH_DEV_TOKEN_KEY: `console-live-${run}-dev-key-long-enough`,
            LOG_LEVEL: 'debug',
          },
          join(ARTIFACTS, name),
        ),
      );
    }
    instances[0]!.migrate();
    const seeded = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'services/console/dist/src/accounts.js'),
        JSON.stringify({
          username: 'steward.live',
          subject: `stf_${run}`,
          roles: ['steward'],
          tenantId: TENANT,
          propertyIds: [PROP_A],
        }),
      ],
      { input: PASSWORD, env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' },
    );
    expect(seeded.status).toBe(0);
    // Before any instance runs: a new group starting at the topic's end must not replay this one.
    await publishTaskCreated(`ot_${run}_before`, PROP_A);
    await Promise.all(instances.map((i) => i.start()));
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    for (const i of instances) await i.stop();
    await db?.drop();
  });

  it('delivers every event to the SSE clients of both instances, each once, per property, nothing from before the start', async () => {
    const { partitions } = await groupStable();
    // the situation the fan-out exists for: each instance owns only part of the partitions
    expect(partitions.every((p) => p.length > 0)).toBe(true);
    for (const instance of instances)
      streams.push(await SseClient.open(instance.baseUrl, await signIn(instance)));
    await new Promise((r) => setTimeout(r, 500)); // both streams subscribed

    const mine = Array.from({ length: 8 }, (_, i) => `ot_${run}_${i}`);
    const otherProperty = `ot_${run}_other`;
    for (const id of mine) await publishTaskCreated(id, PROP_A);
    await publishTaskCreated(otherProperty, PROP_B);

    for (const stream of streams) await stream.waitFor(mine);
    await new Promise((r) => setTimeout(r, 500)); // time for a duplicate or a leak to show up
    for (const stream of streams) {
      expect(stream.updates.map((u) => u.taskId).sort()).toEqual([...mine].sort());
      expect(stream.updates.every((u) => u.type === 'OutreachTaskCreated' && u.propertyId === PROP_A)).toBe(
        true,
      );
    }

    // Each event was consumed by exactly one instance (one group), yet heard by both; the one
    // published before the start was not consumed at all (the group started at the topic's end).
    const metric = async (instance: ServiceProcess, name: string, label = '') => {
      const text = await (await fetch(`${instance.baseUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(label))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    const received = await Promise.all(
      instances.map((i) => metric(i, 'portico_console_live_fanout_total', 'outcome="received"')),
    );
    expect(received).toEqual([mine.length + 1, mine.length + 1]);
    for (const i of instances)
      await expect(metric(i, 'portico_console_live_listener_connected')).resolves.toBe(1);
  });
});
