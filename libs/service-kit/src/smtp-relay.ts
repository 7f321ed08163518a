import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** How a service reaches its SMTP relay (notification's e-mail channel, id-vault's desk relay). */
export interface SmtpRelaySettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** Refuse to send unless the connection is TLS. Off only for a local test sink. */
  readonly requireTls?: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  /** Bounds the connect, the greeting and each socket wait alike. */
  readonly timeoutMs: number;
}

/**
 * nodemailer's options for the relay, the same in every service. Only the options: each service
 * calls `createTransport` itself, so this library does not load nodemailer for services without
 * e-mail. Its logger stays off: asked to log, it writes envelopes and message bodies (addresses,
 * grant and upload links).
 */
export function smtpTransportOptions(settings: SmtpRelaySettings): SMTPTransport.Options {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls ?? false,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    logger: false,
    debug: false,
  };
}
