import { create } from '@bufbuild/protobuf';
import { common, vault } from '@portico/contracts';

/**
 * The automatic checks' verdicts as a plain string union: domain code and tests read better with
 * 'blurry' than with a numeric enum, and the union cannot drift from the wire contract because
 * `toProtoCheckCode` below is an exhaustive record over it (one entry per proto value, checked by a
 * unit test both ways).
 */
export type DocumentCheckCode =
  | 'wrong_file_type'
  | 'unsupported_format'
  | 'too_large'
  | 'too_many_pixels'
  | 'corrupt'
  | 'blurry'
  | 'card_aspect_ratio'
  | 'id_number_checksum'
  | 'id_number_birth_date'
  | 'id_number_region'
  | 'card_expired'
  | 'name_mismatch'
  | 'side_missing'
  | 'wrong_document_type';

/**
 * One failed check. `side` is absent when the failure concerns the whole submission (a typed field,
 * a missing side is named by the side that is missing). Codes and sides only: never a value the
 * resident typed or any image data, so a failure can be logged, put in an event or shown as is.
 */
export interface CheckFailure {
  readonly code: DocumentCheckCode;
  readonly side?: common.DocumentSide;
}

const PROTO_CODES: Readonly<Record<DocumentCheckCode, vault.DocumentCheckCode>> = {
  wrong_file_type: vault.DocumentCheckCode.WRONG_FILE_TYPE,
  unsupported_format: vault.DocumentCheckCode.UNSUPPORTED_FORMAT,
  too_large: vault.DocumentCheckCode.TOO_LARGE,
  too_many_pixels: vault.DocumentCheckCode.TOO_MANY_PIXELS,
  corrupt: vault.DocumentCheckCode.CORRUPT,
  blurry: vault.DocumentCheckCode.BLURRY,
  card_aspect_ratio: vault.DocumentCheckCode.CARD_ASPECT_RATIO,
  id_number_checksum: vault.DocumentCheckCode.ID_NUMBER_CHECKSUM,
  id_number_birth_date: vault.DocumentCheckCode.ID_NUMBER_BIRTH_DATE,
  id_number_region: vault.DocumentCheckCode.ID_NUMBER_REGION,
  card_expired: vault.DocumentCheckCode.CARD_EXPIRED,
  name_mismatch: vault.DocumentCheckCode.NAME_MISMATCH,
  side_missing: vault.DocumentCheckCode.SIDE_MISSING,
  wrong_document_type: vault.DocumentCheckCode.WRONG_DOCUMENT_TYPE,
};

export const DOCUMENT_CHECK_CODES = Object.keys(PROTO_CODES) as readonly DocumentCheckCode[];

export function toProtoCheckCode(code: DocumentCheckCode): vault.DocumentCheckCode {
  return PROTO_CODES[code];
}

/** The failure as it goes into `DocumentChecksFailed.failures`; UNSPECIFIED side = whole submission. */
export function toProtoCheckFailure(failure: CheckFailure): vault.CheckFailure {
  return create(vault.CheckFailureSchema, {
    code: toProtoCheckCode(failure.code),
    side: failure.side ?? common.DocumentSide.UNSPECIFIED,
  });
}
