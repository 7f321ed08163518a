import { common } from '@portico/contracts';

/**
 * Document types and sides in the vault's own words (database columns, API bodies), each with its
 * contract enum. Unknown contract values (added after this build) map to undefined, never guessed.
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

const TYPE_TO_CONTRACT: Readonly<Record<DocumentTypeName, common.DocumentType>> = {
  resident_id_card: common.DocumentType.RESIDENT_ID_CARD,
  passport: common.DocumentType.PASSPORT,
  hk_macao_travel_permit: common.DocumentType.HK_MACAO_TRAVEL_PERMIT,
  taiwan_travel_permit: common.DocumentType.TAIWAN_TRAVEL_PERMIT,
  duty_payment_proof: common.DocumentType.DUTY_PAYMENT_PROOF,
  proof_of_value: common.DocumentType.PROOF_OF_VALUE,
};

export function documentTypeToContract(t: DocumentTypeName): common.DocumentType {
  return TYPE_TO_CONTRACT[t];
}

export function documentTypeFromContract(t: common.DocumentType): DocumentTypeName | undefined {
  return DOCUMENT_TYPES.find((name) => TYPE_TO_CONTRACT[name] === t);
}

export const DOCUMENT_SIDES = ['front', 'back', 'single_page'] as const;
export type DocumentSideName = (typeof DOCUMENT_SIDES)[number];

const SIDE_TO_CONTRACT: Readonly<Record<DocumentSideName, common.DocumentSide>> = {
  front: common.DocumentSide.FRONT,
  back: common.DocumentSide.BACK,
  single_page: common.DocumentSide.SINGLE_PAGE,
};

export function documentSideToContract(s: DocumentSideName): common.DocumentSide {
  return SIDE_TO_CONTRACT[s];
}

/** Sides a document type is made of: an ID card has two, a passport's photo page is one. */
export function sidesOf(t: DocumentTypeName): readonly DocumentSideName[] {
  return t === 'resident_id_card' || t === 'hk_macao_travel_permit' || t === 'taiwan_travel_permit'
    ? ['front', 'back']
    : ['single_page'];
}
