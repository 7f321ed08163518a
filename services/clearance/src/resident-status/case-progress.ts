import { DOCUMENT_SIDES, type DocumentSide, type DocumentTypeName, type HoldReason } from '../cases/case';
import { isTerminal, type CaseState } from '../cases/case-state';

/**
 * What a resident sees of a case: its steps and what to do next, in Chinese and English. Pure (the
 * clock comes in as `now`), so every state's wording is pinned by case-progress.spec.ts.
 *
 * The texts speak to the resident, not to staff: "we are checking your documents", never a state
 * name. They name documents by what the resident holds in hand (the front and back of the card),
 * because the usual failure of the manual process was a wrong or one-sided photo.
 */

export interface Localized {
  readonly zh: string;
  readonly en: string;
}

export const STEP_CODES = [
  'held_by_customs',
  'documents_needed',
  'documents_received',
  'review',
  'sent_to_carrier',
  'cleared',
  'deadline_passed',
  'returned_to_sender',
  'cancelled',
] as const;
export type StepCode = (typeof STEP_CODES)[number];

/** `skipped`: a step the case ended without passing through (released before any upload, say). */
export type StepStatus = 'done' | 'current' | 'upcoming' | 'skipped';

export const NEXT_ACTIONS = [
  'upload_documents',
  'wait_for_review',
  'upload_again',
  'nothing',
  'contact_front_desk',
] as const;
export type NextActionCode = (typeof NEXT_ACTIONS)[number];

export interface Step {
  readonly code: StepCode;
  readonly status: StepStatus;
  readonly label: Localized;
}

export interface DocumentNeed {
  readonly type: DocumentTypeName;
  readonly sides: readonly DocumentSide[];
  readonly label: Localized;
}

export interface NextAction {
  readonly code: NextActionCode;
  readonly text: Localized;
  /** What to upload; empty unless the action is an upload. */
  readonly documents: readonly DocumentNeed[];
  /** When the upload is due; null unless the action is an upload. */
  readonly deadline: string | null;
}

export interface CaseProgress {
  readonly steps: readonly Step[];
  readonly nextAction: NextAction;
}

export interface ProgressInput {
  readonly state: CaseState;
  readonly requiredDocuments: readonly DocumentTypeName[];
  /** Every state the case has been in (its history's `to` states). */
  readonly visited: readonly CaseState[];
  readonly deadline: Date;
  readonly now: Date;
}

const STEP_LABELS: Readonly<Record<StepCode, Localized>> = {
  held_by_customs: { zh: '海关扣留', en: 'Held by customs' },
  documents_needed: { zh: '需要提交证件', en: 'Documents needed' },
  documents_received: { zh: '证件已收到', en: 'Documents received' },
  review: { zh: '审核', en: 'Review' },
  sent_to_carrier: { zh: '已提交承运商清关', en: 'Sent to the carrier for clearance' },
  cleared: { zh: '已清关放行', en: 'Cleared by customs' },
  deadline_passed: { zh: '已超过截止时间', en: 'Deadline passed' },
  returned_to_sender: { zh: '已退回寄件人', en: 'Returned to the sender' },
  cancelled: { zh: '已撤销', en: 'Withdrawn' },
};

export const DOCUMENT_LABELS: Readonly<Record<DocumentTypeName, Localized>> = {
  resident_id_card: { zh: '居民身份证（正面和背面）', en: 'resident ID card, front and back' },
  passport: { zh: '护照（个人信息页）', en: 'passport, photo page' },
  hk_macao_travel_permit: {
    zh: '港澳居民来往内地通行证（正面和背面）',
    en: 'Mainland Travel Permit for Hong Kong and Macao Residents, front and back',
  },
  taiwan_travel_permit: {
    zh: '台湾居民来往大陆通行证（正面和背面）',
    en: 'Mainland Travel Permit for Taiwan Residents, front and back',
  },
  duty_payment_proof: { zh: '关税缴纳凭证', en: 'proof that the duties were paid' },
  proof_of_value: {
    zh: '申报价值证明（发票或订单确认）',
    en: 'proof of the declared value (invoice or order confirmation)',
  },
};

