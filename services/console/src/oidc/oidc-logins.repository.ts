import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PendingLogin } from './pending-login';

/** All SQL for console_oidc_logins (state, nonce and PKCE verifier between redirect and callback). */
@Injectable()
export class OidcLoginsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a pending login; expired ones are swept on the way (there are few: one per sign-in click). */
  async insert(bindingHash: Buffer, login: PendingLogin, now: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM console_oidc_logins WHERE expires_at <= $1`, [now]);
    await this.dataSource.query(
      `INSERT INTO console_oidc_logins (binding_hash, state, nonce, code_verifier, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [bindingHash, login.state, login.nonce, login.codeVerifier, now, login.expiresAt],
    );
  }

  /** Removes and returns the live pending login of this binding: a callback uses it once, whatever happens next. */
  async take(bindingHash: Buffer, now: Date): Promise<PendingLogin | null> {
    const [rows]: [Array<{ state: string; nonce: string; code_verifier: string; expires_at: Date }>] =
      await this.dataSource.query(
        `DELETE FROM console_oidc_logins WHERE binding_hash = $1 RETURNING state, nonce, code_verifier, expires_at`,
        [bindingHash],
      );
    const row = rows?.[0];
    if (!row || new Date(row.expires_at) <= now) return null;
    return {
      state: row.state,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      expiresAt: new Date(row.expires_at),
    };
  }
}
