import type { MessageView } from './upstream-shapes';

/**
 * A delivery receipt as the parcel page shows it on a message row: which attempt and channel it was
 * about, what it said and when. A receipt is only ever about an attempt the provider accepted, so
 * `failed` here always means "failed after it was sent" (a bounce, an SMS report's error), which the
 * page words as such.
 */
export interface MessageReceiptView {
  readonly attempt: number;
  readonly channel: string;
  readonly outcome: 'delivered' | 'failed';
  /** The provider's closed code (`DELIVERED`, `MK:0001`, `5.1.1`), or null when it gave none or not a code. */
  readonly code: string | null;
  readonly at: string;
}

export type ParcelMessageView = MessageView & { readonly receipts: readonly MessageReceiptView[] };

// notification promises closed codes; the page shows the code as it is, so anything that is not one
// (a DSN's diagnostic text can quote the recipient's address) is dropped here rather than shown.
// A run of 7+ digits is a phone number, never a provider code.
const CLOSED_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$/;
const PHONE_LIKE = /\d{7}/;
const closedCode = (code: string | null | undefined): string | null => (code && CLOSED_CODE.test(code) && !PHONE_LIKE.test(code) ? code : null);

/** The receipts of a message's attempts, oldest attempt first. Pure. */
export function messageReceipts(msg: MessageView): MessageReceiptView[] {
  const out: MessageReceiptView[] = [];
  for (const a of msg.attemptLog) {
    const r = a.receipt;
    // Absent on notification versions before receipts; an unknown outcome is not guessed at.
    if (!r || (r.outcome !== 'delivered' && r.outcome !== 'failed') || Number.isNaN(Date.parse(r.at))) continue;
    out.push({ attempt: a.attempt, channel: a.channel, outcome: r.outcome, code: closedCode(r.code), at: r.at });
  }
  return out.sort((x, y) => x.attempt - y.attempt);
}

export const withReceipts = (msg: MessageView): ParcelMessageView => ({ ...msg, receipts: messageReceipts(msg) });
