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
 * The notice to the rung a task escalated to (the property's manager, or operations). Like the
 * steward's notice it names the parcel, the task and why, never the resident: the rest is in the
 * console. Stored variables: taskId, taskKind, level (manager | operations), reason
 * (ack_sla_breached | deadline_at_risk | unreachable), carrierCode, trackingNumber, deadline (ISO
 * or null), expedited, quietHoursOverridden.
 */

const REASON: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  ack_sla_breached: { zh: '在规定时间内无人确认', en: 'nobody acknowledged it in time' },
  deadline_at_risk: {
    zh: '清关截止时间临近，证件仍未齐全',
    en: 'the customs deadline is close and documents are still missing',
  },
  unreachable: {
    zh: '无法联系到负责人（所有渠道均发送失败）',
    en: 'the person in charge could not be reached on any channel',
  },
};

function render(language: Language) {
  return (vars: MessageVariables, facts: SendTimeFacts): RenderedMessage => {
    const { waybill, taskId, carrier, due } = staffTaskFacts(vars, facts, language);
    const why = (REASON[str(vars, 'reason')] ?? REASON['ack_sla_breached']!)[language];
    const urgent = vars['expedited'] === true || vars['quietHoursOverridden'] === true;
    if (language === 'zh') {
      const title = `${urgent ? '【加急】' : ''}任务升级：${carrier}包裹 ${waybill}`;
      const lines: [string, string, string] = [
        `${facts.propertyName}：${carrier}包裹（运单号 ${waybill}）的外联任务已升级给您，原因：${why}。`,
        due ? `清关截止时间：${due}。` : '请尽快处理。',
        `请在管家控制台确认任务（${taskId}）。`,
      ];
      return staffNoticeShapes({ language: 'zh', title, lines, waybill, taskId });
    }
    const title = `${urgent ? '[Urgent] ' : ''}Escalated: ${carrier} parcel ${waybill}`;
    const lines: [string, string, string] = [
      `${facts.propertyName}: the outreach task for ${carrier} parcel ${waybill} was escalated to you because ${why}.`,
      due ? `Customs deadline: ${due}.` : 'Please handle it soon.',
      `Please acknowledge the task (${taskId}) in the steward console.`,
    ];
    return staffNoticeShapes({ language: 'en', title, lines, waybill, taskId });
  };
}

export const STAFF_TASK_ESCALATED: MessageTemplate = {
  id: 'staff-task-escalated',
  version: 1,
  needsUploadLink: false,
  render: { zh: render('zh'), en: render('en') },
};
