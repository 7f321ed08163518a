import { BadRequestError, DomainError, NotFoundError, type LocalizedMessage } from '@portico/service-kit';
import type { EvidenceRejection } from './evidence-intake';

/**
 * Why an evidence upload was refused: one code per reason (`evidence_<reason>`), its HTTP status,
 * and a fixed zh/en text for whoever is attaching it (a front desk, a resident through a property
 * system). Fixed texts only — never a file name, a size the uploader chose or anything read from
 * the file — so the message can be logged and shown as is.
 */
const REJECTIONS: Readonly<Record<EvidenceRejection, { status: number; message: LocalizedMessage }>> = {
  too_large: {
    status: 413,
    message: { en: 'The file is too large. Please send a smaller photo or PDF.', zh: '文件过大，请上传较小的照片或 PDF。' },
  },
  wrong_file_type: {
    status: 415,
    message: {
      en: 'This file type is not accepted: send a JPEG, PNG or WebP photo, or a PDF invoice as value proof.',
      zh: '不支持该文件类型：请上传 JPEG、PNG 或 WebP 照片，价值证明也可上传 PDF 发票。',
    },
  },
  unsupported_format: {
    status: 415,
    message: {
      en: 'This photo format (such as HEIC) cannot be opened here: please send it as a JPEG.',
      zh: '暂不支持该照片格式（如 HEIC）：请以 JPEG 格式上传。',
    },
  },
  too_many_pixels: {
    status: 422,
    message: {
      en: 'The image resolution is too high: please send a normal camera photo.',
      zh: '图片分辨率过高：请上传普通相机拍摄的照片。',
    },
  },
  corrupt: {
    status: 422,
    message: {
      en: 'The file could not be read completely (it may be cut short): please send it again.',
      zh: '文件无法完整读取（可能上传不完整）：请重新上传。',
    },
  },
  too_small: {
    status: 422,
    message: { en: 'The PDF is empty or incomplete: please send the invoice again.', zh: 'PDF 为空或不完整：请重新上传发票。' },
  },
  pdf_active_content: {
    status: 422,
    message: {
      en: 'The PDF contains scripts, attachments or forms, which are not accepted: please send a plain PDF or a photo of the invoice.',
      zh: '该 PDF 含有脚本、附件或表单，不予接受：请上传普通 PDF 或发票照片。',
    },
  },
  pdf_not_value_proof: {
    status: 415,
    message: {
      en: 'A PDF can only be attached as value proof (an invoice); photos must be images.',
      zh: 'PDF 只能作为价值证明（发票）上传；照片须为图片格式。',
    },
  },
};

export const evidenceRejected = (rejection: EvidenceRejection, claimId: string) =>
  new DomainError({
    code: `evidence_${rejection}`,
    status: REJECTIONS[rejection].status,
    message: REJECTIONS[rejection].message,
    details: { claimId },
  });

export const rejectionStatus = (rejection: EvidenceRejection): number => REJECTIONS[rejection].status;

export const evidenceUploadMalformed = (reason: string) =>
  new BadRequestError(
    'evidence_upload_malformed',
    {
      en: 'The upload could not be read: send one file in the "file" field with "kind" (photo or value_proof).',
      zh: '无法读取上传内容：请在 "file" 字段上传一个文件，并填写 "kind"（photo 或 value_proof）。',
    },
    { reason },
  );

export const evidenceSubjectMismatch = () =>
  new BadRequestError('evidence_subject_mismatch', {
    en: 'An invoice or receipt is value proof, not a photo (and damage, parcel or label photos are photos).',
    zh: '发票或收据属于价值证明而非照片（损坏、包裹或面单照片属于照片）。',
  });

export const evidenceLimitReached = (claimId: string, limit: number) =>
  new DomainError({
    code: 'evidence_limit_reached',
    status: 409,
    message: {
      en: `A claim can hold at most ${limit} evidence items.`,
      zh: `每个理赔案件最多可附 ${limit} 份证据。`,
    },
    details: { claimId, limit },
  });

export const evidenceItemNotFound = (itemId: string) =>
  new NotFoundError('evidence_item_not_found', { en: 'No such evidence item.', zh: '找不到该证据。' }, { itemId });

export const evidenceBundleNotFound = (bundleId: string) =>
  new NotFoundError(
    'evidence_bundle_not_found',
    { en: 'No such evidence bundle.', zh: '找不到该证据包。' },
    { bundleId },
  );
