/**
 * notification's message history answer (`GET /v1/outreach/messages`,
 * `GET /v1/outreach/tasks/:taskId/messages`): the HTTP contract between notification
 * (services/notification/src/messages/message-history*.ts) and the console's parcel page.
 * The recipient is a role only: never an id, an address, a phone number or a rendered text.
 */
export type MessageRecipientRole = 'resident' | 'steward' | 'manager' | 'operations';
export type MessageHistoryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'cancelled';

export interface MessageAttemptView {
  readonly attempt: number;
  readonly channel: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** in_flight, sent, failed, abandoned (a worker stopped mid-send). */
  readonly outcome: string;
  /** A closed code of ours or the provider's (`smtp_5xx`, `isv.BUSINESS_LIMIT_CONTROL`), never a text. */
  readonly errorCode: string | null;
  /**
   * What a delivery receipt (SMS report, e-mail DSN) said later about an attempt the provider
   * accepted: `delivered` or `failed` with the provider's code (`DELIVERED`, `MK:0001`, `5.1.1`).
   * Absent or null: no receipt (yet).
   */
  readonly receipt?: {
    readonly outcome: 'delivered' | 'failed';
    readonly code: string | null;
    readonly at: string;
  } | null;
}

export interface MessageView {
  readonly id: string;
  readonly taskId: string | null;
  readonly caseId: string | null;
  readonly parcelId: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly recipientRole: MessageRecipientRole;
  /** `resident-documents-requested@1`. */
  readonly templateRef: string;
  readonly language: 'zh' | 'en';
  readonly status: MessageHistoryStatus;
  /** The channel it went out on, or is tried on now. */
  readonly channel: string;
  /** The channels in the order they are tried. */
  readonly channelPlan: readonly string[];
  /** Attempts over the message's life, every channel counted. */
  readonly attempts: number;
  /** The channels given up on, in order, before `channel` (empty without failover). */
  readonly failedOverFrom: readonly string[];
  readonly queuedAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
  readonly failedAt: string | null;
  readonly lastErrorCode: string | null;
  readonly attemptLog: readonly MessageAttemptView[];
}
