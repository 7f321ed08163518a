import type { FastifyRequest } from 'fastify';
import type { ArrivedSide, TypedFields } from '../documents/document-ports';
import {
  DOCUMENT_SIDES,
  DOCUMENT_TYPES,
  type DocumentSideName,
  type DocumentTypeName,
} from '../shared/document-types';
import { MalformedUploadError, UploadTooLargeError } from './resident-errors';

export interface ParsedUpload {
  readonly documentType: DocumentTypeName;
  readonly sides: ArrivedSide[];
  readonly typed: TypedFields;
}

const TYPED_FIELDS = ['idNumber', 'expiry', 'name'] as const;

/**
 * Reads the multipart upload into memory part by part, within @fastify/multipart's limits (bytes
 * per file, number of parts), so an oversized photo is refused with 413 while it streams in, not
 * after. Field values are personal data: they are returned, never logged, and errors name fields,
 * never values.
 */
export async function readUpload(req: FastifyRequest, maxBytes: number): Promise<ParsedUpload> {
  if (!req.isMultipart()) throw new MalformedUploadError('not_multipart');
  const sides: ArrivedSide[] = [];
  const typed: Record<string, string> = {};
  let documentType: DocumentTypeName | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (!(DOCUMENT_SIDES as readonly string[]).includes(part.fieldname)) {
          await part.toBuffer();
          throw new MalformedUploadError(`unexpected_file_${part.fieldname.slice(0, 20)}`);
        }
        const bytes = await part.toBuffer();
        if (bytes.length > 0) sides.push({ side: part.fieldname as DocumentSideName, bytes });
      } else if (part.fieldname === 'documentType') {
        const v = String(part.value);
        if (!(DOCUMENT_TYPES as readonly string[]).includes(v))
          throw new MalformedUploadError('unknown_document_type');
        documentType = v as DocumentTypeName;
      } else if ((TYPED_FIELDS as readonly string[]).includes(part.fieldname)) {
        const v = String(part.value).trim();
        if (v) typed[part.fieldname] = v;
      }
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new UploadTooLargeError(maxBytes);
    if ((e as { code?: string }).code?.startsWith('FST_'))
      throw new MalformedUploadError((e as { code: string }).code);
    throw e;
  }
  if (!documentType) throw new MalformedUploadError('document_type_missing');
  return { documentType, sides, typed };
}
