import type { ParsedWebhook } from '../tracking-update';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Where a payload is wrong and why, never with the offending value (it may be personal data). */
export interface PayloadIssue {
  readonly path: string;
  readonly message: string;
}

export type WebhookRejectionCode =
  'WEBHOOK_SIGNATURE_INVALID' | 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' | 'WEBHOOK_PAYLOAD_INVALID';

/** Why a webhook was refused before anything was stored; mapped to 401/400 by the intake service. */
export class WebhookRejectedError extends Error {
  constructor(
    readonly code: WebhookRejectionCode,
    readonly detail: string,
    readonly issues: readonly PayloadIssue[] = [],
  ) {
    super(detail);
    this.name = 'WebhookRejectedError';
  }
}

/**
 * One carrier or aggregator format. Adding a carrier means adding one folder with one of these.
 * `verify` works on the raw bytes (before any parsing) and must use timing-safe comparison;
 * `secrets` holds every active secret of the account (two during a rotation).
 */
export interface WebhookAdapter {
  readonly provider: string;
  /**
   * Media types (no parameters, lowercase) this provider posts; anything else is answered 415 before
   * the signature is looked at.
   */
  readonly contentTypes: readonly string[];
  /** Request headers the signature depends on: archived with the raw body so a delivery can be re-verified. */
  readonly signatureHeaders: readonly string[];
  /**
   * 'single': the account is one carrier's and every update must be of the account's carrier code.
   * 'many': an aggregator (AfterShip, EasyPost, 17TRACK) that reports parcels of any carrier.
   */
  readonly carriers: 'single' | 'many';
  /**
   * The body a provider with a reply format of its own expects once a delivery is stored (it is
   * answered with 200); undefined: Portico's `{ status, events }` with 202 or 200.
   */
  acknowledgement?(outcome: 'accepted' | 'duplicate'): Readonly<Record<string, unknown>>;
  verify(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], now: Date): void;
  parse(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook;
}

export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `application/json; charset=utf-8` -> `application/json`; undefined when the header is absent. */
export function mediaTypeOf(headers: WebhookHeaders): string | undefined {
  const value = headerValue(headers, 'content-type');
  return value?.split(';', 1)[0]!.trim().toLowerCase() || undefined;
}
