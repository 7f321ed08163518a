import type { ApiKeyEnvironment } from './api-key-format';

/** A stored key. `secretHash` never leaves the auth library: listings use `ApiKeyInfo`. */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly environment: ApiKeyEnvironment;
  readonly secretHash: Uint8Array;
  readonly pepperId: string;
  readonly createdAt: Date;
  readonly createdBy: string | null;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

export type ApiKeyInfo = Omit<ApiKeyRecord, 'secretHash' | 'pepperId'>;

export function toApiKeyInfo(record: ApiKeyRecord): ApiKeyInfo {
  const { secretHash: _h, pepperId: _p, ...info } = record;
  return info;
}

/** All storage of API keys. Tenant-scoped operations take the tenant so one tenant never touches another's keys. */
export interface ApiKeyRepository {
  insert(record: ApiKeyRecord): Promise<void>;
  findByKeyId(keyId: string): Promise<ApiKeyRecord | null>;
  listByTenant(tenantId: string): Promise<ApiKeyRecord[]>;
  /** Sets revoked_at unless already set; null when the key does not exist in this tenant. */
  revoke(tenantId: string, keyId: string, at: Date): Promise<ApiKeyRecord | null>;
  /** Records use at most once per `notBefore` window to keep the verify path mostly read-only. */
  touchLastUsed(keyId: string, at: Date, onlyIfBefore: Date): Promise<void>;
}

/** In-memory repository for unit tests of services that issue or check keys. */
export class InMemoryApiKeyRepository implements ApiKeyRepository {
  readonly rows = new Map<string, ApiKeyRecord>();

  async insert(record: ApiKeyRecord): Promise<void> {
    if (this.rows.has(record.keyId)) throw new Error(`duplicate key id ${record.keyId}`);
    this.rows.set(record.keyId, { ...record });
  }

  async findByKeyId(keyId: string): Promise<ApiKeyRecord | null> {
    return this.rows.get(keyId) ?? null;
  }

  async listByTenant(tenantId: string): Promise<ApiKeyRecord[]> {
    return [...this.rows.values()]
      .filter((r) => r.tenantId === tenantId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.keyId.localeCompare(b.keyId));
  }

  async revoke(tenantId: string, keyId: string, at: Date): Promise<ApiKeyRecord | null> {
    const row = this.rows.get(keyId);
    if (!row || row.tenantId !== tenantId) return null;
    const updated = { ...row, revokedAt: row.revokedAt ?? at };
    this.rows.set(keyId, updated);
    return updated;
  }

  async touchLastUsed(keyId: string, at: Date, onlyIfBefore: Date): Promise<void> {
    const row = this.rows.get(keyId);
    if (row && (row.lastUsedAt === null || row.lastUsedAt < onlyIfBefore))
      this.rows.set(keyId, { ...row, lastUsedAt: at });
  }
}