export const HOLD_REASON_LABELS: Readonly<Record<HoldReason, Localized>> = {
  id_documents_required: { zh: '海关要求提供身份证明', en: 'Customs needs proof of identity' },
  duties_unpaid: { zh: '关税未缴纳', en: 'Duties have not been paid' },
  inspection: { zh: '海关查验', en: 'Customs inspection' },
  other: { zh: '海关扣留', en: 'Held by customs' },
};

const WITH_DOCUMENTS: readonly StepCode[] = [
  'held_by_customs',
  'documents_needed',
  'documents_received',
  'review',
  'sent_to_carrier',
  'cleared',
];
// An inspection (or any hold whose policy names no documents): nothing happens between the two.
const WITHOUT_DOCUMENTS: readonly StepCode[] = ['held_by_customs', 'cleared'];

const STEP_OF_STATE: Readonly<Record<CaseState, StepCode>> = {
  opened: 'held_by_customs',
  awaiting_documents: 'documents_needed',
  // A rejection sends the resident back to the upload: the same step, with its own next action.
  rejected: 'documents_needed',
  documents_received: 'documents_received',
  under_review: 'review',
  submitted_to_carrier: 'sent_to_carrier',
  cleared: 'cleared',
  expired: 'deadline_passed',
  returned_to_sender: 'returned_to_sender',
  cancelled: 'cancelled',
};

export function progressOf(input: ProgressInput): CaseProgress {
  return { steps: stepsOf(input), nextAction: nextActionOf(input) };
}

/**
 * Open case: steps before the current one are done, later ones upcoming (after a rejection the
 * review steps are upcoming again). Closed case: a step is done when the case went through it and
 * skipped otherwise, and a case that ended without clearance ends on how it ended instead.
 */
export function stepsOf(input: ProgressInput): Step[] {
  const path = input.requiredDocuments.length > 0 ? WITH_DOCUMENTS : WITHOUT_DOCUMENTS;
  const here = STEP_OF_STATE[input.state];
  const step = (code: StepCode, status: StepStatus): Step => ({ code, status, label: STEP_LABELS[code] });

  if (!isTerminal(input.state)) {
    const current = path.indexOf(here);
    return path.map((code, i) => step(code, i < current ? 'done' : i === current ? 'current' : 'upcoming'));
  }
  const passed = new Set([...input.visited, input.state].map((s) => STEP_OF_STATE[s]));
  const ended = input.state === 'cleared' ? path : [...path.filter((c) => c !== 'cleared'), here];
  return ended.map((code) => step(code, passed.has(code) ? 'done' : 'skipped'));
}

export function nextActionOf(input: ProgressInput): NextAction {
  const overdue = input.now.getTime() >= input.deadline.getTime();
  switch (input.state) {
    case 'opened':
      // Documents are requested in the same transaction that opens a case; until then, nothing is asked.
      return plain('nothing', {
        zh: '您的包裹正在接受海关检查，目前无需您做任何事。如需材料，我们会通知您。',
        en: 'Customs is checking your parcel. There is nothing for you to do now; we will tell you if anything is needed.',
      });
    case 'awaiting_documents':
      return overdue ? overdueAction() : upload('upload_documents', input);
    case 'rejected':
      return overdue ? overdueAction() : upload('upload_again', input);
    case 'documents_received':
    case 'under_review':
      return plain('wait_for_review', {
        zh: '我们已收到您的证件，正在审核。无需再次上传，审核完成后会通知您。',
        en: 'We have your documents and are checking them. You do not need to upload them again; we will tell you when the check is done.',
      });
    case 'submitted_to_carrier':
      return plain('wait_for_review', {
        zh: '您的证件已提交承运商用于清关，正在等待海关审核。目前无需您做任何事。',
        en: 'Your documents were sent to the carrier for customs clearance and are waiting for customs. There is nothing for you to do now.',
      });
    case 'cleared':
      return plain('nothing', {
        zh: '您的包裹已清关放行，承运商将继续派送。无需您做任何事。',
        en: 'Your parcel has been cleared by customs and the carrier will deliver it. There is nothing for you to do.',
      });
    case 'expired':
      return plain('contact_front_desk', {
        zh: '清关截止时间已过。请尽快联系前台，了解您的包裹接下来如何处理。',
        en: 'The customs deadline has passed. Please contact the front desk soon to find out what happens to your parcel.',
      });
    case 'returned_to_sender':
      return plain('contact_front_desk', {
        zh: '您的包裹正在退回寄件人。如有疑问，请联系前台。',
        en: 'Your parcel is being returned to the sender. Please contact the front desk if you have questions.',
      });
    case 'cancelled':
      return plain('nothing', {
        zh: '此清关请求已撤销，无需您做任何事。如有疑问，请联系前台。',
        en: 'This clearance request was withdrawn. There is nothing for you to do; contact the front desk if you have questions.',
      });
  }
}

