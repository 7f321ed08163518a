import type { Language } from '../../directory/directory.types';
import type { MessageVariables } from '../message';
import {
  staffNoticeShapes,
  staffTaskFacts,
  str,
  type MessageTemplate,
  type RenderedMessage,
  type SendTimeFacts,
} from './message-template';

/*
 * The steward's notice of a new task. It names the parcel and the task, never the resident: the
 * name, the script and the resident's contact are in the console, behind the steward's login.
 * Stored variables: taskId, taskKind, carrierCode, trackingNumber, deadline (ISO or null), expedited.
 */

const KIND: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  documents_requested: { zh: '需要住户提供清关证件', en: 'the resident must provide customs documents' },
  reupload_requested: {
    zh: '住户证件未通过审核，需要重新上传',
    en: 'the resident’s documents were rejected and must be uploaded again',
  },
  unmatched_parcel: {
    zh: '包裹无法匹配到住户，请在前台队列认领',
    en: 'the parcel matched no resident; please link it in the front-desk queue',
  },
};

function render(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const { waybill, taskId, carrier, due } = staffTaskFacts(vars, facts, language);
    const what = KIND[str(vars, 'taskKind')]?.[language] ?? KIND['documents_requested']![language];
    const urgent = vars['expedited'] === true;
    if (language === 'zh') {
      const title = `${urgent ? '【加急】' : ''}新任务：${carrier}包裹 ${waybill}`;
      const lines: [string, string, string] = [
        `${facts.propertyName}：${carrier}包裹（运单号 ${waybill}）${what}。`,
        due ? `清关截止时间：${due}。` : '请尽快处理。',
        `请在管家控制台确认任务（${taskId}），话术已准备好。`,
      ];
      return staffNoticeShapes({ language: 'zh', title, lines, waybill, taskId });
    }
    const title = `${urgent ? '[Urgent] ' : ''}New task: ${carrier} parcel ${waybill}`;
    const lines: [string, string, string] = [
      `${facts.propertyName}: ${carrier} parcel (waybill ${waybill}): ${what}.`,
      due ? `Customs deadline: ${due}.` : 'Please handle it soon.',
      `Please acknowledge the task (${taskId}) in the steward console; the script is ready there.`,
    ];
    return staffNoticeShapes({ language: 'en', title, lines, waybill, taskId });
  };
}

export const STEWARD_NEW_TASK: MessageTemplate = {
  id: 'steward-new-task',
  version: 1,
  needsUploadLink: false,
  render: { zh: render('zh'), en: render('en') },
};
