import type { FastifyRequest } from 'fastify';
import { evidenceRejected, evidenceUploadMalformed } from './evidence-errors';
import { EVIDENCE_KINDS, EVIDENCE_SUBJECTS, type EvidenceKind, type EvidenceSubject } from './evidence-intake';

export interface EvidenceUploadForm {
  readonly kind: EvidenceKind;
  readonly subject: EvidenceSubject;
  readonly bytes: Buffer;
}

/**
 * Reads one evidence upload (`multipart/form-data`: `kind`, optional `subject`, one `file`) within
 * @fastify/multipart's limits, so an oversized file is refused with 413 while it streams in, not
 * after it was buffered whole. The file's name and declared Content-Type are ignored (the bytes
 * decide, see evidence-intake.ts) and never logged; errors name fields, never values.
 */
export async function readEvidenceUpload(req: FastifyRequest, claimId: string): Promise<EvidenceUploadForm> {
  if (!req.isMultipart()) throw evidenceUploadMalformed('not_multipart');
  let kind: EvidenceKind | undefined;
  let subject: EvidenceSubject = 'other';
  let bytes: Buffer | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || bytes) {
          await part.toBuffer();
          throw evidenceUploadMalformed(bytes ? 'more_than_one_file' : 'unexpected_file_field');
        }
        bytes = await part.toBuffer();
      } else if (part.fieldname === 'kind') {
        const v = String(part.value);
        if (!(EVIDENCE_KINDS as readonly string[]).includes(v)) throw evidenceUploadMalformed('unknown_kind');
        kind = v as EvidenceKind;
      } else if (part.fieldname === 'subject') {
        const v = String(part.value);
        if (!(EVIDENCE_SUBJECTS as readonly string[]).includes(v)) throw evidenceUploadMalformed('unknown_subject');
        subject = v as EvidenceSubject;
      } else {
        throw evidenceUploadMalformed('unexpected_field');
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw evidenceRejected('too_large', claimId);
    if (code?.startsWith('FST_')) throw evidenceUploadMalformed(code.toLowerCase());
    throw e;
  }
  if (!kind) throw evidenceUploadMalformed('kind_missing');
  if (!bytes || bytes.length === 0) throw evidenceUploadMalformed('file_missing');
  return { kind, subject, bytes };
}
