/**
 * A consumer's chunk transaction with `chunkPlanMethodsOff` (real Postgres): the methods are off
 * from the chunk's first statement to its commit, not after; a handler's withPlanMethodsOff of
 * those methods costs no statement there, and still costs its two (and restores) elsewhere.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { withPlanMethodsOff } from '../persistence/planner-settings';
import { createTestDatabase, type TestDatabase } from '../test-support/integration';
import { PostgresConsumerRepository } from './consumer.repository';

/**
 * Counts the statements run through `m` from now on. The manager itself is instrumented, not
 * wrapped: a handler gets the transaction's own manager, and the chunk's settings belong to it.
 */
function countStatements(m: EntityManager): () => number {
  let n = 0;
  const query = m.query.bind(m);
  Object.assign(m, {
    query: (...args: Parameters<EntityManager['query']>) => ((n += 1), query(...args)),
  });
  return () => n;
}

async function setting(m: EntityManager, method: string): Promise<string> {
  const [row]: Array<{ v: string }> = await m.query(`SELECT current_setting('enable_${method}') AS v`);
  return row!.v;
}

describe('chunk plan settings of a consumer (real Postgres)', () => {
  let db: TestDatabase;
  const eventId = () => randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('chunk_plan');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('turns the methods off for the chunk in its lock statement, and only for that transaction', async () => {
    const repository = new PostgresConsumerRepository(db.dataSource, 'plan-group', ['hashjoin', 'seqscan']);
    await repository.inTransaction(async (uow) => {
      expect(await setting(uow.manager, 'hashjoin')).toBe('on');
      const { claimed } = await uow.lockAndClaimChunk('topic-a', ['k1', 'k2'], [eventId(), eventId()]);
      expect(claimed.size).toBe(2);
      expect(await setting(uow.manager, 'hashjoin')).toBe('off');
      expect(await setting(uow.manager, 'seqscan')).toBe('off');
      expect(await setting(uow.manager, 'mergejoin')).toBe('on');
      // a handler's own toggle of those methods is free here, and leaves them off
      const statements = countStatements(uow.manager);
      await withPlanMethodsOff(uow.manager, ['hashjoin', 'seqscan'], async () => undefined);
      expect(statements()).toBe(0);
      expect(await setting(uow.manager, 'hashjoin')).toBe('off');
      // one the chunk did not turn off still costs its two statements and is put back
      const before = statements();
      await withPlanMethodsOff(uow.manager, ['hashjoin', 'mergejoin'], async () => undefined);
      expect(statements() - before).toBe(2);
      expect(await setting(uow.manager, 'mergejoin')).toBe('on');
    });
    // the next transaction on the pool starts with the server's settings
    await db.dataSource.transaction(async (m) => expect(await setting(m, 'hashjoin')).toBe('on'));
  });

  it('changes nothing without the option: withPlanMethodsOff costs its two statements and restores', async () => {
    const repository = new PostgresConsumerRepository(db.dataSource, 'plain-group');
    await repository.inTransaction(async (uow) => {
      await uow.lockAndClaimChunk('topic-a', ['k1'], [eventId()]);
      expect(await setting(uow.manager, 'hashjoin')).toBe('on');
      const statements = countStatements(uow.manager);
      await withPlanMethodsOff(uow.manager, ['hashjoin'], async () => undefined);
      expect(statements()).toBe(2);
      expect(await setting(uow.manager, 'hashjoin')).toBe('on');
    });
  });
});
