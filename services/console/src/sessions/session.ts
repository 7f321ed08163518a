import type { Account } from '../accounts/account';

/** A signed-in browser: the account it acts as and the synchronizer CSRF token. */
export interface Session {
  readonly id: string;
  readonly account: Account;
  readonly csrfToken: string;
  /** When it ends unless used again (idle timeout), renewed on use. */
  readonly expiresAt: Date;
  /** When it ends however busy (absolute maximum); null for a session from before sliding renewal. */
  readonly maxExpiresAt: Date | null;
}

/** Methods that change nothing: every other method must carry the session's CSRF token. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
