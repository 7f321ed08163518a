import type { Language } from '../upload-requests/upload-request';

/**
 * The separate, explicit consent (PIPL art. 29/39 style) a resident gives before uploading: what the
 * document is for, who receives it, how long it is kept. The text is versioned in the repository;
 * a consent records the version the resident saw, so a changed text never covers old consents.
 */
export const CONSENT_TEXT_VERSION = '2026-12-02.1';

export interface ConsentTerms {
  readonly purpose: string;
  /** The carrier (its code) the document is relayed to. */
  readonly recipient: string;
  readonly retentionDays: number;
}

export function consentText(lang: Language, terms: ConsentTerms, carrierLabel: string): string {
  return lang === 'zh'
    ? `我同意将我的身份证件照片仅用于本包裹的清关（${terms.purpose === 'customs_clearance' ? '海关清关' : terms.purpose}），` +
        `提供给${carrierLabel}及其报关代理，在清关完成或结束后最多保存 ${terms.retentionDays} 天后销毁。` +
        '我可以随时撤回同意，撤回后证件将立即删除。'
    : `I agree that my ID document photos are used only to clear this parcel through customs, ` +
        `are given to ${carrierLabel} and its customs broker, and are destroyed at most ${terms.retentionDays} days ` +
        'after clearance ends. I can withdraw this consent at any time, and the documents are then deleted at once.';
}

export interface Consent {
  readonly id: string;
  readonly requestId: string;
  readonly textVersion: string;
  readonly terms: ConsentTerms;
  readonly language: Language;
  readonly givenAt: Date;
  readonly withdrawnAt: Date | null;
}
