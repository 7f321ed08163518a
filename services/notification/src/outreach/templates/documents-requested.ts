import type { common } from '@portico/contracts';
import { carrierName, documentsPhrase, formatDeadline, NAME_SLOT, type ScriptTemplate } from './template';

export interface DocumentsRequestedVars {
  readonly propertyName: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly documents: readonly common.DocumentType[];
  readonly deadline: Date | null;
  readonly timeZone: string;
  /** A new request after the previous documents were rejected. */
  readonly reupload: boolean;
}

/**
 * What the steward sends the resident when customs asks for documents. It carries no link: the
 * one-time upload link comes from id-vault in its own message (its secret must not sit in a task
 * or on Kafka); the script says it follows and that photos must not go through chat.
 */
export const DOCUMENTS_REQUESTED_TEMPLATE: ScriptTemplate<DocumentsRequestedVars> = {
  id: 'documents-requested',
  version: 1,
  render: {
    zh: (v) => {
      const docs = documentsPhrase(v.documents, 'zh');
      const ask = v.reupload
        ? `您之前提交的证件未能通过审核，需要重新提供${docs}。`
        : `目前被海关暂扣，需要您提供${docs}以完成清关。`;
      const when = v.deadline
        ? `请在${formatDeadline(v.deadline, 'zh', v.timeZone)}前完成，逾期包裹可能被退回发件人。`
        : '请尽快完成，以免包裹被退回发件人。';
      return [
        `${NAME_SLOT}您好！这里是${v.propertyName}物业服务中心。`,
        `您的${carrierName(v.carrierCode, 'zh')}包裹（运单号 ${v.trackingNumber}）${ask}${when}`,
        '我们稍后会另行发送一个一次性安全上传链接，请只通过该链接上传证件照片，不要通过微信、短信或邮件发送。',
        '如有疑问，请直接回复或联系物业管家。',
      ].join('\n');
    },
    en: (v) => {
      const docs = documentsPhrase(v.documents, 'en');
      const ask = v.reupload
        ? `The documents provided earlier could not be accepted, so customs still needs ${docs}.`
        : `It is being held by customs, and ${docs} are needed to clear it.`;
      const when = v.deadline
        ? `Please provide them before ${formatDeadline(v.deadline, 'en', v.timeZone)}; after that the parcel may be returned to the sender.`
        : 'Please provide them as soon as possible so the parcel is not returned to the sender.';
      return [
        `Hello${NAME_SLOT}, this is the ${v.propertyName} management office.`,
        `Your ${carrierName(v.carrierCode, 'en')} parcel (waybill ${v.trackingNumber}): ${ask} ${when}`,
        'A one-time secure upload link will follow in a separate message. Please upload the photos only through that link, never by chat, text message or e-mail.',
        'Reply to this message or contact your steward if you have any questions.',
      ].join('\n');
    },
  },
};
