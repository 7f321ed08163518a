import type { Language } from '../../directory/directory.types';
import { carrierName } from '../../outreach/templates/template';
import type { MessageVariables } from '../message';
import {
  residentGreeting,
  residentShapes,
  str,
  type MessageTemplate,
  type RenderedMessage,
  type SendTimeFacts,
} from './message-template';
import { docs } from './resident-documents';

/*
 * Notices to the resident without a link, at both ends of a case:
 * - `resident-hold-predicted@1`: clearance predicts a documents hold for a parcel still in transit
 *   (HoldPredicted). Variables: carrierCode, trackingNumber, documents (likely document type names).
 * - `resident-case-cleared@1`: the case cleared (CaseCleared). Variables: carrierCode,
 *   trackingNumber, trigger (`customs_released` | `out_for_delivery` | `delivered` | `operator`).
 * - `resident-case-expired@1`: the customs deadline passed without the case clearing (CaseExpired).
 *   Variables: carrierCode, trackingNumber. Says what happens next (the carrier decides: usually a
 *   return) and that any documents given are deleted within 7 days, and where to ask.
 * - `resident-returned-to-sender@1`: the parcel is going back to the sender (CaseReturnedToSender).
 *   Variables: carrierCode, trackingNumber. Points the resident to the sender for a reship/refund.
 * - `resident-case-cancelled@1`: the case was cancelled (CaseCancelled: an operator's decision, or a
 *   carrier withdrawing the hold). Variables: carrierCode, trackingNumber. Deliberately names no
 *   reason (the event's reasons range from "wrong parcel" to "carrier released it": no one wording
 *   fits them all) and says only what holds for every one: nothing more is needed from the
 *   resident, and any documents given are deleted within 7 days.
 */

/** A notice without a link: its subject is its title, its one body is every channel's text. */
function shapes(waybill: string, subject: string, greeting: string, body: string): RenderedMessage {
  return residentShapes({
    subject,
    title: subject,
    lines: [greeting, body],
    body,
    link: null,
    sms: { params: { waybill }, preview: body },
    tag: `parcel:${waybill}`,
  });
}

function renderHoldPredicted(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const waybill = str(vars, 'trackingNumber');
    const carrier = carrierName(str(vars, 'carrierCode'), language);
    const documents = docs(vars, language);
    if (language === 'zh') {
      const body = `您的${carrier}包裹（运单号 ${waybill}）可能会被海关要求提供${documents}。如需提供，我们会通过短信或邮件发送一次性安全上传链接。请不要通过微信、短信或邮件发送证件照片。`;
      return shapes(
        waybill,
        `【提前告知】包裹 ${waybill} 可能需要清关证件`,
        residentGreeting('zh', facts),
        body,
      );
    }
    const body = `Customs may ask for ${documents} for your ${carrier} parcel (waybill ${waybill}). If they do, we will send you a one-time secure upload link by text message or e-mail. Please never send photos of your documents by chat, text message or e-mail.`;
    return shapes(
      waybill,
      `Heads-up: parcel ${waybill} may need customs documents`,
      residentGreeting('en', facts),
      body,
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
      return shapes(waybill, `【已清关】包裹 ${waybill}`, residentGreeting('zh', facts), body);
    }
    const body = `Your ${carrier} parcel (waybill ${waybill}) ${what}. Thank you for your help. The documents you provided were used for this clearance only and will be deleted within 7 days.`;
    return shapes(waybill, `Cleared: parcel ${waybill}`, residentGreeting('en', facts), body);
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

function renderExpired(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const waybill = str(vars, 'trackingNumber');
    const carrier = carrierName(str(vars, 'carrierCode'), language);
    if (language === 'zh') {
      const body = `您的${carrier}包裹（运单号 ${waybill}）的海关证件提交期限已过，清关未能完成。包裹的后续处理（通常为退回寄件人）由承运商决定。如您已提供证件，我们将在7天内彻底删除。如有疑问，请联系物业服务中心。`;
      return shapes(waybill, `【清关已过期】包裹 ${waybill}`, residentGreeting('zh', facts), body);
    }
    const body = `The customs deadline for your ${carrier} parcel (waybill ${waybill}) has passed and the parcel could not be cleared. The carrier decides what happens next (usually a return to the sender). Any documents you provided will be deleted within 7 days. If you have questions, please contact the management office.`;
    return shapes(waybill, `Customs deadline passed: parcel ${waybill}`, residentGreeting('en', facts), body);
  };
}

function renderReturned(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const waybill = str(vars, 'trackingNumber');
    const carrier = carrierName(str(vars, 'carrierCode'), language);
    if (language === 'zh') {
      const body = `您的${carrier}包裹（运单号 ${waybill}）未能清关，正在退回寄件人。如需重新寄送或退款，请联系寄件人或商家。如您已提供证件，我们将在7天内彻底删除。`;
      return shapes(waybill, `【退回寄件人】包裹 ${waybill}`, residentGreeting('zh', facts), body);
    }
    const body = `Your ${carrier} parcel (waybill ${waybill}) could not be cleared and is being returned to the sender. For a reshipment or a refund, please contact the sender or the shop. Any documents you provided will be deleted within 7 days.`;
    return shapes(waybill, `Returned to sender: parcel ${waybill}`, residentGreeting('en', facts), body);
  };
}

export const RESIDENT_CASE_EXPIRED: MessageTemplate = {
  id: 'resident-case-expired',
  version: 1,
  needsUploadLink: false,
  render: { zh: renderExpired('zh'), en: renderExpired('en') },
};

export const RESIDENT_RETURNED_TO_SENDER: MessageTemplate = {
  id: 'resident-returned-to-sender',
  version: 1,
  needsUploadLink: false,
  render: { zh: renderReturned('zh'), en: renderReturned('en') },
};

function renderCancelled(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const waybill = str(vars, 'trackingNumber');
    const carrier = carrierName(str(vars, 'carrierCode'), language);
    if (language === 'zh') {
      const body = `您的${carrier}包裹（运单号 ${waybill}）的清关证件请求已取消，您无需再提供任何证件或进行其他操作。此前发送的上传链接不再需要使用。如您已提供证件，我们将在7天内彻底删除。如有疑问，请联系物业服务中心。`;
      return shapes(waybill, `【无需操作】包裹 ${waybill} 证件请求已取消`, residentGreeting('zh', facts), body);
    }
    const body = `The customs documents request for your ${carrier} parcel (waybill ${waybill}) has been cancelled: nothing more is needed from you, and you no longer need any upload link we sent. Any documents you provided will be deleted within 7 days. If you have questions, please contact the management office.`;
    return shapes(
      waybill,
      `No action needed: documents request for parcel ${waybill} cancelled`,
      residentGreeting('en', facts),
      body,
    );
  };
}

export const RESIDENT_CASE_CANCELLED: MessageTemplate = {
  id: 'resident-case-cancelled',
  version: 1,
  needsUploadLink: false,
  render: { zh: renderCancelled('zh'), en: renderCancelled('en') },
};
