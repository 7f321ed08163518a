import type { ChannelKind } from '../channels/channel';
import type { Language } from '../directory/directory.types';

export type RecipientRole = 'resident' | 'steward' | 'manager' | 'operations';
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'cancelled';

/**
 * What a template is rendered from, as stored on the message row: codes, ids and times only.
 * Names, addresses and the upload link are fetched at send time and never stored.
 */
export type MessageVariables = Readonly<Record<string, string | number | boolean | readonly string[] | null>>;

/** A `messages` row. */
export interface MessageRecord {
  readonly id: string;
  readonly dedupeKey: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly taskId: string | null;
  readonly caseId: string | null;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly recipientRole: RecipientRole;
  readonly recipientId: string;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly language: Language;
  readonly variables: MessageVariables;
  readonly channelPlan: readonly ChannelKind[];
  readonly channelIndex: number;
  readonly channelAttempt: number;
  readonly attempt: number;
  readonly status: MessageStatus;
  readonly nextAttemptAt: Date;
  readonly leaseUntil: Date | null;
  readonly lastErrorCode: string | null;
  /** W3C trace context of the transaction that queued the message (its sends join that trace). */
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

export function recipientKey(m: Pick<MessageRecord, 'recipientRole' | 'recipientId'>): string {
  return `${m.recipientRole}:${m.recipientId}`;
}

export function templateRefOf(m: Pick<MessageRecord, 'templateId' | 'templateVersion'>): string {
  return `${m.templateId}@${m.templateVersion}`;
}
