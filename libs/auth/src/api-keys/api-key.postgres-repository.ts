import type { ApiKeyEnvironment } from './api-key-format';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key.repository';

/**
 * Anything that runs SQL: a TypeORM DataSource or the EntityManager of a running transaction.
 * Writes are wrapped in `WITH … RETURNING` + `SELECT` so every call returns plain rows, whatever
 * the driver does with UPDATE results.
 */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

interface Row {
  key_id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  environment: ApiKeyEnvironment;
  secret_hash: Buffer;
  pepper_id: string;
  created_at: Date;
  created_by: string | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS =
  'key_id, tenant_id, name, scopes, environment, secret_hash, pepper_id, created_at, created_by, expires_at, last_used_at, revoked_at';

function toRecord(r: Row): ApiKeyRecord {
  return {
    keyId: r.key_id,
    tenantId: r.tenant_id,
    name: r.name,
    scopes: r.scopes,
    environment: r.environment,
    secretHash: r.secret_hash,
    pepperId: r.pepper_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export class PostgresApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: SqlRunner) {}

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.db.query(sql, params)) as Row[];
  }

  async insert(k: ApiKeyRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        k.keyId,
        k.tenantId,
        k.name,
        [...k.scopes],
        k.environment,
        Buffer.from(k.secretHash),
        k.pepperId,
        k.createdAt,
        k.createdBy,
        k.expiresAt,
        k.lastUsedAt,
        k.revokedAt,
      ],
    );
  }

  async findByKeyId(keyId: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.rows(`SELECT ${COLUMNS} FROM api_keys WHERE key_id = $1`, [keyId]);
    return row ? toRecord(row) : null;
  }

  async listByTenant(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.rows(
      `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, key_id`,
      [tenantId],
    );
    return rows.map(toRecord);
  }

  async revoke(tenantId: string, keyId: string, at: Date): Promise<ApiKeyRecord | null> {
    const [row] = await this.rows(
      `WITH u AS (
         UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3)
         WHERE tenant_id = $1 AND key_id = $2
         RETURNING ${COLUMNS}
       ) SELECT * FROM u`,
      [tenantId, keyId, at],
    );
    return row ? toRecord(row) : null;
  }

  async touchLastUsed(keyId: string, at: Date, onlyIfBefore: Date): Promise<void> {
    await this.rows(
      `WITH u AS (
         UPDATE api_keys SET last_used_at = $2
         WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < $3)
         RETURNING key_id
       ) SELECT count(*) FROM u`,
      [keyId, at, onlyIfBefore],
    );
  }
}
