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
    maxExpiresAt: Date;
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO console_sessions (id, token_hash, account_id, csrf_token, created_at, expires_at, max_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, row.tokenHash, row.accountId, row.csrfToken, row.createdAt, row.expiresAt, row.maxExpiresAt],
    );
  }

  /**
   * Pushes a live session's end to `expiresAt` (never past its absolute end, never backwards).
   * False when it ended meanwhile (signed out, account disabled, expired): the request is refused.
   */
  async renew(sessionId: string, expiresAt: Date, now: Date): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, renewed] = (await this.dataSource.query(
      `UPDATE console_sessions SET expires_at = LEAST($2::timestamptz, max_expires_at)
        WHERE id = $1 AND revoked_at IS NULL AND expires_at > $3 AND expires_at < $2::timestamptz`,
      [sessionId, expiresAt, now],
    )) as [unknown[], number];
    // not renewed: either another request of the burst renewed it first (still live) or it ended
    return renewed > 0 || (await this.isLive(sessionId, now));
  }

  private async isLive(sessionId: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM console_sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2`,
      [sessionId, now],
    );
    return rows.length > 0;
  }

  /** The live session for this cookie hash (not revoked, not expired, account enabled), or null. */
  async findLive(tokenHash: Buffer, now: Date): Promise<Session | null> {
    const rows = await this.dataSource.query(
      `SELECT s.id AS session_id, s.csrf_token, s.expires_at, s.max_expires_at, a.*
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
      maxExpiresAt: row.max_expires_at ? new Date(row.max_expires_at) : null,
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
