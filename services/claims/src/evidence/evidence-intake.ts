import { DEFAULT_IMAGE_LIMITS, normaliseToJpeg, type ImageFailureCode, type ImageLimits, type ImageType } from '@portico/images';
import { checkValueProofPdf, isPdfSignature, type PdfFailureCode } from './value-proof-pdf';

/**
 * What may be attached to a claim and how each upload is checked, before anything is stored.
 * Photos (damage, the parcel, its label) and value proof (an invoice or receipt photo, or a PDF
 * invoice). Images go through @portico/images — the same intake as id-vault's ID photos: type from
 * magic bytes, byte cap, pixel cap from the header before decoding, one decode, auto-rotate,
 * every metadata block (EXIF GPS) dropped, re-encoded as JPEG — so the stored bytes are ours, not
 * the uploader's. PDFs are accepted for value proof only (value-proof-pdf.ts). No I/O here.
 */
export const EVIDENCE_KINDS = ['photo', 'value_proof'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** What a photo shows / what a value proof is: a closed set, never free text (it could name people). */
export const EVIDENCE_SUBJECTS = ['damage', 'parcel', 'label', 'invoice', 'receipt', 'other'] as const;
export type EvidenceSubject = (typeof EVIDENCE_SUBJECTS)[number];

export type EvidenceRejection = ImageFailureCode | PdfFailureCode | 'pdf_not_value_proof';
export const EVIDENCE_REJECTIONS: readonly EvidenceRejection[] = [
  'too_large',
  'wrong_file_type',
  'unsupported_format',
  'too_many_pixels',
  'corrupt',
  'too_small',
  'pdf_active_content',
  'pdf_not_value_proof',
];

export interface AcceptedEvidence {
  readonly ok: true;
  readonly contentType: 'image/jpeg' | 'application/pdf';
  /** What the upload was before re-encoding (`pdf` is stored as uploaded). */
  readonly sourceType: ImageType | 'pdf';
  readonly bytes: Buffer;
  readonly width: number | null;
  readonly height: number | null;
}

export type EvidenceCheck = AcceptedEvidence | { readonly ok: false; readonly code: EvidenceRejection };

export interface EvidenceLimits extends ImageLimits {
  /** Byte cap of a PDF (it is stored as is, so it is not shrunk by re-encoding). */
  readonly maxPdfBytes: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = {
  ...DEFAULT_IMAGE_LIMITS,
  maxPdfBytes: DEFAULT_IMAGE_LIMITS.maxBytes,
};

/** Whether `subject` fits `kind`: an invoice is value proof, damage is a photo. */
export function subjectFits(kind: EvidenceKind, subject: EvidenceSubject): boolean {
  if (subject === 'other') return true;
  const valueProof = subject === 'invoice' || subject === 'receipt';
  return kind === 'value_proof' ? valueProof : !valueProof;
}

export async function checkEvidence(
  kind: EvidenceKind,
  bytes: Uint8Array,
  limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS,
): Promise<EvidenceCheck> {
  if (isPdfSignature(bytes)) {
    if (bytes.byteLength > limits.maxPdfBytes) return { ok: false, code: 'too_large' };
    // Refused before the PDF rules run: a photo slot gets a photo, whatever the PDF holds.
    if (kind !== 'value_proof') return { ok: false, code: 'pdf_not_value_proof' };
    const verdict = checkValueProofPdf(bytes);
    if (!verdict.ok) return verdict;
    return {
      ok: true,
      contentType: 'application/pdf',
      sourceType: 'pdf',
      bytes: Buffer.from(bytes),
      width: null,
      height: null,
    };
  }
  const image = await normaliseToJpeg(bytes, limits);
  if (!image.ok) return image;
  return {
    ok: true,
    contentType: 'image/jpeg',
    sourceType: image.sourceType,
    bytes: image.jpeg,
    width: image.width,
    height: image.height,
  };
}
