import type { Language } from '../../directory/directory.types';
import type { MessageVariables } from '../message';
import {
  staffNoticeShapes,
  staffTaskFacts,
  type MessageTemplate,
  type RenderedMessage,
  type SendTimeFacts,
} from './message-template';

/*
 * The resident of an active task withdrew their consent to be messaged on one or more channels
 * (a directory import or roster change). Portico stops messaging them there (the worker checks
 * consent at send time); this tells the task's assignee, so the steward contacts the resident
 * another way. Names the parcel, the task and the channels, never the resident. Stored variables:
 * taskId, taskKind, carrierCode, trackingNumber, deadline (ISO or null), channels (sms | email | wecom).
 */

const CHANNEL: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  sms: { zh: '短信', en: 'text message' },
  email: { zh: '邮件', en: 'e-mail' },
  wecom: { zh: '企业微信', en: 'WeCom' },
};

function render(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const { waybill, taskId, carrier, due } = staffTaskFacts(vars, facts, language);
    const list = Array.isArray(vars['channels']) ? (vars['channels'] as string[]) : [];
    const channels = list.map((c) => CHANNEL[c]?.[language] ?? c).join(language === 'zh' ? '、' : ', ');
    if (language === 'zh') {
      const title = `住户已撤回联系授权：${carrier}包裹 ${waybill}`;
      const lines: [string, string, string] = [
        `${facts.propertyName}：${carrier}包裹（运单号 ${waybill}）的住户已撤回通过${channels}接收消息的授权，Portico 不再通过这些渠道联系住户。`,
        due ? `清关截止时间：${due}。` : '请尽快处理。',
        `请通过其他方式联系住户，并在管家控制台记录（任务 ${taskId}）。`,
      ];
      return staffNoticeShapes({ language: 'zh', title, lines, waybill, taskId });
    }
    const title = `Resident withdrew consent: ${carrier} parcel ${waybill}`;
    const lines: [string, string, string] = [
      `${facts.propertyName}: the resident of ${carrier} parcel ${waybill} withdrew their consent to messages by ${channels}; Portico no longer contacts them that way.`,
      due ? `Customs deadline: ${due}.` : 'Please handle it soon.',
      `Please reach the resident another way and record it in the steward console (task ${taskId}).`,
    ];
    return staffNoticeShapes({ language: 'en', title, lines, waybill, taskId });
  };
}

export const STEWARD_CONSENT_WITHDRAWN: MessageTemplate = {
  id: 'steward-consent-withdrawn',
  version: 1,
  needsUploadLink: false,
  render: { zh: render('zh'), en: render('en') },
};
