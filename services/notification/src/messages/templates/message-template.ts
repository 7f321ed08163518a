import type {
  ChannelKind,
  EmailContent,
  MarkdownContent,
  PushContent,
  SmsContent,
} from '../../channels/channel';
import type { Language } from '../../directory/directory.types';
import { carrierName, formatDeadline } from '../../outreach/templates/template';
import type { MessageVariables } from '../message';

/**
 * What a message template gets at send time besides its stored variables: the facts read from the
 * directory and (for residents) the one-time upload link. Only ever in memory.
 */
export interface SendTimeFacts {
  readonly recipientName: string | null;
  readonly propertyName: string;
  readonly timeZone: string;
  readonly upload: { readonly url: string; readonly expiresAt: Date } | null;
  /**
   * Free text a steward wrote for this one message (a re-upload request). Kept on the queue row
   * only until the message is finished, never in its variables, a log line or an event.
   */
  readonly note?: string | null;
}

/** One message in one language, in every shape a channel takes. */
export interface RenderedMessage {
  readonly email: EmailContent;
  readonly sms: Omit<SmsContent, 'templateRef' | 'language'>;
  readonly markdown: MarkdownContent;
  readonly push: PushContent;
}

/**
 * A message template, versioned in the repository like the steward scripts: a message stores the
 * `id@version` and the variables, and is rendered with exactly that version when it is sent.
 */
export interface MessageTemplate {
  readonly id: string;
  readonly version: number;
  /** Rendered with a one-time upload link from id-vault (fetched right before rendering). */
  readonly needsUploadLink: boolean;
  readonly render: Readonly<
    Record<Language, (vars: MessageVariables, facts: SendTimeFacts) => RenderedMessage>
  >;
}

export type ChannelContent =
  | { channel: 'email'; content: EmailContent }
  | { channel: 'sms'; content: SmsContent }
  | { channel: 'wecom' | 'dingtalk'; content: MarkdownContent }
  | { channel: 'web_push'; content: PushContent }
  | { channel: 'wecom_app'; content: { text: string } };

export function contentFor(
  channel: ChannelKind,
  template: MessageTemplate,
  language: Language,
  rendered: RenderedMessage,
): ChannelContent {
  switch (channel) {
    case 'email':
      return { channel, content: rendered.email };
    case 'sms':
      return {
        channel,
        content: { ...rendered.sms, templateRef: `${template.id}@${template.version}`, language },
      };
    case 'wecom':
    case 'dingtalk':
      return { channel, content: rendered.markdown };
    case 'web_push':
      return { channel, content: rendered.push };
    case 'wecom_app':
      // Plain text: WeChat shows a WeCom markdown message only as a stub. The e-mail text is the
      // full message (greeting, body, link) without markup.
      return { channel, content: { text: rendered.email.text } };
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain-text body as simple HTML: paragraphs, the link clickable. */
export function simpleHtml(lines: readonly string[], link: string | null): string {
  const paragraphs = lines.map((l) => {
    const escaped = escapeHtml(l);
    return link
      ? escaped.split(escapeHtml(link)).join(`<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`)
      : escaped;
  });
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${paragraphs
    .map((p) => `<p>${p}</p>`)
    .join('')}</body></html>`;
}

/** The resident's greeting from their property's office (name only in memory, at send time). */
export function residentGreeting(language: Language, facts: SendTimeFacts): string {
  return language === 'zh'
    ? `${facts.recipientName ?? ''}您好！这里是${facts.propertyName}物业服务中心。`
    : `Hello${facts.recipientName ? ` ${facts.recipientName}` : ''}, this is the ${facts.propertyName} management office.`;
}

/** A resident notice in every channel's shape: e-mail lines, SMS params, markdown and push from one body. */
export function residentShapes(n: {
  readonly subject: string;
  /** Markdown and push title. */
  readonly title: string;
  readonly lines: readonly string[];
  readonly body: string;
  readonly link: { readonly url: string; readonly label: string } | null;
  readonly sms: RenderedMessage['sms'];
  readonly tag: string;
}): RenderedMessage {
  return {
    email: { subject: n.subject, text: n.lines.join('\n'), html: simpleHtml(n.lines, n.link?.url ?? null) },
    sms: n.sms,
    markdown: {
      title: n.title,
      markdown: `### ${n.title}\n${n.body}${n.link ? `\n\n[${n.link.label}](${n.link.url})` : ''}`,
    },
    push: { title: n.title, body: n.body, path: '/', tag: n.tag },
  };
}

/** What every notice to staff about a task names: the parcel, the task and its deadline (local time). */
export function staffTaskFacts(vars: MessageVariables, facts: SendTimeFacts, language: Language) {
  const iso = str(vars, 'deadline');
  return {
    waybill: str(vars, 'trackingNumber'),
    taskId: str(vars, 'taskId'),
    carrier: carrierName(str(vars, 'carrierCode'), language),
    due: iso ? formatDeadline(new Date(iso), language, facts.timeZone) : null,
  };
}

/**
 * A notice to staff about a task in every channel's shape: the title, its lines (quoted in
 * markdown), the console's task page for push. Never the resident: that stays behind the login.
 */
export function staffNoticeShapes(n: {
  readonly language: Language;
  readonly title: string;
  /** What happened, then the deadline (SMS and push carry these two), then what to do. */
  readonly lines: readonly [string, string, string];
  readonly waybill: string;
  readonly taskId: string;
}): RenderedMessage {
  const zh = n.language === 'zh';
  const [what, when] = n.lines;
  return {
    email: { subject: n.title, text: n.lines.join('\n'), html: simpleHtml(n.lines, null) },
    sms: {
      params: { waybill: n.waybill, task: n.taskId },
      preview: zh
        ? `${n.title}。${when}请在管家控制台确认。`
        : `${n.title}. ${when} Please acknowledge it in the console.`,
    },
    markdown: { title: n.title, markdown: `### ${n.title}\n${n.lines.map((l) => `> ${l}`).join('\n')}` },
    push: {
      title: n.title,
      body: zh ? `${what}${when}` : `${what} ${when}`,
      path: `/tasks/${encodeURIComponent(n.taskId)}`,
      tag: `task:${n.taskId}`,
    },
  };
}

export function str(vars: MessageVariables, key: string): string {
  const v = vars[key];
  return typeof v === 'string' ? v : '';
}

export function list(vars: MessageVariables, key: string): readonly string[] {
  const v = vars[key];
  return Array.isArray(v) ? (v as readonly string[]) : [];
}
