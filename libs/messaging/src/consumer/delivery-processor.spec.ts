import { HeaderNames, RetryHeaderNames } from '@portico/contracts';
import { MessagingHeaderNames } from '../headers/record-headers';
import { encodeEvent } from '../serde/event-encoder';
import { EventDecoder } from '../serde/event-decoder';
import {
  InMemoryConsumerRepository,
  recordEffect,
  RecordingGateway,
} from '../test-support/in-memory-consumer.repository';
import { sourceEventIdOf, TRACKING_SCHEMA, trackingEvent } from '../test-support/tracking-events';
import { BackoffSchedule } from './backoff-schedule';
import type { DecodedEvent } from '../serde/event-decoder';
import {
  DeliveryProcessor,
  runsOfOneType,
  type ConsumedRecord,
  type HandlerInvocation,
  type RecordTracing,
} from './delivery-processor';

const TOPIC = 'carrier.tracking.v1';
const GROUP = 'clearance';
const RETRY = `${TOPIC}.retry.${GROUP}`;
const DLQ = `${TOPIC}.dlq.${GROUP}`;
const EVENT_TYPE = 'portico.carrier.v1.TrackingEventRecorded';

function setup(options: { delays?: number[]; handles?: boolean } = {}) {
  const repository = new InMemoryConsumerRepository();
  const gateway = new RecordingGateway();
  let now = 1_000_000;
  const failing = new Map<string, number>(); // source event id -> failures left
  const invocations: HandlerInvocation[] = [];
  let offset = 0;
  const processor = new DeliveryProcessor({
    group: GROUP,
    decoder: new EventDecoder([{ name: TOPIC, valueSchema: TRACKING_SCHEMA }]),
    repository,
    gateway,
    schedule: new BackoffSchedule(options.delays ?? [1_000, 10_000]),
    hasHandler: (type) => (options.handles ?? true) && type === EVENT_TYPE,
    invoke: async (invocation) => {
      invocations.push(invocation);
      const label = sourceEventIdOf(invocation.event.event);
      recordEffect(invocation.manager, label);
      const left = failing.get(label) ?? 0;
      if (left > 0) {
        failing.set(label, left - 1);
        throw new Error(`carrier API timed out for ${label}`);
      }
    },
    now: () => now,
  });
  const waits: number[] = [];
  const controls = { waitUntil: async (t: number) => void waits.push(t) };

  function streamRecord(label: string, parcelId = 'prc_1'): ConsumedRecord {
    const record = encodeEvent({
      schema: TRACKING_SCHEMA,
      message: trackingEvent(parcelId, { sourceEventId: label }),
      key: parcelId,
      tenantId: 't1',
    });
    return {
      topic: TOPIC,
      partition: 0,
      offset: String(offset++),
      key: Buffer.from(record.key),
      value: Buffer.from(record.value),
      headers: record.headers,
    };
  }
  function asConsumed(sent: {
    topic: string;
    record: { key: Buffer | string | null; value: Buffer | null; headers: Record<string, string> };
  }): ConsumedRecord {
    return {
      topic: sent.topic,
      partition: 0,
      offset: String(offset++),
      key: typeof sent.record.key === 'string' ? Buffer.from(sent.record.key) : sent.record.key,
      value: sent.record.value,
      headers: sent.record.headers,
    };
  }
  /** Drains the retry topic like the retry consumer would (FIFO), returning outcomes. */
  async function drainRetry(): Promise<string[]> {
    const outcomes: string[] = [];
    for (let guard = 0; guard < 100; guard++) {
      const next = gateway.sent.findIndex((s) => s.topic === RETRY);
      if (next < 0) return outcomes;
      const [sent] = gateway.sent.splice(next, 1);
      outcomes.push(await processor.processRetryRecord(asConsumed(sent!), TOPIC, controls));
    }
    throw new Error('retry topic never drained');
  }
  return {
    repository,
    gateway,
    processor,
    failing,
    invocations,
    waits,
    controls,
    streamRecord,
    asConsumed,
    drainRetry,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

describe('DeliveryProcessor', () => {
  it('runs the handler once and records the inbox row with its writes', async () => {
    const t = setup();
    const record = t.streamRecord('a');
    expect(await t.processor.processStreamRecord(record)).toBe('handled');
    expect(await t.processor.processStreamRecord(record)).toBe('duplicate');
    expect(t.repository.effects).toEqual(['a']);
    expect(t.invocations[0]!.delivery).toMatchObject({
      group: GROUP,
      origin: { topic: TOPIC, partition: 0, offset: '0' },
      previousFailures: 0,
    });
  });

  describe('a batch in one transaction', () => {
    /** Records which spans were opened, which work ran inside which, and how each ended. */
    function recordingTracing() {
      const ended = new Map<string, string | undefined>();
      const ranIn: string[] = [];
      const tracing: RecordTracing = {
        open: (record) => ({
          inTrace: (work) => {
            ranIn.push(record.offset);
            return work();
          },
          end: (outcome) => void ended.set(record.offset, outcome),
        }),
      };
      return { tracing, ended, ranIn };
    }

    it('handles fresh records together with one inbox statement, dropping the duplicates', async () => {
      const t = setup();
      const a = t.streamRecord('a');
      expect(await t.processor.processStreamRecord(a)).toBe('handled');
      const b = t.streamRecord('b', 'prc_2');
      const c = t.streamRecord('c');
      const { tracing, ended, ranIn } = recordingTracing();
      const outcomes = await t.processor.processStreamBatch([a, b, c, { ...c, offset: '99' }], tracing);
      expect(outcomes).toEqual(['duplicate', 'handled', 'handled', 'duplicate']);
      expect(t.repository.effects).toEqual(['a', 'b', 'c']);
      expect(t.repository.inboxStatements).toBe(1);
      // each handled record's work ran in its own span; every span ended with its outcome
      expect(ranIn).toEqual(['1', '2']);
      expect([...ended.values()]).toEqual(['duplicate', 'handled', 'handled', 'duplicate']);
    });

    it('hands runs of one event type to invokeRun, each member able to enter its own trace', async () => {
      const runs: string[][] = [];
      const repository = new InMemoryConsumerRepository();
      const t = setup();
      const processor = new DeliveryProcessor({
        group: GROUP,
        decoder: new EventDecoder([{ name: TOPIC, valueSchema: TRACKING_SCHEMA }]),
        repository,
        gateway: new RecordingGateway(),
        schedule: new BackoffSchedule([1_000]),
        hasHandler: () => true,
        invoke: async () => {
          throw new Error('the batch path must use invokeRun');
        },
        invokeRun: async (run) => {
          runs.push(run.map((m) => sourceEventIdOf(m.event.event)));
          for (const member of run) await member.inTrace(async () => recordEffect(member.manager, 'x'));
        },
        now: () => 0,
      });
      const { tracing, ranIn } = recordingTracing();
      const records = [t.streamRecord('a'), t.streamRecord('b', 'prc_2'), t.streamRecord('c', 'prc_3')];
      expect(await processor.processStreamBatch(records, tracing)).toEqual(['handled', 'handled', 'handled']);
      expect(runs).toEqual([['a', 'b', 'c']]);
      expect(ranIn).toEqual(['0', '1', '2']);
      expect(repository.effects).toEqual(['x', 'x', 'x']);
    });

    it('gives up, with nothing committed, when a handler fails, so the records go one by one', async () => {
      const t = setup();
      t.failing.set('b', 2); // fails in the batch, and once more on its own
      const records = [t.streamRecord('a'), t.streamRecord('b', 'prc_2'), t.streamRecord('c')];
      const { tracing, ended } = recordingTracing();
      expect(await t.processor.processStreamBatch(records, tracing)).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(t.repository.effects).toEqual([]);
      expect(t.repository.inbox.size).toBe(0);
      expect([...ended.values()]).toEqual([undefined, undefined, undefined]);
      // the usual path then: a handled, b to retry, c handled
      const one = [];
      for (const r of records) one.push(await t.processor.processStreamRecord(r));
      expect(one).toEqual(['handled', 'retry-scheduled', 'handled']);
      expect(t.repository.effects).toEqual(['a', 'c']);
    });

    it('dead-letters a poison record on its own and commits the rest of the chunk', async () => {
      const t = setup();
      const poison = { ...t.streamRecord('p'), value: Buffer.from('not protobuf') };
      const { tracing } = recordingTracing();
      expect(
        await t.processor.processStreamBatch([t.streamRecord('a'), poison, t.streamRecord('b')], tracing),
      ).toEqual(['handled', 'poison', 'handled']);
      expect(t.repository.effects).toEqual(['a', 'b']);
      expect(t.gateway.sent.map((s) => s.topic)).toEqual([DLQ]);
      expect(t.gateway.sent[0]!.record.headers[MessagingHeaderNames.errorReason]).toBeTruthy();
    });

    it('leaves a poison record to the one-by-one path when the DLQ cannot be reached', async () => {
      const t = setup();
      const poison = { ...t.streamRecord('p'), value: Buffer.from('not protobuf') };
      t.gateway.failNext = true;
      const { tracing } = recordingTracing();
      expect(await t.processor.processStreamBatch([poison, t.streamRecord('a')], tracing)).toEqual([
        undefined,
        'handled',
      ]);
    });

    it('gives up for a parked key, which only the one-by-one path handles', async () => {
      const t = setup();
      t.failing.set('x', 1);
      expect(await t.processor.processStreamRecord(t.streamRecord('x'))).toBe('retry-scheduled'); // prc_1 parked now
      const { tracing } = recordingTracing();
      expect(
        await t.processor.processStreamBatch([t.streamRecord('y', 'prc_2'), t.streamRecord('z')], tracing),
      ).toEqual([undefined, undefined]);
      expect(t.repository.effects).toEqual([]);
    });
  });

  it('groups only consecutive members of one event type into a run', () => {
    const member = (eventType: string, id: string) => ({ event: { eventType, eventId: id } as DecodedEvent });
    const runs = runsOfOneType([member('A', '1'), member('A', '2'), member('B', '3'), member('A', '4')]);
    expect(runs.map((run) => run.map((m) => m.event.eventId))).toEqual([['1', '2'], ['3'], ['4']]);
  });

  it('ignores event types without a handler', async () => {
    const t = setup({ handles: false });
    expect(await t.processor.processStreamRecord(t.streamRecord('a'))).toBe('ignored');
    expect(t.gateway.sent).toHaveLength(0);
  });

  it('sends a poison record to the DLQ with its reason and original coordinates', async () => {
    const t = setup();
    const record = { ...t.streamRecord('a'), value: Buffer.from([0x0a, 0xff, 0xff, 0xff]) };
    expect(await t.processor.processStreamRecord(record)).toBe('poison');
    const [dead] = t.gateway.takeAll();
    expect(dead!.topic).toBe(DLQ);
    expect(dead!.record.value).toEqual(record.value);
    expect(dead!.record.headers).toMatchObject({
      [RetryHeaderNames.errorKind]: 'malformed',
      [MessagingHeaderNames.errorReason]: 'CORRUPT_PAYLOAD',
      [RetryHeaderNames.originalTopic]: TOPIC,
      [RetryHeaderNames.originalPartition]: '0',
      [RetryHeaderNames.originalOffset]: record.offset,
      [HeaderNames.eventId]: record.headers[HeaderNames.eventId],
    });
    expect(t.repository.effects).toEqual([]);
  });

  it('rolls back a failed handler and schedules a retry with attempt, not-before and error', async () => {
    const t = setup();
    t.failing.set('a', 1);
    expect(await t.processor.processStreamRecord(t.streamRecord('a'))).toBe('retry-scheduled');
    expect(t.repository.effects).toEqual([]);
    expect(t.repository.inbox.size).toBe(0);
    const [retry] = t.gateway.sent;
    expect(retry!.topic).toBe(RETRY);
    expect(retry!.record.headers).toMatchObject({
      [RetryHeaderNames.attempt]: '1',
      [RetryHeaderNames.notBefore]: String(t.now() + 1_000),
      [RetryHeaderNames.error]: 'Error: carrier API timed out for a',
      [RetryHeaderNames.errorKind]: 'transient',
      [MessagingHeaderNames.parkSeq]: '0',
    });
    expect(await t.drainRetry()).toEqual(['handled']);
    expect(t.waits).toEqual([t.now() + 1_000]);
    expect(t.repository.effects).toEqual(['a']);
    expect(t.repository.parking.size).toBe(0);
    expect(t.invocations.at(-1)!.delivery.previousFailures).toBe(1);
  });

  it('parks later records of the key behind a retried one and releases them in order', async () => {
    const t = setup();
    t.failing.set('a', 2);
    expect(await t.processor.processStreamRecord(t.streamRecord('a'))).toBe('retry-scheduled');
    expect(await t.processor.processStreamRecord(t.streamRecord('b'))).toBe('parked');
    expect(await t.processor.processStreamRecord(t.streamRecord('other', 'prc_2'))).toBe('handled');
    expect(await t.processor.processStreamRecord(t.streamRecord('c'))).toBe('parked');
    const parked = t.gateway.sent.filter((s) => s.record.headers[RetryHeaderNames.parked] === 'true');
    expect(parked.map((s) => s.record.headers[MessagingHeaderNames.parkSeq])).toEqual(['1', '2']);
    // a fails again (re-queued behind b and c), then succeeds; b and c follow in order
    expect(await t.drainRetry()).toEqual([
      'retry-scheduled',
      'requeued',
      'requeued',
      'handled',
      'handled',
      'handled',
    ]);
    expect(t.repository.effects).toEqual(['other', 'a', 'b', 'c']);
    expect(t.repository.parking.size).toBe(0);
    // the key is free again: the next record runs straight away
    expect(await t.processor.processStreamRecord(t.streamRecord('d'))).toBe('handled');
  });

  it('dead-letters after the last retry and releases the parked records', async () => {
    const t = setup({ delays: [10] });
    t.failing.set('a', 5);
    await t.processor.processStreamRecord(t.streamRecord('a'));
    await t.processor.processStreamRecord(t.streamRecord('b'));
    expect(await t.drainRetry()).toEqual(['dead-lettered', 'handled']);
    const dead = t.gateway.takeAll().filter((s) => s.topic === DLQ);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.record.headers).toMatchObject({
      [RetryHeaderNames.attempt]: '2',
      [RetryHeaderNames.errorKind]: 'exhausted',
      [RetryHeaderNames.originalOffset]: '0',
      [MessagingHeaderNames.consumerGroup]: GROUP,
    });
    expect(dead[0]!.record.headers[MessagingHeaderNames.parkSeq]).toBeUndefined();
    expect(t.repository.effects).toEqual(['b']);
    expect(t.repository.parking.size).toBe(0);
  });

  it('drops a duplicate copy of a record that already resolved', async () => {
    const t = setup();
    t.failing.set('a', 1);
    await t.processor.processStreamRecord(t.streamRecord('a'));
    await t.processor.processStreamRecord(t.streamRecord('b'));
    const copy = t.asConsumed(t.gateway.sent[0]!);
    expect(await t.drainRetry()).toEqual(['handled', 'handled']);
    // the key is free (no row), so the copy is let through, and the inbox makes it a no-op
    expect(await t.processor.processRetryRecord(copy, TOPIC, t.controls)).toBe('duplicate');
    expect(t.repository.effects).toEqual(['a', 'b']);
  });

  it('treats a replayed record (no park number) as a new arrival', async () => {
    const t = setup({ delays: [] });
    t.failing.set('a', 1);
    const original = t.streamRecord('a');
    expect(await t.processor.processStreamRecord(original)).toBe('dead-lettered');
    const [dead] = t.gateway.takeAll();
    const replayed = t.asConsumed({
      topic: RETRY,
      record: {
        ...dead!.record,
        headers: {
          ...original.headers,
          [RetryHeaderNames.originalTopic]: TOPIC,
          [RetryHeaderNames.originalPartition]: '0',
          [RetryHeaderNames.originalOffset]: original.offset,
        },
      },
    });
    expect(await t.processor.processRetryRecord(replayed, TOPIC, t.controls)).toBe('handled');
    expect(t.repository.effects).toEqual(['a']);
    expect(t.invocations.at(-1)!.delivery.origin.offset).toBe(original.offset);
  });

  it('lets infrastructure errors escape so the same record is retried in place', async () => {
    const t = setup();
    t.failing.set('a', 1);
    t.gateway.failNext = true;
    await expect(t.processor.processStreamRecord(t.streamRecord('a'))).rejects.toThrow('broker unavailable');
    expect(t.repository.parking.size).toBe(0);
  });
});
