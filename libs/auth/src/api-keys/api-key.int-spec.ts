import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuthError } from '../auth-error';
import { parseApiKey } from './api-key-format';
import { PostgresApiKeyRepository } from './api-key.postgres-repository';
import { ApiKeyService } from './api-key.service';
import { apiKeysMigration } from './api-keys.migration';

// A throwaway database per run on the Postgres of DATABASE_URL (default: the local one).
const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
adminUrl.pathname = '/postgres';
const dbName = `portico_auth_it_${randomBytes(4).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('ApiKeyService on PostgreSQL', () => {
  let dataSource: DataSource;
  let now = new Date('2026-11-23T10:00:00.000Z');
  let service: ApiKeyService;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    dataSource = new DataSource({
      type: 'postgres',
      url: url.toString(),
      migrations: [apiKeysMigration()],
      synchronize: false,
      logging: false,
    });
    await dataSource.initialize();
    expect((await dataSource.runMigrations()).map((m) => m.name)).toEqual([
      'PorticoAuthApiKeys1763856000000',
    ]);
    service = new ApiKeyService(new PostgresApiKeyRepository(dataSource), {
      peppers: [{ id: 'p1', secret: 'int-spec-pepper-0123456789-0123456789' }],
      environment: 'test',
      clock: () => now,
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('issues, verifies, lists and revokes a key', async () => {
    const { apiKey, info } = await service.issue({
      tenantId: 'tenant-a',
      name: 'Front desk PMS',
      scopes: ['directory:write', 'events:read'],
      createdBy: 'manager-1',
    });
    const { secret } = parseApiKey(apiKey)!;

    const [row] = (await dataSource.query(`SELECT key_id, secret_hash, pepper_id, scopes FROM api_keys`)) as {
      key_id: string;
      secret_hash: Buffer;
      pepper_id: string;
      scopes: string[];
    }[];
    expect(row).toMatchObject({
      key_id: info.keyId,
      pepper_id: 'p1',
      scopes: ['directory:write', 'events:read'],
    });
    expect(row!.secret_hash).toHaveLength(32);
    const dump = JSON.stringify(await dataSource.query(`SELECT * FROM api_keys`));
    expect(dump).not.toContain(secret);

    await expect(service.verify(apiKey)).resolves.toEqual({
      kind: 'property-system',
      tenantId: 'tenant-a',
      keyId: info.keyId,
      scopes: ['directory:write', 'events:read'],
    });
    const [listed] = await service.list('tenant-a');
    expect(listed).toMatchObject({
      keyId: info.keyId,
      name: 'Front desk PMS',
      lastUsedAt: now,
      revokedAt: null,
      createdBy: 'manager-1',
    });
    expect(listed).not.toHaveProperty('secretHash');
    await expect(service.list('tenant-b')).resolves.toEqual([]);

    const wrong = apiKey.slice(0, -1) + (apiKey.endsWith('A') ? 'B' : 'A');
    await expect(service.verify(wrong)).rejects.toMatchObject({ code: 'api_key_invalid' });

    await expect(service.revoke('tenant-b', info.keyId)).resolves.toBeNull();
    now = new Date(now.getTime() + 5_000);
    const revoked = await service.revoke('tenant-a', info.keyId);
    expect(revoked?.revokedAt).toEqual(now);
    const err = await service.verify(apiKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('api_key_revoked');
  });

  it("throttles last-used writes and works inside a caller's transaction", async () => {
    const { apiKey, info } = await dataSource.transaction(async (manager) =>
      new ApiKeyService(new PostgresApiKeyRepository(manager), {
        peppers: [{ id: 'p1', secret: 'int-spec-pepper-0123456789-0123456789' }],
        environment: 'test',
        clock: () => now,
      }).issue({ tenantId: 'tenant-a', name: 'Second', scopes: ['events:read'] }),
    );
    const first = now;
    await service.verify(apiKey);
    now = new Date(now.getTime() + 10_000);
    await service.verify(apiKey);
    const lastUsed = async () =>
      (
        (await dataSource.query(`SELECT last_used_at FROM api_keys WHERE key_id = $1`, [info.keyId])) as {
          last_used_at: Date;
        }[]
      )[0]!.last_used_at;
    expect(await lastUsed()).toEqual(first);
    now = new Date(now.getTime() + 60_000);
    await service.verify(apiKey);
    expect(await lastUsed()).toEqual(now);
  });

  it('reverts its migration', async () => {
    await dataSource.undoLastMigration();
    await expect(dataSource.query(`SELECT 1 FROM api_keys`)).rejects.toThrow(/does not exist/);
  });
});
