import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { encodeSessionsEnded, SESSIONS_CHANNEL } from '../live/live-fanout-message';
import type { AccountStatusInput, AccountStatusResult } from './account-status';

/**
 * Disabling or re-enabling an account, in one transaction: the status, (when disabling) every live
 * session of the account revoked, the audit row, and a NOTIFY that makes every console instance
 * close the account's open live-update streams when it commits. A re-enabled account signs in
 * again; its old sessions stay ended.
 */
export class AccountStatusRepository {
  constructor(private readonly dataSource: DataSource) {}

  async apply(input: AccountStatusInput, now: Date): Promise<AccountStatusResult | null> {
    return this.dataSource.transaction(async (m) => {
      const rows: { id: string; disabled_at: Date | null }[] = await m.query(
        `SELECT id, disabled_at FROM console_accounts WHERE username = $1 FOR UPDATE`,
        [input.username],
      );
      const account = rows[0];
      if (!account) return null;
      const disable = input.action === 'disable';
      const changed = disable === (account.disabled_at === null);
      if (changed) {
        await m.query(`UPDATE console_accounts SET disabled_at = $2, updated_at = $3 WHERE id = $1`, [
          account.id,
          disable ? now : null,
          now,
        ]);
      }
      let sessionsEnded = 0;
      if (disable) {
        // Also when it was disabled already: nothing may stay open for a disabled account.
        const [, count] = (await m.query(
          `UPDATE console_sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
          [account.id, now],
        )) as [unknown[], number];
        sessionsEnded = count;
        await m.query('SELECT pg_notify($1, $2)', [SESSIONS_CHANNEL, encodeSessionsEnded(account.id)]);
      }
      const auditId = `aud_${randomUUID()}`;
      await m.query(
        `INSERT INTO console_account_audit (id, account_id, action, reason, actor, sessions_ended, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [auditId, account.id, disable ? 'disabled' : 'enabled', input.reason, input.actor, sessionsEnded, now],
      );
      return { accountId: account.id, changed, sessionsEnded, auditId };
    });
  }
}
