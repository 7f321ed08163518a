import { documentTypeToContract, DOCUMENT_TYPES, type DocumentTypeName } from '@portico/contracts';
import type { Language } from '../../directory/directory.types';
import { carrierName, documentsPhrase } from '../../outreach/templates/template';
import type { MessageVariables } from '../message';
import {
  list,
  simpleHtml,
  str,
  type MessageTemplate,
  type RenderedMessage,
  type SendTimeFacts,
} from './message-template';

/*
 * Notices to the resident without a link, at both ends of a case:
 * - `resident-hold-predicted@1`: clearance predicts a documents hold for a parcel still in transit
 *   (HoldPredicted). Variables: carrierCode, trackingNumber, documents (likely document type names).
 * - `resident-case-cleared@1`: the case cleared (CaseCleared). Variables: carrierCode,
 *   trackingNumber, trigger (`customs_released` | `out_for_delivery` | `delivered` | `operator`).
 */

function greeting(language: Language, facts: SendTimeFacts): string {
  return language === 'zh'
    ? `${facts.recipientName ?? ''}您好！这里是${facts.propertyName}物业服务中心。`
    : `Hello${facts.recipientName ? ` ${facts.recipientName}` : ''}, this is the ${facts.propertyName} management office.`;
}

function shapes(
  waybill: string,
  subject: string,
  lines: readonly string[],
  body: string,
  params: Record<string, string>,
): RenderedMessage {
  return {
    email: { subject, text: lines.join('\n'), html: simpleHtml(lines, null) },
    sms: { params: { waybill, ...params }, preview: body },
    markdown: { title: subject, markdown: `### ${subject}\n${body}` },
    push: { title: subject, body, path: '/', tag: `parcel:${waybill}` },
  };
}

function renderHoldPredicted(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const waybill = str(vars, 'trackingNumber');
    const carrier = carrierName(str(vars, 'carrierCode'), language);
    const names = list(vars, 'documents').filter((d): d is DocumentTypeName =>
      (DOCUMENT_TYPES as readonly string[]).includes(d),
    );
    const documents = documentsPhrase(names.map(documentTypeToContract), language);
    if (language === 'zh') {
      const body = `您的${carrier}包裹（运单号 ${waybill}）可能会被海关要求提供${documents}。如需提供，我们会通过短信或邮件发送一次性安全上传链接。请不要通过微信、短信或邮件发送证件照片。`;
      return shapes(
        waybill,
        `【提前告知】包裹 ${waybill} 可能需要清关证件`,
        [greeting('zh', facts), body],
        body,
        {},
      );
    }
    const body = `Customs may ask for ${documents} for your ${carrier} parcel (waybill ${waybill}). If they do, we will send you a one-time secure upload link by text message or e-mail. Please never send photos of your documents by chat, text message or e-mail.`;
    return shapes(
      waybill,
      `Heads-up: parcel ${waybill} may need customs documents`,
      [greeting('en', facts), body],
      body,
      {},
    );
  };
}

const CLEARED: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  customs_released: { zh: '已通过海关清关，即将派送', en: 'has cleared customs and is on its way to you' },
  out_for_delivery: { zh: '已通过海关清关，正在派送中', en: 'has cleared customs and is out for delivery' },
  delivered: { zh: '已通过海关清关并已签收', en: 'has cleared customs and has been delivered' },
  operator: { zh: '已完成清关', en: 'has been cleared' },
};

function renderCleared(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const waybill = str(vars, 'trackingNumber');
    const carrier = carrierName(str(vars, 'carrierCode'), language);
    const what = (CLEARED[str(vars, 'trigger')] ?? CLEARED['operator']!)[language];
    if (language === 'zh') {
      const body = `您的${carrier}包裹（运单号 ${waybill}）${what}。感谢您的配合。您提供的证件仅用于本次清关，将在7天内彻底删除。`;
      return shapes(waybill, `【已清关】包裹 ${waybill}`, [greeting('zh', facts), body], body, {});
    }
    const body = `Your ${carrier} parcel (waybill ${waybill}) ${what}. Thank you for your help. The documents you provided were used for this clearance only and will be deleted within 7 days.`;
    return shapes(waybill, `Cleared: parcel ${waybill}`, [greeting('en', facts), body], body, {});
  };
}

export const RESIDENT_HOLD_PREDICTED: MessageTemplate = {
  id: 'resident-hold-predicted',
  version: 1,
  needsUploadLink: false,
  render: { zh: renderHoldPredicted('zh'), en: renderHoldPredicted('en') },
};

export const RESIDENT_CASE_CLEARED: MessageTemplate = {
  id: 'resident-case-cleared',
  version: 1,
  needsUploadLink: false,
  render: { zh: renderCleared('zh'), en: renderCleared('en') },
};
