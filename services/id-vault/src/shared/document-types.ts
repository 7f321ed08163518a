import { common } from '@portico/contracts';

/**
 * Document sides in the vault's own words (database columns, API bodies, form fields), each with its
 * contract enum, and which sides a document type has.
 */
// Document type names and their contract enums are the platform's (libs/contracts, shared with clearance).
export {
  DOCUMENT_TYPES,
  documentTypeFromContract,
  documentTypeToContract,
  type DocumentTypeName,
} from '@portico/contracts';
import type { DocumentTypeName } from '@portico/contracts';

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
