// Associated data (AAD) for AES-GCM: the facts a ciphertext is bound to. GCM authenticates them
// without storing them, so a record decrypts only when the reader asks for exactly the document,
// version and side (or KEK) it was written for: a blob or wrapped key copied to another row fails.
//
// The encoding is canonical and unambiguous: a purpose label, a format number, then every field as
// a 4-byte big-endian length followed by its UTF-8 bytes. No separator can be forged by a field
// value, and a change of layout gets a new format number instead of silently meaning something else.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The vault's own ids: `doc_` + 32 hex digits of a UUIDv7 (shared/ids.ts). */
const PREFIXED_ID = /^[a-z]{2,8}_[0-9a-f]{32}$/;
const SIDE = /^[a-z][a-z0-9_-]{0,31}$/;
const MAX_VERSION = 2_147_483_647; // the `int` column

export const AAD_FORMAT = 1;

/** One document version: the unit a data key belongs to. */
export interface DocumentVersionRef {
  readonly documentId: string;
  readonly version: number;
}

/** One stored part of a document version (`front`, `back`, `photo`...). */
export interface ContentRef extends DocumentVersionRef {
  readonly side: string;
}

/**
 * Validates and canonicalises a reference (lower-case uuid or `doc_<hex>` id) so that the same document always gives
 * the same AAD bytes, whichever way the caller spelled its id. Messages name the field, not the value.
 */
export function versionRef(documentId: string, version: number): DocumentVersionRef {
  const id = typeof documentId === 'string' ? documentId.toLowerCase() : '';
  if (!UUID.test(id) && !PREFIXED_ID.test(id))
    throw new TypeError('documentId must be a uuid or a prefixed vault id');
  if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new TypeError('version must be a positive 32-bit integer');
  }
  return { documentId: id, version };
}

export function contentRef(documentId: string, version: number, side: string): ContentRef {
  if (typeof side !== 'string' || !SIDE.test(side)) {
    throw new TypeError('side must be 1-32 characters of a-z, 0-9, "_" or "-", starting with a letter');
  }
  return { ...versionRef(documentId, version), side };
}

function encode(purpose: string, fields: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of [purpose, String(AAD_FORMAT), ...fields.map(String)]) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/**
 * AAD of a wrapped data key: the KEK id and the document version. Rewrapping under another KEK
 * makes new AAD along with the new wrapped bytes; the content ciphertext is not involved.
 */
export function dataKeyAad(kekId: string, ref: DocumentVersionRef): Buffer {
  return encode('portico.id-vault.data-key', [kekId, ref.documentId, ref.version]);
}

/**
 * AAD of content: document id, version and side. The KEK id is deliberately not in it: it is bound
 * where it belongs, in the wrapped key's AAD. Were it here, every KEK rotation would have to
 * re-encrypt every blob, which is the very cost envelope encryption exists to avoid; and it would
 * add nothing, since the data key itself only comes out of a wrapped key bound to this version.
 */
export function contentAad(ref: ContentRef): Buffer {
  return encode('portico.id-vault.content', [ref.documentId, ref.version, ref.side]);
}
