import { common } from '@portico/contracts';
import type { CheckFailure } from './check-codes';
import { DocumentCheckInputError } from './check-input-error';

const { DocumentSide, DocumentType } = common;

/**
 * Which sides each document type needs (documents.proto): two-sided cards need front and back (the
 * resident ID card's back has the issuing authority and validity; the permits' backs carry the
 * endorsements), everything else is a single page (a passport's photo page, a receipt).
 */
const CARD_SIDES: readonly common.DocumentSide[] = [DocumentSide.FRONT, DocumentSide.BACK];
const SINGLE_PAGE: readonly common.DocumentSide[] = [DocumentSide.SINGLE_PAGE];

export function requiredSides(type: common.DocumentType): readonly common.DocumentSide[] {
  switch (type) {
    case DocumentType.RESIDENT_ID_CARD:
    case DocumentType.HK_MACAO_TRAVEL_PERMIT:
    case DocumentType.TAIWAN_TRAVEL_PERMIT:
      return CARD_SIDES;
    case DocumentType.PASSPORT:
    case DocumentType.DUTY_PAYMENT_PROOF:
    case DocumentType.PROOF_OF_VALUE:
      return SINGLE_PAGE;
    default:
      throw new DocumentCheckInputError('requestedType', 'is not a known document type');
  }
}

/** ID-1 sized cards, whose photos are checked for the card's aspect ratio. */
export function isId1Card(type: common.DocumentType): boolean {
  return (
    type === DocumentType.RESIDENT_ID_CARD ||
    type === DocumentType.HK_MACAO_TRAVEL_PERMIT ||
    type === DocumentType.TAIWAN_TRAVEL_PERMIT
  );
}

/**
 * Missing sides and documents of the wrong kind, for one submission answering `requested`.
 *
 * - `declared` (what the resident said they are sending; the requested type when the page does not
 *   ask) differing from `requested` is WRONG_DOCUMENT_TYPE for the whole submission.
 * - A side that the requested type does not have (a "back" for a passport, a "single page" for an
 *   ID card) means the resident sent some other document: WRONG_DOCUMENT_TYPE for that side.
 * - Each required side not received is SIDE_MISSING for that side.
 *
 * A side given twice or left unspecified is a malformed request, not the resident's mistake, and is
 * thrown as DocumentCheckInputError.
 */
export function checkSides(
  requested: common.DocumentType,
  declared: common.DocumentType | undefined,
  received: readonly common.DocumentSide[],
): CheckFailure[] {
  const required = requiredSides(requested);
  if (new Set(received).size !== received.length) {
    throw new DocumentCheckInputError('sides', 'contain the same side twice');
  }
  if (received.includes(DocumentSide.UNSPECIFIED))
    throw new DocumentCheckInputError('sides', 'contain an unspecified side');

  const failures: CheckFailure[] = [];
  if (declared !== undefined && declared !== requested) failures.push({ code: 'wrong_document_type' });
  for (const side of received) {
    if (!required.includes(side)) failures.push({ code: 'wrong_document_type', side });
  }
  for (const side of required) {
    if (!received.includes(side)) failures.push({ code: 'side_missing', side });
  }
  return failures;
}
