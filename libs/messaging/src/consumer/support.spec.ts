import { lastValueFrom } from 'rxjs';
import type { ArgumentsHost } from '@nestjs/common';
import { parseDlqTopicName } from '../cli/replay-dlq';
import { normaliseHeaders, withoutDeliveryState } from '../headers/record-headers';
import { unwrapInstrumented } from '../kafka/uninstrumented';
import { ensureTopics, consumerTopicSpecs } from '../topics/ensure-topics';
import type { Admin } from 'kafkajs';
import { describeError } from './delivery-processor';
import { PassHandlerErrorFilter } from './event-consumer.decorator';
import { DeliveryAbandonedError, sleepUntil } from './interruptible-sleep';

describe('PassHandlerErrorFilter', () => {
  it('re-throws the handler’s own error instead of Nest’s generic one', async () => {
    const error = new TypeError('boom');
    const result = new PassHandlerErrorFilter().catch(error, {} as ArgumentsHost);
    await expect(lastValueFrom(result)).rejects.toBe(error);
  });
});

describe('headers', () => {
  it('reads Buffer, string and repeated header values', () => {
    expect(
      normaliseHeaders({
        a: Buffer.from('x'),
        b: 'y',
        c: [Buffer.from('1'), Buffer.from('2')],
        d: undefined,
      }),
    ).toEqual({
      a: 'x',
      b: 'y',
      c: '2',
    });
  });

  it('strips delivery state but keeps producer headers', () => {
    expect(
      withoutDeliveryState({
        'event-id': 'e',
        traceparent: 't',
        'x-attempt': '2',
        'x-park-seq': '1',
        'x-error': 'e',
      }),
    ).toEqual({
      'event-id': 'e',
      traceparent: 't',
    });
  });
});

describe('unwrapInstrumented', () => {
  it('returns the method behind a shimmer wrapper', () => {
    const original = () => 'original';
    const wrapped = Object.assign(() => 'wrapped', { __original: original });
    expect(unwrapInstrumented(wrapped)).toBe(original);
    expect(unwrapInstrumented(original)).toBe(original);
  });
});

describe('describeError', () => {
  it('keeps type and message, caps length, copes with non-errors', () => {
    expect(describeError(new RangeError('bad'))).toBe('RangeError: bad');
    expect(describeError({ status: 'error', message: 'x' })).toBe('{"status":"error","message":"x"}');
    expect(describeError('x'.repeat(5_000)).length).toBeLessThanOrEqual(1_001);
  });
});

describe('sleepUntil', () => {
  it('heartbeats while waiting and stops when aborted', async () => {
    let now = 0;
    const beats: number[] = [];
    const controller = new AbortController();
    await sleepUntil(3, {
      signal: controller.signal,
      heartbeat: async () => void beats.push(now++),
      now: () => now,
      stepMs: 1,
    });
    expect(beats.length).toBeGreaterThanOrEqual(3);
    controller.abort();
    await expect(
      sleepUntil(100, { signal: controller.signal, heartbeat: async () => undefined }),
    ).rejects.toBeInstanceOf(DeliveryAbandonedError);
  });

  it('gives up when the heartbeat reports a rebalance', async () => {
    await expect(
      sleepUntil(Date.now() + 50, {
        signal: new AbortController().signal,
        heartbeat: async () => {
          throw new Error('The group is rebalancing');
        },
        stepMs: 5,
      }),
    ).rejects.toBeInstanceOf(DeliveryAbandonedError);
  });
});

describe('topics', () => {
  it('derives retry and DLQ specs for a group', () => {
    expect(
      consumerTopicSpecs({ name: 'carrier.tracking.v1', partitions: 6 }, 'clearance').map((s) => s.name),
    ).toEqual(['carrier.tracking.v1.retry.clearance', 'carrier.tracking.v1.dlq.clearance']);
    expect(parseDlqTopicName('carrier.tracking.v1.dlq.clearance')).toEqual({
      streamTopic: 'carrier.tracking.v1',
      group: 'clearance',
    });
    expect(() => parseDlqTopicName('carrier.tracking.v1.retry.clearance')).toThrow();
  });

  it('creates only missing topics, with partitions, retention and cleanup policy', async () => {
    const created: unknown[] = [];
    const admin = {
      listTopics: async () => ['a.b.v1'],
      createTopics: async (args: unknown) => void created.push(args),
    } as unknown as Admin;
    const result = await ensureTopics(admin, [
      { name: 'a.b.v1', partitions: 3 },
      { name: 'c.d.v1', partitions: 6, retentionMs: 1000, cleanupPolicy: 'compact' },
    ]);
    expect(result).toEqual({ created: ['c.d.v1'], existing: ['a.b.v1'] });
    expect(created).toEqual([
      {
        waitForLeaders: true,
        topics: [
          {
            topic: 'c.d.v1',
            numPartitions: 6,
            replicationFactor: -1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'retention.ms', value: '1000' },
            ],
          },
        ],
      },
    ]);
  });
});
