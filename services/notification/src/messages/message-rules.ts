import type { ChannelKind } from '../channels/channel';

/*
 * The queue's rules, pure: which channels a recipient is tried on and in what order, what a failed
 * attempt leads to, and when a recipient may get the next message.
 */

export type ResidentChannel = 'sms' | 'email' | 'wecom';
const RESIDENT_DEFAULT_ORDER: readonly ResidentChannel[] = ['sms', 'email', 'wecom'];

/**
 * The channel that carries each resident consent: WeCom to a resident is the self-built app's
 * message to their WeCom user id (`wecom_app`), never a group robot, which would post the link
 * into a group.
 */
const RESIDENT_CHANNEL_KIND: Readonly<Record<ResidentChannel, ChannelKind>> = {
  sms: 'sms',
  email: 'email',
  wecom: 'wecom_app',
};

/** The consent a channel needs when it reaches a resident (null: residents are not reached on it). */
export function residentConsentOf(channel: ChannelKind): ResidentChannel | null {
  return channel === 'wecom_app' ? 'wecom' : channel === 'sms' || channel === 'email' ? channel : null;
}

export interface ResidentReachability {
  readonly consent: Readonly<Record<ResidentChannel, boolean>>;
  /** Most preferred first; empty = the default order (sms, email, wecom). */
  readonly preferences: readonly ResidentChannel[];
  readonly hasAddress: Readonly<Record<ResidentChannel, boolean>>;
}

/**
 * The resident's plan: consented channels in their preference order (channels consented to but
 * not in the preference list follow in the default order), of those the ones with an address and
 * enabled here. No consent, no channel: an empty plan means no message.
 */
export function residentPlan(r: ResidentReachability, enabled: (k: ChannelKind) => boolean): ChannelKind[] {
  const order = [...r.preferences, ...RESIDENT_DEFAULT_ORDER.filter((c) => !r.preferences.includes(c))];
  return [...new Set(order)]
    .filter((c) => r.consent[c] && r.hasAddress[c] && enabled(RESIDENT_CHANNEL_KIND[c]))
    .map((c) => RESIDENT_CHANNEL_KIND[c]);
}

/** What a resident's directory entry says about reaching them (the addresses themselves stay out). */
export function reachabilityOf(r: {
  readonly consent: Readonly<Record<ResidentChannel, boolean>>;
  readonly preferences: readonly ResidentChannel[];
  readonly phone: string | null;
  readonly email: string | null;
  readonly wecomUserId: string | null;
}): ResidentReachability {
  return {
    consent: r.consent,
    preferences: r.preferences,
    hasAddress: { sms: Boolean(r.phone), email: Boolean(r.email), wecom: Boolean(r.wecomUserId) },
  };
}

/**
 * Staff are reached on their directory channel first and on the steward console's web push after
 * it (a browser may not be registered: that attempt then fails over to nothing).
 */
export function staffPlan(channel: ChannelKind, enabled: (k: ChannelKind) => boolean): ChannelKind[] {
  return [...new Set<ChannelKind>([channel, 'web_push'])].filter(enabled);
}

export interface AttemptFailure {
  readonly code: string;
  readonly retryable: boolean;
  /**
   * `channel`: the channel failed (retry it, then the next one). `message`: something every channel
   * needs failed (the upload link), so another channel would not help: retry, never fail over.
   */
  readonly scope: 'channel' | 'message';
  /** The provider or id-vault asked for this wait before the next try. */
  readonly retryAfterMs?: number;
}

export interface QueuePosition {
  readonly channelPlan: readonly ChannelKind[];
  readonly channelIndex: number;
  /** Attempts made on the current channel, including the one that just failed. */
  readonly channelAttempt: number;
}

export type AfterFailure =
  | { readonly next: 'retry'; readonly at: Date }
  | { readonly next: 'failover'; readonly channelIndex: number; readonly channel: ChannelKind }
  | { readonly next: 'give_up' };

/**
 * Retryable failures try the same channel again after `retryDelaysMs[n - 1]` (n = attempts so
 * far); when those are used up, or at once for a permanent failure (invalid address, 4xx, no
 * consent any more), the next channel of the plan gets the message; after the last one it fails.
 */
export function afterFailure(
  position: QueuePosition,
  failure: AttemptFailure,
  retryDelaysMs: readonly number[],
  now: Date,
): AfterFailure {
  if (failure.retryable && position.channelAttempt <= retryDelaysMs.length) {
    const delay = Math.max(retryDelaysMs[position.channelAttempt - 1]!, failure.retryAfterMs ?? 0);
    return { next: 'retry', at: new Date(now.getTime() + delay) };
  }
  const nextIndex = position.channelIndex + 1;
  if (failure.scope === 'channel' && nextIndex < position.channelPlan.length) {
    return { next: 'failover', channelIndex: nextIndex, channel: position.channelPlan[nextIndex]! };
  }
  return { next: 'give_up' };
}

export interface RateLimits {
  readonly perHour: number;
  readonly perDay: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * When the recipient may get one more message, given when their last messages (sent, or being
 * sent) started: null = now. A limited message waits until the oldest one counted leaves its
 * window; it is never dropped.
 */
export function rateLimitedUntil(recent: readonly Date[], now: Date, limits: RateLimits): Date | null {
  const times = recent
    .map((d) => d.getTime())
    .filter((t) => t > now.getTime() - DAY)
    .sort((a, b) => a - b);
  const inHour = times.filter((t) => t > now.getTime() - HOUR);
  let until = 0;
  if (inHour.length >= limits.perHour)
    until = Math.max(until, inHour[inHour.length - limits.perHour]! + HOUR);
  if (times.length >= limits.perDay) until = Math.max(until, times[times.length - limits.perDay]! + DAY);
  return until > now.getTime() ? new Date(until) : null;
}

/** Alibaba Cloud's PhoneNumbers format: mainland numbers bare, others with 00 + country code. */
export function smsNumber(phone: string): string | null {
  const compact = phone.replace(/[\s()-]/g, '');
  if (!/^\+?\d{5,20}$/.test(compact)) return null;
  if (compact.startsWith('+86')) return compact.slice(3);
  if (compact.startsWith('+')) return `00${compact.slice(1)}`;
  return compact;
}
