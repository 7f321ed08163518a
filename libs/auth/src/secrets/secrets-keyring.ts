import { z } from 'zod';
import type { SecretsKey } from './secret-box';

/** The key id a bare `<NAME>=<base64>` keyring setting gets, so moving to `id=key` pairs later keeps it. */
export const DEFAULT_SECRETS_KEY_ID = 'k1';

/**
 * A keyring setting (`CARRIER_SECRETS_KEY`, `WEBHOOK_SECRETS_KEY`): either one base64 32-byte key (its id is `k1`), or `id=base64key` pairs,
 * comma-separated, newest first. The first key seals new secrets; every listed key opens the secrets
 * it sealed, so a key is rotated by prepending a new one and keeping the old until every secret has
 * been re-issued (rotated) under the new one. Messages never repeat a value.
 */
export const secretsKeyring = z.string().transform((raw, ctx): SecretsKey[] => {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const keys: SecretsKey[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    // A bare base64 key may itself end in '=' padding: only `name=` with a simple name is a pair.
    const paired = eq > 0 && /^[a-z0-9][a-z0-9-]{0,31}$/i.test(entry.slice(0, eq));
    if (!paired && entries.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'with several keys, each must be id=base64key' });
      return z.NEVER;
    }
    const id = paired ? entry.slice(0, eq) : DEFAULT_SECRETS_KEY_ID;
    const encoded = paired ? entry.slice(eq + 1) : entry;
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) || key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `key "${id}" must be 32 bytes, base64-encoded` });
      return z.NEVER;
    }
    if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
    return z.NEVER;
  }
  return keys;
});
