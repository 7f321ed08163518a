import { schemas, setting, type ConfigOf } from '@portico/config';
import { z } from 'zod';
import type { EmailRelaySettings } from './email-relay.adapter';

const optionalText = z
  .string()
  .optional()
  .or(z.literal('').transform(() => undefined));
const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

/**
 * The SMTP relay the e-mail relay adapter sends through; spread into id-vault's `settings`. Needed
 * only when a VAULT_RELAY_DESTINATIONS entry says `"adapter": "email"` (checked at start).
 */
export const emailRelaySettings = {
  relaySmtpHost: setting(
    'VAULT_RELAY_SMTP_HOST',
    optionalText,
    'SMTP relay for e-mail relay destinations; empty disables the e-mail adapter',
  ),
  relaySmtpPort: setting(
    'VAULT_RELAY_SMTP_PORT',
    schemas.port.default(587),
    'SMTP port (587 submission, 465 TLS)',
  ),
  relaySmtpSecure: setting(
    'VAULT_RELAY_SMTP_SECURE',
    flag('false'),
    'true for implicit TLS (port 465); false upgrades with STARTTLS',
  ),
  relaySmtpRequireTls: setting(
    'VAULT_RELAY_SMTP_REQUIRE_TLS',
    // The mail carries a grant link, a bearer credential: never over a plaintext hop we can avoid.
    flag('true'),
    'refuse to send unless the connection is TLS (STARTTLS or implicit); false only for a local test sink',
  ),
  relaySmtpUser: setting('VAULT_RELAY_SMTP_USER', optionalText, 'SMTP user name, when the relay wants one'),
  relaySmtpPassword: setting('VAULT_RELAY_SMTP_PASSWORD', optionalText, 'SMTP password', { secret: true }),
  relayMailFrom: setting(
    'VAULT_RELAY_MAIL_FROM',
    z.string().min(3).default('Portico clearance relay <clearance-relay@portico.invalid>'),
    'From address of relay e-mail to clearance desks',
  ),
  relaySmtpTimeoutMs: setting(
    'VAULT_RELAY_SMTP_TIMEOUT_MS',
    schemas.milliseconds.min(1_000).max(120_000).default(15_000),
    'connection, greeting and socket timeout of one relay e-mail',
  ),
};

export type EmailRelayConfig = ConfigOf<typeof emailRelaySettings>;

/** The adapter's settings, or undefined when no SMTP relay is configured. */
export function emailRelaySettingsFrom(c: EmailRelayConfig): EmailRelaySettings | undefined {
  if (!c.relaySmtpHost) return undefined;
  return {
    host: c.relaySmtpHost,
    port: c.relaySmtpPort,
    secure: c.relaySmtpSecure,
    requireTls: c.relaySmtpRequireTls,
    user: c.relaySmtpUser,
    password: c.relaySmtpPassword,
    from: c.relayMailFrom,
    timeoutMs: c.relaySmtpTimeoutMs,
  };
}
