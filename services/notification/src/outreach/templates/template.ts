import { carrierDisplayName, common } from '@portico/contracts';
import type { Language } from '../../directory/directory.types';

/**
 * A script template in both product languages. Templates are code, versioned: a task stores the
 * `id@version` it was rendered with, so a wording change never rewrites what a steward already
 * received, and MessageSent events can name the template.
 */
export interface ScriptTemplate<V> {
  readonly id: string;
  readonly version: number;
  readonly render: Readonly<Record<Language, (vars: V) => string>>;
}

export function templateRef(template: Pick<ScriptTemplate<never>, 'id' | 'version'>): string {
  return `${template.id}@${template.version}`;
}

export interface RenderedScript {
  readonly templateRef: string;
  readonly zh: string;
  readonly en: string;
}

export function renderBoth<V>(template: ScriptTemplate<V>, vars: V): RenderedScript {
  return { templateRef: templateRef(template), zh: template.render.zh(vars), en: template.render.en(vars) };
}

/**
 * Stands in for the resident's name in stored scripts: the name stays in the residents table and
 * is put in only when a caller allowed to see it reads the task.
 */
export const NAME_SLOT = '{{resident_name}}';

/** Fills the name slot: with the name for callers who may see it, with nothing (a neutral greeting) otherwise. */
export function personalise(text: string, language: Language, name: string | null): string {
  const filler = name ? (language === 'en' ? ` ${name}` : name) : '';
  return text.split(NAME_SLOT).join(filler);
}

export function carrierName(code: string, language: Language): string {
  return carrierDisplayName(code, language);
}

const DOCUMENTS: Readonly<Record<number, { zh: string; en: string }>> = {
  [common.DocumentType.RESIDENT_ID_CARD]: {
    zh: '居民身份证正反面照片',
    en: 'photos of both sides of your resident ID card',
  },
  [common.DocumentType.PASSPORT]: { zh: '护照照片页', en: 'a photo of your passport photo page' },
  [common.DocumentType.HK_MACAO_TRAVEL_PERMIT]: {
    zh: '港澳居民来往内地通行证正反面照片',
    en: 'photos of both sides of your Mainland Travel Permit for Hong Kong and Macao Residents',
  },
  [common.DocumentType.TAIWAN_TRAVEL_PERMIT]: {
    zh: '台湾居民来往大陆通行证正反面照片',
    en: 'photos of both sides of your Mainland Travel Permit for Taiwan Residents',
  },
  [common.DocumentType.DUTY_PAYMENT_PROOF]: { zh: '关税缴纳凭证', en: 'proof that duties were paid' },
  [common.DocumentType.PROOF_OF_VALUE]: {
    zh: '订单或发票（证明申报价值）',
    en: 'the order confirmation or invoice showing the declared value',
  },
};

/** The requested documents as one phrase; the ID card when the case names none (the common hold). */
export function documentsPhrase(documents: readonly common.DocumentType[], language: Language): string {
  const known = documents.map((d) => DOCUMENTS[d]?.[language]).filter((d): d is string => d !== undefined);
  const list = known.length > 0 ? known : [DOCUMENTS[common.DocumentType.RESIDENT_ID_CARD]![language]];
  if (language === 'zh') return list.join('、');
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/**
 * Formatters per time zone, made once: building an Intl.DateTimeFormat loads ICU data for its
 * zone and locale and cost ~2 % of notification's CPU under the scan load (two per task created,
 * more per message rendered), far more than formatting with it.
 */
const deadlineFormats = new Map<string, { parts: Intl.DateTimeFormat; month: Intl.DateTimeFormat }>();

function deadlineFormatOf(timeZone: string) {
  let format = deadlineFormats.get(timeZone);
  if (!format) {
    format = {
      parts: new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'shortOffset',
      }),
      month: new Intl.DateTimeFormat('en-GB', { timeZone, month: 'short' }),
    };
    // zones come from the directory (a few per deployment, ~400 exist); an invalid one throws before it is kept
    deadlineFormats.set(timeZone, format);
  }
  return format;
}

/** A deadline in the property's local time, the way each language writes dates. */
export function formatDeadline(deadline: Date, language: Language, timeZone: string): string {
  const format = deadlineFormatOf(timeZone);
  const parts = format.parts.formatToParts(deadline);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  // Newer ICU data writes UTC as "GMT+0"; residents read the same "GMT" whatever Node runs.
  const offset = part('timeZoneName').replace(/^GMT[+-]0(?::00)?$/, 'GMT');
  const time = `${part('hour')}:${part('minute')}`;
  if (language === 'zh') return `${part('year')}年${part('month')}月${part('day')}日 ${time}（${offset}）`;
  const month = format.month.format(deadline);
  return `${part('day')} ${month} ${part('year')}, ${time} (${offset})`;
}
