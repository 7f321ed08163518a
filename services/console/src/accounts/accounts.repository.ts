import { Injectable } from '@nestjs/common';
import { isPersonRole } from '@portico/auth';
import { DataSource, type EntityManager } from 'typeorm';
import type { Account } from './account';

interface AccountRow {
  id: string;
  username: string;
  password_hash: string | null;
  subject: string;
  roles: string[];
  tenant_id: string | null;
  property_ids: string[];
  oidc_issuer?: string | null;
}

export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    subject: row.subject,
    roles: row.roles.filter(isPersonRole),
    tenantId: row.tenant_id,
    propertyIds: row.property_ids,
    oidcIssuer: row.oidc_issuer ?? null,
  };
}

/** How an account proves who it is: a password (argon2id hash) or the OpenID provider's subject. */
export type SignInMethod = { passwordHash: string } | { oidcIssuer: string; oidcSubject: string };

/** All SQL for console_accounts. */
@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The enabled account with that username and its password hash, or null. */
  async findForLogin(username: string): Promise<{ account: Account; passwordHash: string } | null> {
    const rows: AccountRow[] = await this.dataSource.query(
      `SELECT * FROM console_accounts WHERE username = $1 AND password_hash IS NOT NULL AND disabled_at IS NULL`,
      [username],
    );
    const row = rows[0];
    return row?.password_hash ? { account: accountFromRow(row), passwordHash: row.password_hash } : null;
  }

  /** The enabled account mapped to this subject of this OpenID provider, or null (not mapped). */
  async findByOidcSubject(issuer: string, oidcSubject: string): Promise<Account | null> {
    const rows: AccountRow[] = await this.dataSource.query(
      `SELECT * FROM console_accounts WHERE oidc_issuer = $1 AND oidc_subject = $2 AND disabled_at IS NULL`,
      [issuer, oidcSubject],
    );
    return rows[0] ? accountFromRow(rows[0]) : null;
  }

  /**
   * Creates or replaces the account with that username (the accounts command; idempotent demo
   * seeding). It signs in one way only: the other way's columns are cleared. A disabled account
   * stays disabled: only the audited account-status command enables it again.
   */
  async upsert(
    account: Omit<Account, 'id' | 'oidcIssuer'> & { id: string },
    signIn: SignInMethod,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const oidc = 'oidcSubject' in signIn ? signIn : null;
    await manager.query(
      `INSERT INTO console_accounts (id, username, password_hash, subject, roles, tenant_id, property_ids, oidc_issuer, oidc_subject)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, subject = EXCLUDED.subject,
         roles = EXCLUDED.roles, tenant_id = EXCLUDED.tenant_id, property_ids = EXCLUDED.property_ids,
         oidc_issuer = EXCLUDED.oidc_issuer, oidc_subject = EXCLUDED.oidc_subject, updated_at = now()`,
      [
        account.id,
        account.username,
        'passwordHash' in signIn ? signIn.passwordHash : null,
        account.subject,
        account.roles,
        account.tenantId,
        account.propertyIds,
        oidc?.oidcIssuer ?? null,
        oidc?.oidcSubject ?? null,
      ],
    );
  }
}
