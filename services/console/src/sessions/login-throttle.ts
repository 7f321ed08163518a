import { createHash } from 'node:crypto';

/**
 * Password guessing is slowed per account: after a few free failures each
 * further attempt has to wait, twice as long every time, up to a cap, and the count is forgotten a
 * while after the last failure. Pure: the repository stores the records, the service decides with
 * these functions.
 *
 * Why delays and not a hard lock: a lock that only an operator can lift lets anyone who knows a
 * steward's user name keep them out of the console; a capped delay costs a guesser hours per
 * hundred tries while the steward waits at most `maxDelaySeconds`.
 */
export interface ThrottlePolicy {
  /** Failures allowed without any wait. */
  readonly freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure. */
  readonly baseDelaySeconds: number;
  readonly maxDelaySeconds: number;
  /** The record is forgotten this long after its last failure. */
  readonly forgetAfterSeconds: number;
}

/** Per account (the normalised user name): a person mistyping a few times never waits. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  forgetAfterSeconds: 24 * 3600,
};

/**
 * Per client address (client-address.ts; IPv6 per /64): the guesser who tries many user names
 * from one place. More lenient than per account, because many stewards may share one office
 * address (NAT): 30 failures an hour are free, then 10 s doubling up to 5 minutes. Behind a proxy
 * it needs CONSOLE_TRUSTED_PROXIES, or every sign-in counts against the proxy's address.
 */
export const ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 30,
  baseDelaySeconds: 10,
  maxDelaySeconds: 5 * 60,
  forgetAfterSeconds: 3600,
};

export interface FailureRecord {
  readonly failures: number;
  readonly lastFailureAt: Date;
}

/** Seconds until the next attempt may be tried (0: now). */
export function waitSeconds(record: FailureRecord | undefined, now: Date, policy: ThrottlePolicy): number {
  if (!record || isForgotten(record, now, policy)) return 0;
  const beyond = record.failures - policy.freeFailures;
  if (beyond < 0) return 0;
  const delay = Math.min(policy.baseDelaySeconds * 2 ** beyond, policy.maxDelaySeconds);
  const remainingMs = record.lastFailureAt.getTime() + delay * 1000 - now.getTime();
  return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
}

function isForgotten(record: FailureRecord, now: Date, policy: ThrottlePolicy): boolean {
  return now.getTime() - record.lastFailureAt.getTime() >= policy.forgetAfterSeconds * 1000;
}

/**
 * The stored key of an account's throttle record, for any typed user name (known or not, so the
 * answers do not tell which accounts exist). Hashed: what people type as a user name is sometimes
 * their password, and it need not be readable to be counted.
 */
export function throttleKey(username: string): Buffer {
  return createHash('sha256').update(`account:${username.trim().toLowerCase()}`).digest();
}

/** The stored key of a client address's record (hashed like the account keys: addresses are personal data). */
export function addressThrottleKey(subject: string): Buffer {
  return createHash('sha256').update(`address:${subject}`).digest();
}
