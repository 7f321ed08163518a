import { setting, type ConfigOf } from '@portico/config';
import { z } from 'zod';
import { ConfiguredKeyring, KeyringConfigurationError } from './key-encryption-keys';

/**
 * Settings of the vault's encryption, to spread into id-vault's `settings`. There is deliberately
 * no default keyring: a key in source would be a key in every clone of the repository.
 */
export const cryptoSettings = {
  keyEncryptionKeys: setting(
    'VAULT_KEKS',
    z.string().transform((raw, ctx) => {
      try {
        return ConfiguredKeyring.fromSpec(raw);
      } catch (e) {
        if (!(e instanceof KeyringConfigurationError)) throw e;
        // The problems name ids and lengths only; loadConfig shows nothing else of a secret setting.
        for (const problem of e.problems) ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
    }),
    'key-encryption keys as id=<base64 of 32 random bytes>, comma-separated, active first (e.g. `openssl rand -base64 32`)',
    { secret: true },
  ),
  rewrapBatchSize: setting(
    'VAULT_REWRAP_BATCH_SIZE',
    z.coerce.number().int().min(1).max(10_000).default(200),
    'data keys rewrapped per transaction by rewrap-keys',
  ),
};

export type CryptoConfig = ConfigOf<typeof cryptoSettings>;
