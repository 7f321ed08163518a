import type { EntityManager } from 'typeorm';
import { memoryLogger } from '../test-support';
import { MessageOutbox, type EnqueueRequest } from './message-outbox';
import type { MessagesRepository, NewMessage } from './messages.repository';

const m = { queryRunner: { isTransactionActive: true } } as unknown as EntityManager;

function request(dedupeKey: string, overrides: Partial<EnqueueRequest> = {}): EnqueueRequest {
  return {
    dedupeKey,
    tenantId: 'ten_1',
    propertyId: 'prop_a',
    taskId: null,
    caseId: null,
    parcel: { parcelId: `prc_${dedupeKey}`, carrierCode: 'sf-express', trackingNumber: 'SF1234567890' },
    recipient: { role: 'resident', id: 'res_1' },
    template: { id: 'resident-hold-predicted', version: 1 },
    language: 'zh',
    variables: {},
    channelPlan: ['email'],
    ...overrides,
  };
}

function setup() {
  const statements: NewMessage[][] = [];
  const stored = new Set<string>();
  const repo = {
    insertMany: async (_m: EntityManager, msgs: readonly NewMessage[]) => {
      statements.push([...msgs]);
      const inserted = new Set<string>();
      for (const msg of msgs) {
        if (stored.has(msg.dedupeKey)) continue; // ON CONFLICT (dedupe_key) DO NOTHING
        stored.add(msg.dedupeKey);
        inserted.add(msg.id);
      }
      return inserted;
    },
  } as unknown as MessagesRepository;
  let n = 0;
  const log = memoryLogger();
  const outbox = new MessageOutbox(
    repo,
    () => new Date('2026-12-03T06:00:00Z'),
    (p) => `${p}_${++n}`,
    log.logger,
  );
  return { outbox, statements, log };
}

describe('MessageOutbox.enqueueMany', () => {
  it('queues a batch with one insert and answers per request, in order', async () => {
    const t = setup();
    const traced: string[] = [];
    const inTrace =
      (name: string) =>
      <T>(work: () => Promise<T>) => {
        traced.push(name);
        return work();
      };
    const ids = await t.outbox.enqueueMany(m, [
      { request: request('a'), inTrace: inTrace('a') },
      { request: request('none', { channelPlan: [] }), inTrace: inTrace('none') },
      { request: request('b'), inTrace: inTrace('b') },
      { request: request('a'), inTrace: inTrace('a-again') }, // same dedupe key: the first wins
    ]);
    expect(ids).toEqual(['msg_1', null, 'msg_2', null]);
    expect(t.statements).toHaveLength(1);
    expect(t.statements[0]!.map((r) => r.dedupeKey)).toEqual(['a', 'b', 'a']);
    // trace context captured in each request's own trace; "message queued" logged in it for those queued
    expect(traced).toEqual(['a', 'b', 'a-again', 'a', 'b']);
    expect(t.log.text().match(/message queued/g)).toHaveLength(2);
    expect(t.log.text()).not.toContain('SF1234567890');
  });

  it('refuses to queue outside a transaction', async () => {
    const t = setup();
    await expect(t.outbox.enqueueMany({} as EntityManager, [{ request: request('a') }])).rejects.toThrow(
      /open transaction/,
    );
  });
});
