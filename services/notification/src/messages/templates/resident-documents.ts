import { documentTypeToContract, DOCUMENT_TYPES, type DocumentTypeName } from '@portico/contracts';
import type { Language } from '../../directory/directory.types';
import { carrierName, documentsPhrase, formatDeadline } from '../../outreach/templates/template';
import type { MessageVariables } from '../message';
import {
  list,
  simpleHtml,
  str,
  type MessageTemplate,
  type RenderedMessage,
  type SendTimeFacts,
} from './message-template';
import { rejectionAdvice } from './rejection-reasons';

/*
 * The resident's own message with the one-time upload link: the first request, and the re-request
 * after a rejection with its precise reason. Stored variables: carrierCode, trackingNumber,
 * documents (document type names), deadline (ISO or null), rejectionReasons (reason names).
 */

export function docs(vars: MessageVariables, language: Language): string {
  const names = list(vars, 'documents').filter((d): d is DocumentTypeName =>
    (DOCUMENT_TYPES as readonly string[]).includes(d),
  );
  return documentsPhrase(names.map(documentTypeToContract), language);
}

export function deadline(vars: MessageVariables, facts: SendTimeFacts, language: Language): string | null {
  const iso = str(vars, 'deadline');
  return iso ? formatDeadline(new Date(iso), language, facts.timeZone) : null;
}

export function link(facts: SendTimeFacts): string {
  // Rendering without a link would send a useless message; the worker never does.
  if (!facts.upload) throw new Error('resident documents templates need the upload link');
  return facts.upload.url;
}

/** What every message with the upload link opens with: the link, the parcel, the deadline, the link's expiry. */
export function linkFacts(vars: MessageVariables, facts: SendTimeFacts, language: Language) {
  return {
    url: link(facts),
    waybill: str(vars, 'trackingNumber'),
    carrier: carrierName(str(vars, 'carrierCode'), language),
    due: deadline(vars, facts, language),
    expires: formatDeadline(facts.upload!.expiresAt, language, facts.timeZone),
  };
}

function render(language: Language, reupload: boolean) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const { url, waybill, carrier, due, expires } = linkFacts(vars, facts, language);
    const advice = reupload ? rejectionAdvice(list(vars, 'rejectionReasons'), language) : [];
    if (language === 'zh') {
      const greeting = `${facts.recipientName ?? ''}您好！这里是${facts.propertyName}物业服务中心。`;
      const ask = reupload
        ? `您为${carrier}包裹（运单号 ${waybill}）提交的证件未能通过审核：${advice.join('')}请重新上传${docs(vars, 'zh')}。`
        : `您的${carrier}包裹（运单号 ${waybill}）被海关暂扣，需要您提供${docs(vars, 'zh')}以完成清关。`;
      const when = due
        ? `请在${due}前完成，逾期包裹可能被退回发件人。`
        : '请尽快完成，以免包裹被退回发件人。';
      const lines = [
        greeting,
        ask + when,
        `请通过以下一次性安全链接上传（仅限本人使用，${expires}前有效）：${url}`,
        '请不要通过微信、短信或邮件发送证件照片。',
      ];
      return {
        email: {
          subject: reupload
            ? `【请重新上传】包裹 ${waybill} 清关证件`
            : `【清关证件】包裹 ${waybill} 需要您上传证件`,
          text: lines.join('\n'),
          html: simpleHtml(lines, url),
        },
        sms: {
          params: {
            waybill,
            deadline: due ?? '尽快',
            link: url,
            ...(reupload ? { reason: advice.join('') } : {}),
          },
          preview: reupload
            ? `您的包裹（运单号${waybill}）证件未通过审核：${advice.join('')}请于${due ?? '尽快'}前通过一次性链接重新上传：${url} 请勿通过聊天工具发送证件照片。`
            : `您的包裹（运单号${waybill}）被海关暂扣，需提供证件。请于${due ?? '尽快'}前通过一次性链接上传：${url} 请勿通过聊天工具发送证件照片。`,
        },
        markdown: {
          title: `包裹 ${waybill} 清关证件`,
          markdown: `### 包裹 ${waybill} 清关证件\n${ask}${when}\n\n[上传证件](${url})`,
        },
        push: { title: `包裹 ${waybill} 清关证件`, body: ask, path: '/', tag: `upload:${waybill}` },
      };
    }
    const greeting = `Hello${facts.recipientName ? ` ${facts.recipientName}` : ''}, this is the ${facts.propertyName} management office.`;
    const ask = reupload
      ? `The documents you provided for your ${carrier} parcel (waybill ${waybill}) could not be accepted: ${advice.join(' ')} Please upload ${docs(vars, 'en')} again.`
      : `Your ${carrier} parcel (waybill ${waybill}) is being held by customs, and ${docs(vars, 'en')} are needed to clear it.`;
    const when = due
      ? ` Please do so before ${due}; after that the parcel may be returned to the sender.`
      : ' Please do so as soon as possible so the parcel is not returned to the sender.';
    const lines = [
      greeting,
      ask + when,
      `Upload them through this one-time secure link (for you only, valid until ${expires}): ${url}`,
      'Please never send photos of your documents by chat, text message or e-mail.',
    ];
    return {
      email: {
        subject: reupload
          ? `Please upload again: customs documents for parcel ${waybill}`
          : `Customs documents needed for parcel ${waybill}`,
        text: lines.join('\n'),
        html: simpleHtml(lines, url),
      },
      sms: {
        params: {
          waybill,
          deadline: due ?? 'ASAP',
          link: url,
          ...(reupload ? { reason: advice.join(' ') } : {}),
        },
        preview: reupload
          ? `Documents for parcel ${waybill} were not accepted: ${advice.join(' ')} Upload again before ${due ?? 'ASAP'} via this one-time link: ${url} Never send ID photos by chat.`
          : `Parcel ${waybill} is held by customs. Upload your documents before ${due ?? 'ASAP'} via this one-time link: ${url} Never send ID photos by chat.`,
      },
      markdown: {
        title: `Customs documents for parcel ${waybill}`,
        markdown: `### Customs documents for parcel ${waybill}\n${ask}${when}\n\n[Upload documents](${url})`,
      },
      push: {
        title: `Customs documents for parcel ${waybill}`,
        body: ask,
        path: '/',
        tag: `upload:${waybill}`,
      },
    };
  };
}

export const RESIDENT_DOCUMENTS_REQUESTED: MessageTemplate = {
  id: 'resident-documents-requested',
  version: 1,
  needsUploadLink: true,
  render: { zh: render('zh', false), en: render('en', false) },
};

export const RESIDENT_REUPLOAD_REQUESTED: MessageTemplate = {
  id: 'resident-reupload-requested',
  version: 1,
  needsUploadLink: true,
  render: { zh: render('zh', true), en: render('en', true) },
};
