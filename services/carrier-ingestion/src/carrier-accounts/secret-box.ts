import { randomBytes } from 'node:crypto';

// The cipher moved to @portico/auth (notification seals its subscribers' secrets the same way);
// re-exported so this service's imports stay as they were.
export { newWebhookSecret, SecretBox, SecretUnreadableError, type SealedSecret } from '@portico/auth';

/** What a sealed secret is bound to: changing either (moving the row) makes it unreadable. */
export function secretAssociatedData(accountId: string, version: number): string {
  return `portico:carrier-account-secret:v1:${accountId}:${version}`;
}

/** `ca_` + 128 random bits: the id is in the webhook URL, so it must not be guessable or enumerable. */
export function newCarrierAccountId(): string {
  return `ca_${randomBytes(16).toString('hex')}`;
}

export const CARRIER_ACCOUNT_ID = /^ca_[0-9a-f]{32}$/;
