import { carrierDisplayName } from '@portico/contracts';
import type { RelayNotice } from './relay-adapter';

export interface RelayEmail {
  readonly subject: string;
  readonly text: string;
}

/** Clearance desks in mainland China read Beijing time; the English half says UTC. */
const BEIJING = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * The e-mail a clearance desk gets for one grant: zh then en, plain text (no HTML: nothing to
 * render, nothing to inject). It carries the grant's download links, not the document: a link is
 * limited (uses, expiry), purpose-bound, revocable and audited on every download, while an
 * attachment would sit in mailboxes, archives and forwards beyond the vault's 7-day purge. The
 * notice holds parcel and case ids only; no resident's name, number or address is in it.
 */
export function composeRelayEmail(notice: RelayNotice): RelayEmail {
  const downloadUrl = notice.downloadUrl;
  if (!downloadUrl)
    throw new Error('an e-mail relay needs the grant link (the e-mail adapter does not carry copies)');
  const zhCarrier = carrierDisplayName(notice.carrierCode, 'zh');
  const enCarrier = carrierDisplayName(notice.carrierCode, 'en');
  const links = notice.parts.map((part) => `  ${part}: ${partUrl(downloadUrl, part)}`).join('\n');
  const until = notice.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    subject: `清关证件 / ID document for customs clearance: ${enCarrier} ${notice.trackingNumber}`,
    text: [
      `您好，`,
      ``,
      `${zhCarrier} 运单 ${notice.trackingNumber}（案件 ${notice.caseId}）的收件人证件已审核通过，`,
      `请在 ${BEIJING.format(notice.expiresAt)}（北京时间）前下载带水印的副本，最多 ${notice.maxUses} 次，仅限清关使用：`,
      links,
      ``,
      `链接即凭证，请勿转发；下载均有记录。`,
      ``,
      `---`,
      ``,
      `Hello,`,
      ``,
      `The recipient's ID document for ${enCarrier} waybill ${notice.trackingNumber} (case ${notice.caseId})`,
      `has been reviewed. Download the watermarked copy before ${until}, at most ${notice.maxUses} times,`,
      `for customs clearance only:`,
      links,
      ``,
      `The links are the credential: do not forward them. Every download is recorded.`,
      ``,
      `Grant ${notice.grantId} · document ${notice.documentId} (${notice.documentType}) · purpose ${notice.purpose}`,
    ].join('\n'),
  };
}

function partUrl(downloadUrl: string, part: string): string {
  return `${downloadUrl}?part=${encodeURIComponent(part)}`;
}
