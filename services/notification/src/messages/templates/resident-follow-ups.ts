import type { Language } from '../../directory/directory.types';
import type { MessageVariables } from '../message';
import {
  list,
  residentGreeting,
  residentShapes,
  type MessageTemplate,
  type RenderedMessage,
  type SendTimeFacts,
} from './message-template';
import { rejectionAdvice } from './rejection-reasons';
import { docs, linkFacts } from './resident-documents';

/*
 * Follow-ups to the resident's upload-link message, each with a link (a fresh secret of the same
 * vault request, or a new request; see the worker):
 * - `steward-reupload-request@1`: the steward asks for new photos (reason advice, and the steward's
 *   own note, which is never stored in the variables: it arrives as `facts.note`).
 * - `resident-deadline-reminder@1`: clearance's reminder before the deadline.
 * Stored variables: carrierCode, trackingNumber, documents, deadline (ISO or null), and for the
 * re-upload request rejectionReasons (contract reason names).
 */

/** A follow-up with the upload link, in every channel's shape. */
function withLink(
  language: Language,
  waybill: string,
  url: string,
  m: {
    subject: string;
    lines: readonly string[];
    body: string;
    smsPreview: string;
    smsParams: Record<string, string>;
  },
): RenderedMessage {
  return residentShapes({
    subject: m.subject,
    title: language === 'zh' ? `包裹 ${waybill} 清关证件` : `Customs documents for parcel ${waybill}`,
    lines: m.lines,
    body: m.body,
    link: { url, label: language === 'zh' ? '上传证件' : 'Upload documents' },
    sms: { params: { waybill, link: url, ...m.smsParams }, preview: m.smsPreview },
    tag: `upload:${waybill}`,
  });
}

function renderReuploadRequest(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const { url, waybill, carrier, due, expires } = linkFacts(vars, facts, language);
    const advice = rejectionAdvice(list(vars, 'rejectionReasons'), language);
    // The steward's own words, quoted as theirs; SMS never carries them (approved templates only).
    const note = facts.note?.trim() ? facts.note.trim() : null;
    if (language === 'zh') {
      const ask = `物业管家请您为${carrier}包裹（运单号 ${waybill}）重新上传${docs(vars, 'zh')}：${advice.join('')}`;
      const when = due ? `请在${due}前完成。` : '请尽快完成。';
      const lines = [
        residentGreeting('zh', facts),
        ask + when,
        ...(note ? [`管家留言：${note}`] : []),
        `请通过以下一次性安全链接上传（仅限本人使用，${expires}前有效）：${url}`,
        '请不要通过微信、短信或邮件发送证件照片。',
      ];
      return withLink('zh', waybill, url, {
        subject: `【请重新上传】包裹 ${waybill} 清关证件`,
        lines,
        body: `${ask}${when}${note ? `\n\n> 管家留言：${note}` : ''}`,
        smsPreview: `管家请您为包裹（运单号${waybill}）重新上传证件：${advice.join('')}请于${due ?? '尽快'}前通过一次性链接上传：${url} 请勿通过聊天工具发送证件照片。`,
        smsParams: { deadline: due ?? '尽快', reason: advice.join('') },
      });
    }
    const ask = `Your steward asks you to upload ${docs(vars, 'en')} again for your ${carrier} parcel (waybill ${waybill}): ${advice.join(' ')}`;
    const when = due ? ` Please do so before ${due}.` : ' Please do so as soon as possible.';
    const lines = [
      residentGreeting('en', facts),
      ask + when,
      ...(note ? [`Your steward adds: ${note}`] : []),
      `Upload them through this one-time secure link (for you only, valid until ${expires}): ${url}`,
      'Please never send photos of your documents by chat, text message or e-mail.',
    ];
    return withLink('en', waybill, url, {
      subject: `Please upload again: customs documents for parcel ${waybill}`,
      lines,
      body: `${ask}${when}${note ? `\n\n> Your steward adds: ${note}` : ''}`,
      smsPreview: `Your steward asks for new document photos for parcel ${waybill}: ${advice.join(' ')} Upload before ${due ?? 'ASAP'} via this one-time link: ${url} Never send ID photos by chat.`,
      smsParams: { deadline: due ?? 'ASAP', reason: advice.join(' ') },
    });
  };
}

function renderReminder(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const { url, waybill, carrier, due, expires } = linkFacts(vars, facts, language);
    if (language === 'zh') {
      const body = `提醒：您的${carrier}包裹（运单号 ${waybill}）仍在等待您的${docs(vars, 'zh')}。${
        due ? `截止时间为${due}，逾期包裹可能被退回发件人。` : '请尽快上传，以免包裹被退回发件人。'
      }`;
      const lines = [
        residentGreeting('zh', facts),
        body,
        `请通过以下一次性安全链接上传（仅限本人使用，${expires}前有效）：${url}`,
        '之前收到的链接已失效，请使用本链接。请不要通过微信、短信或邮件发送证件照片。',
      ];
      return withLink('zh', waybill, url, {
        subject: `【提醒】包裹 ${waybill} 仍需您上传清关证件`,
        lines,
        body: body,
        smsPreview: `提醒：您的包裹（运单号${waybill}）仍需证件，请于${due ?? '尽快'}前通过一次性链接上传：${url} 请勿通过聊天工具发送证件照片。`,
        smsParams: { deadline: due ?? '尽快' },
      });
    }
    const body = `Reminder: your ${carrier} parcel (waybill ${waybill}) is still waiting for ${docs(vars, 'en')}.${
      due
        ? ` The deadline is ${due}; after that the parcel may be returned to the sender.`
        : ' Please upload them soon so the parcel is not returned to the sender.'
    }`;
    const lines = [
      residentGreeting('en', facts),
      body,
      `Upload them through this one-time secure link (for you only, valid until ${expires}): ${url}`,
      'Links you received earlier no longer work; please use this one. Never send photos of your documents by chat, text message or e-mail.',
    ];
    return withLink('en', waybill, url, {
      subject: `Reminder: parcel ${waybill} still needs your customs documents`,
      lines,
      body: body,
      smsPreview: `Reminder: parcel ${waybill} still needs your documents. Upload before ${due ?? 'ASAP'} via this one-time link: ${url} Never send ID photos by chat.`,
      smsParams: { deadline: due ?? 'ASAP' },
    });
  };
}

export const STEWARD_REUPLOAD_REQUEST: MessageTemplate = {
  id: 'steward-reupload-request',
  version: 1,
  needsUploadLink: true,
  render: { zh: renderReuploadRequest('zh'), en: renderReuploadRequest('en') },
};

export const RESIDENT_DEADLINE_REMINDER: MessageTemplate = {
  id: 'resident-deadline-reminder',
  version: 1,
  needsUploadLink: true,
  render: { zh: renderReminder('zh'), en: renderReminder('en') },
};
