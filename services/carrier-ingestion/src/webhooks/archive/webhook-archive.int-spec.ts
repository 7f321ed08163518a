/**
 * The raw archive's upkeep against real Postgres: day partitions created ahead, rows that fell into
 * the default partition moved into their day, retention enforced by dropping whole days, dedupe
 * keys forgotten after the window, and one replica at a time.
 */
import { randomUUID } from 'node:crypto';
import { dataSourceOptions, runMigrations } from '@portico/service-kit';
import { createTestDatabase, type TestDatabase } from '@portico/testing';
import { DataSource } from 'typeorm';
import { migrations } from '../../../migrations';
import { TypeOrmUnitOfWork } from '@portico/service-kit';
import { DAY_MS } from './archive-plan';
import { WebhookArchiveMaintenance } from './webhook-archive.maintenance';
import { WebhookArchiveRepository } from './webhook-archive.repository';

const START = new Date('2026-11-24T10:00:00Z');

describe('webhook archive maintenance (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let now = START;
  let maintenance: WebhookArchiveMaintenance;

  const partitions = async (): Promise<string[]> =>
    (
      await dataSource.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'webhook_receipts'::regclass ORDER BY 1`,
      )
    ).map((r: { name: string }) => r.name);

  const insertReceipt = async (receivedAt: Date) => {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO webhook_receipts (id, received_at, carrier_account_id, provider, headers, body, outcome, dedupe_key)
       VALUES ($1, $2, 'ca_x', 'portico-native', '{}', '\\x7b7d', 'accepted', $3)`,
      [id, receivedAt, `event:${id}`],
    );
    return id;
  };

  const whereIs = async (id: string): Promise<string | undefined> =>
    (
      await dataSource.query('SELECT tableoid::regclass::text AS t FROM webhook_receipts WHERE id = $1', [id])
    )[0]?.t;

  beforeAll(async () => {
    db = await createTestDatabase('carrier_ingestion_archive');
    const config = { serviceName: 'carrier-ingestion-archive-int', databaseUrl: db.url };
    await runMigrations(config, migrations);
    dataSource = new DataSource(dataSourceOptions(config, migrations, { poolSize: 3 }));
    await dataSource.initialize();
    maintenance = new WebhookArchiveMaintenance(
      new TypeOrmUnitOfWork(dataSource),
      new WebhookArchiveRepository(),
      () => now,
      { webhookRawRetentionDays: 30, webhookDedupeWindowHours: 192 },
    );
  });

  afterAll(async () => {
    await dataSource?.destroy().catch(() => undefined);
    await db?.drop();
  });

  it('creates today and three days ahead, idempotently', async () => {
    const report = await maintenance.runOnce();
    expect(report.created).toEqual(['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']);
    expect(await partitions()).toEqual([
      'webhook_receipts_default',
      'webhook_receipts_p20261124',
      'webhook_receipts_p20261125',
      'webhook_receipts_p20261126',
      'webhook_receipts_p20261127',
    ]);
    expect((await maintenance.runOnce()).created).toEqual([]);
    // partitions carry the parent's indexes and checks
    const id = await insertReceipt(new Date('2026-11-25T12:00:00Z'));
    expect(await whereIs(id)).toBe('webhook_receipts_p20261125');
    await expect(
      dataSource.query(
        `INSERT INTO webhook_receipts (id, received_at, carrier_account_id, provider, headers, body, outcome, dedupe_key)
         VALUES ($1, $2, 'ca_x', 'portico-native', '{}', '', 'accepted', 'k')`,
        [id, new Date('2026-11-25T12:00:00Z')],
      ),
    ).rejects.toThrow(/duplicate key/);
  });

  it('moves rows that landed in the default partition into their day when it is created', async () => {
    const late = await insertReceipt(new Date('2026-11-30T08:00:00Z'));
    expect(await whereIs(late)).toBe('webhook_receipts_default');
    now = new Date(START.getTime() + 5 * DAY_MS); // 2026-11-29: past days are never back-filled
    const report = await maintenance.runOnce();
    expect(report.created).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(report.movedFromDefault).toBe(1);
    expect(await whereIs(late)).toBe('webhook_receipts_p20261130');
  });

  it('drops whole days past the retention, and purges old rows of the default partition', async () => {
    const old = await insertReceipt(new Date('2026-11-24T11:00:00Z'));
    const strayOld = await insertReceipt(new Date('2026-10-01T00:00:00Z')); // before any partition: default
    expect(await whereIs(strayOld)).toBe('webhook_receipts_default');
    now = new Date('2026-12-25T12:00:00Z'); // cutoff 2026-11-25T12:00Z
    const report = await maintenance.runOnce();
    expect(report.dropped).toEqual(['webhook_receipts_p20261124']);
    expect(report.purgedFromDefault).toBe(1);
    expect(await whereIs(old)).toBeUndefined();
    expect(await whereIs(strayOld)).toBeUndefined();
    expect(await partitions()).toContain('webhook_receipts_p20261125'); // still holds rows after the cutoff
  });

  it('forgets dedupe keys after the dedupe window', async () => {
    const seen = async (key: string, at: Date) =>
      dataSource.query(
        'INSERT INTO webhook_dedupe (carrier_account_id, dedupe_key, first_seen_at, receipt_id) VALUES ($1, $2, $3, $4)',
        ['ca_x', key, at, randomUUID()],
      );
    await seen('event:old', new Date(now.getTime() - 193 * 3_600_000));
    await seen('event:recent', new Date(now.getTime() - 191 * 3_600_000));
    const report = await maintenance.runOnce();
    expect(report.purgedDedupeKeys).toBe(1);
    const keys = (await dataSource.query('SELECT dedupe_key FROM webhook_dedupe')).map(
      (r: { dedupe_key: string }) => r.dedupe_key,
    );
    expect(keys).toEqual(['event:recent']);
  });

  it('lets one replica at a time do the work', async () => {
    const other = dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      await other.query('SELECT pg_advisory_xact_lock(7316003101)');
      now = new Date(now.getTime() + 10 * DAY_MS);
      const report = await maintenance.runOnce();
      expect(report.skipped).toBe(true);
      expect(report.created).toEqual([]);
    } finally {
      await other.rollbackTransaction();
      await other.release();
    }
    expect((await maintenance.runOnce()).created.length).toBeGreaterThan(0);
  });
});
