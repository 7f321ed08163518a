/**
 * A consumer's transactions with `planMethodsOff` (real Postgres): the methods are off from the
 * first statement of a chunk's or a single record's transaction to its commit, not after; a
 * handler's withPlanMethodsOff of those methods costs no statement there, and still costs its two
 * (and restores) elsewhere; with every whole-table method off, the transaction runs generic plans
 * and the consumer's own statements run named.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { WHOLE_TABLE_PLAN_METHODS, withPlanMethodsOff } from '../persistence/planner-settings';
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

  it("turns them off in a single record's transaction too, from its lock on; all of them: generic plans, named statements", async () => {
    const repository = new PostgresConsumerRepository(
      db.dataSource,
      'plan-one-group',
      WHOLE_TABLE_PLAN_METHODS,
    );
    await repository.inTransaction(async (uow) => {
      expect(await setting(uow.manager, 'seqscan')).toBe('on');
      expect(await uow.lockParking('topic-b', 'k9')).toBeNull();
      for (const method of WHOLE_TABLE_PLAN_METHODS) expect(await setting(uow.manager, method)).toBe('off');
      const [mode]: Array<{ v: string }> = await uow.manager.query(
        `SELECT current_setting('plan_cache_mode') AS v`,
      );
      expect(mode!.v).toBe('force_generic_plan');
      expect(await uow.claimInbox(eventId())).toBe(true);
      const named: Array<{ name: string }> = await uow.manager.query(
        `SELECT name FROM pg_prepared_statements WHERE name IN ('consumer_read_parking_v1', 'consumer_claim_one_v1') ORDER BY name`,
      );
      expect(named.map((r) => r.name)).toEqual(['consumer_claim_one_v1', 'consumer_read_parking_v1']);
    });
    await db.dataSource.transaction(async (m) => expect(await setting(m, 'seqscan')).toBe('on'));
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
