import { common, type DigestKey } from '@portico/contracts';
import { isCardExpired, parseCardExpiry, type CardValidity } from './card-expiry';
import { DEFAULT_ASPECT_TOLERANCE, matchesCardAspect } from './card-shape';
import type { CheckFailure } from './check-codes';
import { DocumentCheckInputError } from './check-input-error';
import { checkIdNumber } from './id-number';
import { DEFAULT_IMAGE_LIMITS, normaliseImage, type ImageLimits } from './image-normaliser';
import { nameMatchesWaybill } from './name-match';
import { DEFAULT_MIN_SHARPNESS, isSharpEnough } from './sharpness';
import { checkSides, isId1Card } from './side-requirements';

export { toProtoCheckCode, toProtoCheckFailure, DOCUMENT_CHECK_CODES } from './check-codes';
export type { CheckFailure, DocumentCheckCode } from './check-codes';
export { CHECK_MESSAGES, describeFailure, type CheckMessage, type LocalisedText } from './check-messages';
export { DocumentCheckInputError } from './check-input-error';
// For the controller's own validation of the typed date before it calls runDocumentChecks.
export { parseCardExpiry } from './card-expiry';

/**
 * The one entry point the upload controller calls: every automatic check for one submission, all
 * failures at once so the resident fixes everything in one retry instead of discovering problems one
 * upload at a time. The only early stop is per side: a side whose bytes cannot be decoded gets its
 * decoding failure and no image measures (there is nothing to measure).
 *
 * Free of I/O apart from CPU work in sharp: no clock (the reference instant is passed in), no
 * storage, no logging. Failures carry codes and sides only (see check-codes.ts).
 */
export interface DocumentCheckConfig extends ImageLimits {
  /** Laplacian variance below which a side is BLURRY. */
  readonly minSharpness: number;
  /** Relative tolerance around the ID-1 ratio 1.586. */
  readonly cardAspectTolerance: number;
}

export const DEFAULT_DOCUMENT_CHECK_CONFIG: DocumentCheckConfig = {
  ...DEFAULT_IMAGE_LIMITS,
  minSharpness: DEFAULT_MIN_SHARPNESS,
  cardAspectTolerance: DEFAULT_ASPECT_TOLERANCE,
};

export interface SubmittedSide {
  readonly side: common.DocumentSide;
  readonly bytes: Uint8Array;
}

export interface DocumentSubmission {
  /** The document type the upload request asked for, which this submission answers. */
  readonly requestedType: common.DocumentType;
  /** What the resident said they are sending, when the page asks; else the requested type. */
  readonly declaredType?: common.DocumentType;
  readonly sides: readonly SubmittedSide[];
  /** Fields the resident typed; each check runs only when its field is present and non-blank. */
  readonly typed?: {
    /** GB 11643 number; checked for resident ID cards only (other documents use other numbering). */
    readonly idNumber?: string;
    /** Validity end date as printed; checked for identity documents, not for receipts. */
    readonly cardExpiry?: string;
    readonly name?: string;
  };
}

export interface DocumentCheckContext {
  readonly config?: DocumentCheckConfig;
  /**
   * The instant the card must still be valid at and the birth date must not be after: now, or the
   * case deadline when the card must survive until customs clears. The caller decides.
   */
  readonly reference: Date;
  /** The waybill recipient name's keyed digest, if the vault has one for this parcel. */
  readonly waybillNameDigest?: common.KeyedDigest;
  /** Recipient digest keys (current and still-accepted previous ones). */
  readonly digestKeys: readonly DigestKey[];
}

export interface CheckedSide {
  readonly side: common.DocumentSide;
  /** The normalised JPEG: upright, metadata-free, long side bounded. The only bytes to store. */
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  readonly sharpness: number;
}

export type DocumentCheckResult =
  | { readonly ok: true; readonly sides: readonly CheckedSide[] }
  | { readonly ok: false; readonly failures: readonly CheckFailure[] };

const IDENTITY_DOCUMENTS = new Set<common.DocumentType>([
  common.DocumentType.RESIDENT_ID_CARD,
  common.DocumentType.PASSPORT,
  common.DocumentType.HK_MACAO_TRAVEL_PERMIT,
  common.DocumentType.TAIWAN_TRAVEL_PERMIT,
]);

export async function runDocumentChecks(
  submission: DocumentSubmission,
  context: DocumentCheckContext,
): Promise<DocumentCheckResult> {
  const config = context.config ?? DEFAULT_DOCUMENT_CHECK_CONFIG;
  const { requestedType, typed = {} } = submission;

  // Malformed input is refused before any image work, so a 400 costs no decoding.
  const failures: CheckFailure[] = checkSides(
    requestedType,
    submission.declaredType,
    submission.sides.map((s) => s.side),
  );
  const validity =
    present(typed.cardExpiry) && IDENTITY_DOCUMENTS.has(requestedType)
      ? parseExpiry(typed.cardExpiry)
      : undefined;

  const checked: CheckedSide[] = [];
  // Both sides at once: the resident waits on the slower one, not on their sum. Peak memory stays
  // bounded because the service admits only a few uploads at a time (UploadGate from @portico/images), and
  // each decode is already shrunk to the stored size on load.
  const images = await Promise.all(submission.sides.map(({ bytes }) => normaliseImage(bytes, config)));
  for (const [i, { side }] of submission.sides.entries()) {
    const image = images[i]!;
    if (!image.ok) {
      failures.push({ code: image.code, side });
      continue;
    }
    if (!isSharpEnough(image.sharpness, config.minSharpness)) failures.push({ code: 'blurry', side });
    if (isId1Card(requestedType) && !matchesCardAspect(image.cardShape, config.cardAspectTolerance)) {
      failures.push({ code: 'card_aspect_ratio', side });
    }
    checked.push({
      side,
      jpeg: image.jpeg,
      width: image.width,
      height: image.height,
      sharpness: image.sharpness,
    });
  }

  if (present(typed.idNumber) && requestedType === common.DocumentType.RESIDENT_ID_CARD) {
    for (const code of checkIdNumber(typed.idNumber, context.reference)) failures.push({ code });
  }
  if (validity && isCardExpired(validity, context.reference)) failures.push({ code: 'card_expired' });
  // No digest means the waybill carried no name to compare with: nothing to check, not a mismatch.
  if (present(typed.name) && context.waybillNameDigest) {
    if (!nameMatchesWaybill(typed.name, context.waybillNameDigest, context.digestKeys)) {
      failures.push({ code: 'name_mismatch' });
    }
  }

  return failures.length > 0 ? { ok: false, failures } : { ok: true, sides: checked };
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/**
 * The page validates the date's format before sending; text that still does not parse is a
 * malformed request, not an expired card, so it is not reported as CARD_EXPIRED.
 */
function parseExpiry(text: string): CardValidity {
  const validity = parseCardExpiry(text);
  if (!validity) throw new DocumentCheckInputError('cardExpiry', 'is not a date or 长期/long-term');
  return validity;
}
