/**
 * One interface for every way Portico reaches a person. An adapter gets a message already rendered
 * for its channel and already addressed (both only in memory, for the length of the call) and
 * answers accepted (with the provider's message id) or failed (with a machine code and whether
 * trying the same channel again can help). Adapters never throw for a provider's answer, and never
 * put an address or a body into an error code.
 */
/** `wecom`: a staff member's group robot; `wecom_app`: the self-built app's message to a resident (member). */
export const CHANNEL_KINDS = ['email', 'sms', 'wecom', 'dingtalk', 'web_push', 'wecom_app'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** SMS providers in China send pre-approved templates: a template code plus its parameters. */
export interface SmsContent {
  /** The repository template (`resident-documents-requested@1`) and language, mapped to the provider's code. */
  readonly templateRef: string;
  readonly language: 'zh' | 'en';
  readonly params: Readonly<Record<string, string>>;
  /** What the approved template reads like with these params (tests and previews; not sent). */
  readonly preview: string;
}

export interface MarkdownContent {
  readonly title: string;
  readonly markdown: string;
}

export interface PushContent {
  readonly title: string;
  readonly body: string;
  /** Where the console opens when the notification is clicked (path only, no personal data). */
  readonly path: string;
  readonly tag: string;
}

export interface PushSubscriptionKeys {
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
}

/** A message ready for one channel: the address and the content exist only for the send call. */
export type OutgoingMessage =
  | {
      readonly channel: 'email';
      readonly messageId: string;
      readonly to: string;
      readonly content: EmailContent;
    }
  | { readonly channel: 'sms'; readonly messageId: string; readonly to: string; readonly content: SmsContent }
  | {
      readonly channel: 'wecom';
      readonly messageId: string;
      readonly to: string;
      readonly content: MarkdownContent;
    }
  | {
      readonly channel: 'dingtalk';
      readonly messageId: string;
      readonly to: string;
      readonly content: MarkdownContent;
    }
  | {
      readonly channel: 'wecom_app';
      readonly messageId: string;
      /** The resident's WeCom user id (personal data: the call only). */
      readonly to: string;
      readonly content: { readonly text: string };
    }
  | {
      readonly channel: 'web_push';
      readonly messageId: string;
      readonly to: readonly PushSubscriptionKeys[];
      readonly content: PushContent;
    };

export type OutgoingOf<K extends ChannelKind> = Extract<OutgoingMessage, { channel: K }>;

export type SendResult =
  | {
      readonly ok: true;
      readonly providerMessageId: string;
      /**
       * The provider's answer already means the person's inbox/group has it (WeCom/DingTalk robots
       * post into the group synchronously); false when it only means "accepted for delivery".
       */
      readonly delivered: boolean;
      /** Web push: subscriptions the push service said are gone (to be removed). */
      readonly goneEndpoints?: readonly string[];
    }
  | {
      readonly ok: false;
      /** `SMTP_550`, `SMS_isv.MOBILE_NUMBER_ILLEGAL`, `WECOM_45009`, `HTTP_503`, `TIMEOUT` … never an address. */
      readonly code: string;
      /** True when the same channel may succeed later (timeouts, 5xx, provider rate limits). */
      readonly retryable: boolean;
      readonly goneEndpoints?: readonly string[];
    };

export interface Channel<K extends ChannelKind = ChannelKind> {
  readonly kind: K;
  send(message: OutgoingOf<K>): Promise<SendResult>;
}

export function failed(code: string, retryable: boolean): SendResult {
  return { ok: false, code: code.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64), retryable };
}

/** HTTP statuses worth another try: throttling and the provider's own trouble. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A fetch that gives up after `timeoutMs`, classifying network trouble as a retryable failure. */
export async function fetchWithTimeout(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ response: Response } | { failure: SendResult }> {
  try {
    return { response: await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }) };
  } catch (e) {
    const name = (e as Error).name;
    return {
      failure: failed(name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'NETWORK', true),
    };
  }
}
