/**
 * Why a record can never be handled, however often it is retried. Each code is a stable value for
 * the DLQ's `x-error-reason` header, dashboards and alerts.
 */
export const PoisonReason = {
  MissingHeader: 'MISSING_HEADER',
  InvalidHeader: 'INVALID_HEADER',
  MissingKey: 'MISSING_KEY',
  MissingValue: 'MISSING_VALUE',
  UnknownSchema: 'UNKNOWN_SCHEMA',
  UnknownEventType: 'UNKNOWN_EVENT_TYPE',
  CorruptPayload: 'CORRUPT_PAYLOAD',
  EventTypeMismatch: 'EVENT_TYPE_MISMATCH',
} as const;
export type PoisonReason = (typeof PoisonReason)[keyof typeof PoisonReason];

/**
 * A record that cannot be decoded into a known event. Goes straight to the DLQ with its reason;
 * the consumer moves on. The message names headers and type names only, never payload content,
 * because it ends up in headers, logs and spans.
 */
export class PoisonMessageError extends Error {
  readonly code = 'MESSAGING_POISON_MESSAGE';

  constructor(
    readonly reason: PoisonReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'PoisonMessageError';
  }
}
