import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { accountFromRow } from '../accounts/accounts.repository';
import type { Session } from './session';

/** All SQL for console_sessions. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: {
    id: string;
    tokenHash: Buffer;
    accountId: string;
    csrfToken: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO console_sessions (id, token_hash, account_id, csrf_token, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.tokenHash, row.accountId, row.csrfToken, row.createdAt, row.expiresAt],
    );
  }

  /** The live session for this cookie hash (not revoked, not expired, account enabled), or null. */
  async findLive(tokenHash: Buffer, now: Date): Promise<Session | null> {
    const rows = await this.dataSource.query(
      `SELECT s.id AS session_id, s.csrf_token, s.expires_at, a.*
         FROM console_sessions s JOIN console_accounts a ON a.id = s.account_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND a.disabled_at IS NULL`,
      [tokenHash, now],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.session_id,
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
      account: accountFromRow(row),
    };
  }

  async revoke(sessionId: string, now: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE console_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, now],
    );
  }
}
