import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@portico/messaging';
import type {
  Actor,
  AuditAction,
  CarrierAccount,
  CarrierAccountStatus,
  SecretVersion,
} from './carrier-account';
import type { SealedSecret } from './secret-box';

/** A stored secret: its version and the sealed bytes (opened by the service with its SecretBox). */
export interface StoredSecret extends SecretVersion {
  readonly sealed: SealedSecret;
}

interface AccountRow {
  id: string;
  tenant_id: string;
  provider: string;
  carrier_code: string;
  display_name: string;
  status: CarrierAccountStatus;
  created_at: Date;
  updated_at: Date;
}

interface SecretRow {
  version: number;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
  created_at: Date;
}

/** An account joined with one of its active secrets, or with NULLs when it has none. */
interface JoinedRow extends AccountRow {
  version: number | null;
  key_id: string | null;
  nonce: Buffer | null;
  ciphertext: Buffer | null;
  auth_tag: Buffer | null;
  secret_created_at: Date | null;
}

const ACCOUNT_COLUMNS = 'id, tenant_id, provider, carrier_code, display_name, status, created_at, updated_at';

function toAccount(r: AccountRow): CarrierAccount {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    provider: r.provider,
    carrierCode: r.carrier_code,
    displayName: r.display_name,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toSecret(r: SecretRow): StoredSecret {
  return {
    version: r.version,
    createdAt: r.created_at,
    sealed: { keyId: r.key_id, nonce: r.nonce, ciphertext: r.ciphertext, authTag: r.auth_tag },
  };
}

/** All SQL of carrier accounts, their sealed secrets and their audit trail. Runs in the manager it is given. */
@Injectable()
export class CarrierAccountsRepository {
  async insertAccount(m: EntityManager, a: CarrierAccount): Promise<void> {
    await m.query(
      `INSERT INTO carrier_accounts (id, tenant_id, provider, carrier_code, display_name, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.id, a.tenantId, a.provider, a.carrierCode, a.displayName, a.status, a.createdAt, a.updatedAt],
    );
  }

  /** `lock`: FOR UPDATE, so rotations and status changes of one account happen one at a time. */
  async find(
    m: EntityManager,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<CarrierAccount | undefined> {
    const rows: AccountRow[] = await m.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM carrier_accounts WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  /**
   * The webhook path's one round trip: an active account and its active secrets. Undefined for
   * an unknown or disabled account alike.
   */
  async findActiveWithSecrets(
    m: EntityManager,
    id: string,
  ): Promise<{ account: CarrierAccount; secrets: StoredSecret[] } | undefined> {
    const rows: JoinedRow[] = await m.query(
      `SELECT a.id, a.tenant_id, a.provider, a.carrier_code, a.display_name, a.status, a.created_at, a.updated_at,
              s.version, s.key_id, s.nonce, s.ciphertext, s.auth_tag, s.created_at AS secret_created_at
         FROM carrier_accounts a
         LEFT JOIN carrier_account_secrets s ON s.account_id = a.id AND s.retired_at IS NULL
        WHERE a.id = $1 AND a.status = 'active'
        ORDER BY s.version DESC`,
      [id],
    );
    if (rows.length === 0) return undefined;
    const secrets: StoredSecret[] = [];
    for (const r of rows) {
      if (r.version === null) continue; // LEFT JOIN: an account without an active secret
      secrets.push(
        toSecret({
          version: r.version,
          key_id: r.key_id!,
          nonce: r.nonce!,
          ciphertext: r.ciphertext!,
          auth_tag: r.auth_tag!,
          created_at: r.secret_created_at!,
        }),
      );
    }
    return { account: toAccount(rows[0]!), secrets };
  }

  async setStatus(
    m: EntityManager,
    id: string,
    status: CarrierAccountStatus,
    at: Date,
  ): Promise<CarrierAccount> {
    const rows = returnedRows<AccountRow>(
      await m.query(
        `UPDATE carrier_accounts
            SET status = $2, updated_at = $3, disabled_at = CASE WHEN $2 = 'disabled' THEN $3::timestamptz END
          WHERE id = $1
          RETURNING ${ACCOUNT_COLUMNS}`,
        [id, status, at],
      ),
    );
    return toAccount(rows[0]!);
  }

  async touch(m: EntityManager, id: string, at: Date): Promise<void> {
    await m.query('UPDATE carrier_accounts SET updated_at = $2 WHERE id = $1', [id, at]);
  }

  async insertSecret(
    m: EntityManager,
    accountId: string,
    secret: { version: number; sealed: SealedSecret; createdAt: Date },
  ): Promise<void> {
    const { sealed } = secret;
    await m.query(
      `INSERT INTO carrier_account_secrets (account_id, version, key_id, nonce, ciphertext, auth_tag, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        accountId,
        secret.version,
        sealed.keyId,
        sealed.nonce,
        sealed.ciphertext,
        sealed.authTag,
        secret.createdAt,
      ],
    );
  }

  /** Active secret versions, newest first. */
  async activeSecretVersions(m: EntityManager, accountId: string): Promise<SecretVersion[]> {
    const rows: { version: number; created_at: Date }[] = await m.query(
      `SELECT version, created_at FROM carrier_account_secrets
        WHERE account_id = $1 AND retired_at IS NULL ORDER BY version DESC`,
      [accountId],
    );
    return rows.map((r) => ({ version: r.version, createdAt: r.created_at }));
  }

  /** The highest version ever issued (retired ones included), 0 when none. */
  async latestSecretVersion(m: EntityManager, accountId: string): Promise<number> {
    const [row]: { latest: number | null }[] = await m.query(
      'SELECT max(version) AS latest FROM carrier_account_secrets WHERE account_id = $1',
      [accountId],
    );
    return row?.latest ?? 0;
  }

  /** Retires every active secret below `version`; returns the versions retired. */
  async retireSecretsBelow(
    m: EntityManager,
    accountId: string,
    version: number,
    at: Date,
  ): Promise<number[]> {
    const rows = returnedRows<{ version: number }>(
      await m.query(
        `UPDATE carrier_account_secrets SET retired_at = $3
          WHERE account_id = $1 AND version < $2 AND retired_at IS NULL
          RETURNING version`,
        [accountId, version, at],
      ),
    );
    return rows.map((r) => r.version).sort((a, b) => a - b);
  }

  async appendAudit(
    m: EntityManager,
    entry: {
      accountId: string;
      action: AuditAction;
      actor: Actor;
      details: Record<string, unknown>;
      at: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO carrier_account_audit (account_id, action, actor_kind, actor_subject, details, at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      [
        entry.accountId,
        entry.action,
        entry.actor.kind,
        entry.actor.subject,
        JSON.stringify(entry.details),
        entry.at,
      ],
    );
  }
}
