import type { RejectionReasonName } from '@portico/contracts';
import type { Language } from '../../directory/directory.types';

/**
 * What went wrong with the previous upload and what to do differently, per rejection reason
 * (libs/contracts document-names): the re-upload message says exactly this, not "try again".
 */
export const REJECTION_ADVICE: Readonly<Record<RejectionReasonName, Readonly<Record<Language, string>>>> = {
  unreadable: {
    zh: '照片模糊或反光，无法看清。请在光线充足处、不开闪光灯重新拍摄，确保文字清晰。',
    en: 'the photo was blurred or had glare. Please take it again in good light without flash, so all text is sharp.',
  },
  wrong_document: {
    zh: '上传的不是所要求的证件。请上传所要求的证件照片。',
    en: 'the photo was not of the requested document. Please upload the document that was asked for.',
  },
  side_missing: {
    zh: '缺少证件的正面或反面。请同时上传正面和反面。',
    en: 'one side of the document was missing. Please upload both the front and the back.',
  },
  expired: {
    zh: '证件已过期。请上传有效期内的证件。',
    en: 'the document has expired. Please upload a document that is still valid.',
  },
  name_mismatch: {
    zh: '证件上的姓名与运单收件人姓名不一致。请上传收件人本人的证件。',
    en: 'the name on the document does not match the recipient on the waybill. Please upload the recipient’s own document.',
  },
  incomplete: {
    zh: '证件未完整拍入画面。请让证件四角全部出现在照片中。',
    en: 'the document was cut off. Please make sure all four corners are inside the photo.',
  },
  suspected_tampering: {
    zh: '照片疑似经过编辑。请上传未经修改的原始照片。',
    en: 'the photo appeared to be edited. Please upload an original, unedited photo.',
  },
  other: {
    zh: '证件未能通过审核。如有疑问请联系物业管家。',
    en: 'the documents could not be accepted. Please contact your steward if anything is unclear.',
  },
};

export function rejectionAdvice(reasons: readonly string[], language: Language): string[] {
  const known = reasons.filter((r): r is RejectionReasonName => r in REJECTION_ADVICE);
  const list = known.length > 0 ? known : (['other'] as const);
  return [...new Set(list)].map((r) => REJECTION_ADVICE[r][language]);
}