function plain(code: NextActionCode, text: Localized): NextAction {
  return { code, text, documents: [], deadline: null };
}

// The case is still open but its deadline has passed (the expiry timer fires shortly): uploading on
// one's own may be too late, and the front desk can still ask the carrier for more time.
function overdueAction(): NextAction {
  return plain('contact_front_desk', {
    zh: '上传截止时间已过。请立即联系前台：尽快处理，包裹仍有可能放行。',
    en: 'The upload deadline has passed. Contact the front desk right away: the parcel may still be released if you act quickly.',
  });
}

function upload(code: 'upload_documents' | 'upload_again', input: ProgressInput): NextAction {
  const documents = documentNeeds(input.requiredDocuments);
  const zhList = documents.map((d) => d.label.zh).join('、');
  const enList = documents.map((d) => d.label.en).join('; ');
  const due = formatDeadline(input.deadline);
  const text: Localized =
    code === 'upload_documents'
      ? {
          zh: `请在${due.zh}前，通过收到的安全上传链接上传以下证件的清晰照片：${zhList}。`,
          en: `Please upload clear photos of the following through the secure upload link you received, by ${due.en}: ${enList}.`,
        }
      : {
          zh: `您上次提交的证件未通过审核。请在${due.zh}前重新上传以下证件的清晰、完整照片：${zhList}。`,
          en: `The documents you sent could not be accepted. Please upload new, clear and complete photos by ${due.en}: ${enList}.`,
        };
  return { code, text, documents, deadline: input.deadline.toISOString() };
}

export function documentNeeds(types: readonly DocumentTypeName[]): DocumentNeed[] {
  return [...new Set(types)].map((type) => ({
    type,
    sides: DOCUMENT_SIDES[type],
    label: DOCUMENT_LABELS[type],
  }));
}

const UTC8_MS = 8 * 3_600_000;

/**
 * The deadline in China Standard Time, with the zone spelt out. Clearance does not know the
 * property's time zone (notification's directory does), and every property with identity holds is
 * in mainland China today; the machine-readable `deadline` lets a page show local time instead.
 * Formatted by hand so the text does not depend on the ICU data of the Node build.
 */
export function formatDeadline(deadline: Date): Localized {
  const t = new Date(deadline.getTime() + UTC8_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  const [y, mo, d, h, mi] = [
    t.getUTCFullYear(),
    t.getUTCMonth() + 1,
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
  ];
  return {
    zh: `${y}年${mo}月${d}日 ${pad(h)}:${pad(mi)}（北京时间）`,
    en: `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)} China Standard Time (UTC+8)`,
  };
}

export type Language = 'zh' | 'en';

/**
 * The resident's language from Accept-Language: the zh or en range with the highest q (ties: the
 * first listed); Chinese when neither is asked for. Chinese is the default because residents with
 * identity holds live in mainland China, and the page that shows this (notification's) sends the
 * resident's own language from the directory. Both languages are in the body anyway.
 */
export function preferredLanguage(acceptLanguage: string | undefined): Language {
  let best: { language: Language; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const language =
      range === 'zh' || range.startsWith('zh-')
        ? 'zh'
        : range === 'en' || range.startsWith('en-')
          ? 'en'
          : undefined;
    if (!language) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { language, q };
  }
  return best?.language ?? 'zh';
}
