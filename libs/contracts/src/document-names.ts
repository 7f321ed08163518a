import * as common from './domains/common';

/**
 * Document types and rejection reasons by name, as services store them and APIs show them, each
 * with its contract enum: one table for the platform, so clearance and id-vault can never disagree
 * on what `passport` or `name_mismatch` means on the wire.
 */
export const DOCUMENT_TYPES = [
  'resident_id_card',
  'passport',
  'hk_macao_travel_permit',
  'taiwan_travel_permit',
  'duty_payment_proof',
  'proof_of_value',
] as const;
export type DocumentTypeName = (typeof DOCUMENT_TYPES)[number];

const DOCUMENT_TYPE: Readonly<Record<DocumentTypeName, common.DocumentType>> = {
  resident_id_card: common.DocumentType.RESIDENT_ID_CARD,
  passport: common.DocumentType.PASSPORT,
  hk_macao_travel_permit: common.DocumentType.HK_MACAO_TRAVEL_PERMIT,
  taiwan_travel_permit: common.DocumentType.TAIWAN_TRAVEL_PERMIT,
  duty_payment_proof: common.DocumentType.DUTY_PAYMENT_PROOF,
  proof_of_value: common.DocumentType.PROOF_OF_VALUE,
};

export function documentTypeToContract(t: DocumentTypeName): common.DocumentType {
  return DOCUMENT_TYPE[t];
}

/** Undefined for UNSPECIFIED or a type added to the contract after this build: never guessed. */
export function documentTypeFromContract(t: common.DocumentType): DocumentTypeName | undefined {
  return DOCUMENT_TYPES.find((name) => DOCUMENT_TYPE[name] === t);
}

export const REJECTION_REASONS = [
  'unreadable',
  'wrong_document',
  'side_missing',
  'expired',
  'name_mismatch',
  'incomplete',
  'suspected_tampering',
  'other',
] as const;
export type RejectionReasonName = (typeof REJECTION_REASONS)[number];

const REJECTION_REASON: Readonly<Record<RejectionReasonName, common.DocumentRejectionReason>> = {
  unreadable: common.DocumentRejectionReason.UNREADABLE,
  wrong_document: common.DocumentRejectionReason.WRONG_DOCUMENT,
  side_missing: common.DocumentRejectionReason.SIDE_MISSING,
  expired: common.DocumentRejectionReason.EXPIRED,
  name_mismatch: common.DocumentRejectionReason.NAME_MISMATCH,
  incomplete: common.DocumentRejectionReason.INCOMPLETE,
  suspected_tampering: common.DocumentRejectionReason.SUSPECTED_TAMPERING,
  other: common.DocumentRejectionReason.OTHER,
};

export function rejectionReasonToContract(reason: RejectionReasonName): common.DocumentRejectionReason {
  return REJECTION_REASON[reason];
}

/** UNSPECIFIED or a reason added to the contract after this build is still a rejection: `other`. */
export function rejectionReasonFromContract(reason: common.DocumentRejectionReason): RejectionReasonName {
  return REJECTION_REASONS.find((r) => REJECTION_REASON[r] === reason) ?? 'other';
}
