/**
 * DATABASE_PREPARED_STATEMENTS through DatabaseModule (real Postgres): by default a hot statement
 * in an index-plans-only transaction runs named; with the setting false, the service's data source
 * runs it unnamed (what a transaction-mode pooler without prepared-statement support needs).
 */
import { Test } from '@nestjs/testing';
import {
  namedStatement,
  planMethodsOffUntilCommit,
  queryNamed,
  WHOLE_TABLE_PLAN_METHODS,
} from '@portico/messaging';
import { createTestDatabase, type TestDatabase } from '@portico/testing';
import { DataSource } from 'typeorm';
import { DatabaseModule } from './database';

const ONE = namedStatement('service_kit_setting_probe_v1', `SELECT $1::int AS n`);

async function preparedByHotStatement(config: {
  serviceName: string;
  databaseUrl: string;
  databasePreparedStatements: boolean;
}): Promise<string[]> {
  const module = await Test.createTestingModule({
    imports: [DatabaseModule.forRoot(config, [], { poolSize: 1 })],
  }).compile();
  await module.init();
  try {
    return await module.get(DataSource).transaction(async (m) => {
      await planMethodsOffUntilCommit(m, WHOLE_TABLE_PLAN_METHODS);
      expect(await queryNamed(m, ONE, [7])).toEqual([{ n: 7 }]);
      const rows: Array<{ name: string }> = await m.query(
        `SELECT name FROM pg_prepared_statements WHERE name = $1`,
        [ONE.name],
      );
      return rows.map((r) => r.name);
    });
  } finally {
    await module.close();
  }
}

describe('DATABASE_PREPARED_STATEMENTS (DatabaseModule, real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('service_kit_prepared');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('runs hot statements named by default, unnamed when the setting is false', async () => {
    const config = { serviceName: 'service-kit-prepared-int', databaseUrl: db.url };
    expect(await preparedByHotStatement({ ...config, databasePreparedStatements: true })).toEqual([ONE.name]);
    expect(await preparedByHotStatement({ ...config, databasePreparedStatements: false })).toEqual([]);
  });
});
