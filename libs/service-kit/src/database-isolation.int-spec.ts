/**
 * The services' DataSource pins READ COMMITTED in the connection's startup packet, so the hot
 * transactions that no longer ask for it (one round trip fewer each) keep it even on a server or
 * database configured with another default.
 */
import { createTestDatabase, type TestDatabase } from '@portico/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database';

describe('the services DataSource and the isolation level', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('service_kit_isolation');
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${db.name}" SET default_transaction_isolation = 'serializable'`);
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function isolationOf(dataSource: DataSource): Promise<string> {
    await dataSource.initialize();
    try {
      return await dataSource.transaction(async (m) => {
        const [row]: Array<{ transaction_isolation: string }> = await m.query('SHOW transaction_isolation');
        return row!.transaction_isolation;
      });
    } finally {
      await dataSource.destroy();
    }
  }

  it('runs transactions without an explicit level as READ COMMITTED where the database defaults otherwise', async () => {
    // the database really does default to serializable: a plain DataSource gets it
    expect(await isolationOf(new DataSource({ type: 'postgres', url: db.url }))).toBe('serializable');
    const options = dataSourceOptions({ serviceName: 'isolation-spec', databaseUrl: db.url }, []);
    expect(await isolationOf(new DataSource(options))).toBe('read committed');
  });
});
