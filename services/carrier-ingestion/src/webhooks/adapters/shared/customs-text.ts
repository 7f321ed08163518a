import type { CustomsHoldReason } from '../../tracking-update';

/**
 * How aggregators' free-text checkpoint messages (AfterShip, EasyPost) are read for customs: their
 * codes say "exception" or "in transit" while the message says "held by customs: ID required".
 * One reading for every adapter that needs it, in English and Chinese.
 */

// "ID" only as an upper-case word: a lower-case "id" is too common to mean identity documents.
export const ID_DOCUMENTS = /\bI\.D\.|\bidentity\b|\bidentification\b|\bpassport\b|身份证|实名|证件/iu;
export const ID_WORD = /\bID\b/u;
export const DUTIES = /\bdut(?:y|ies)\b|\btax(?:es)?\b|\bVAT\b|\bGST\b|关税|税费|税款|缴税|付税|税金/iu;
export const INSPECTION = /\binspect|\bexamin|\bx-ray|查验|检查|开箱/iu;
export const CUSTOMS = /\bcustoms?\b|\bclearance\b|海关|清关|报关|通关|实名|身份证/iu;
export const HOLD =
  /\bhold\b|\bheld\b|\bdetain|\brequire|\bawaiting\b|\bpending\b|\bsuspend|扣留|暂扣|滞留|需要|请提供|待/iu;

/** Why customs holds the parcel, from the checkpoint message; `other` when it does not say. */
export function customsHoldReasonOf(message: string): CustomsHoldReason {
  if (ID_WORD.test(message) || ID_DOCUMENTS.test(message)) return 'id_documents_required';
  if (DUTIES.test(message)) return 'duties_unpaid';
  if (INSPECTION.test(message)) return 'inspection';
  return 'other';
}

/**
 * A customs hold named by a message filed under a non-customs sub-status, or undefined: the message
 * must mention customs (or duties) and either a specific reason or a hold, so that "Customs
 * clearance started" stays in transit while "Held by customs: recipient ID required" is a hold.
 */
export function customsHoldIn(message: string): CustomsHoldReason | undefined {
  if (!CUSTOMS.test(message) && !DUTIES.test(message)) return undefined;
  const reason = customsHoldReasonOf(message);
  if (reason !== 'other' || HOLD.test(message)) return reason;
  return undefined;
}
