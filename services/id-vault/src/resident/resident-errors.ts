import { DomainError } from '@portico/service-kit';
import type { CheckFailure } from '../documents/document-ports';

export class ConsentRequiredError extends DomainError {
  constructor() {
    super({
      code: 'consent_required',
      status: 409,
      message: {
        en: 'Please read and accept how your document will be used before uploading it.',
        zh: '上传前请先阅读并同意证件的使用方式。',
      },
    });
  }
}

/** 422 with every failed check, each with its own zh/en message for the resident. */
export class DocumentChecksFailedError extends DomainError {
  constructor(readonly failures: readonly CheckFailure[]) {
    super({
      code: 'document_checks_failed',
      status: 422,
      message: {
        en: 'The photos could not be accepted. Please see the reasons below and try again.',
        zh: '照片未能通过检查，请查看以下原因后重试。',
      },
      details: {
        failures: failures.map((f) => ({ code: f.name, side: f.side ?? null, message: f.message })),
      },
    });
  }
}

export class UploadTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super({
      code: 'upload_too_large',
      status: 413,
      message: {
        en: `Each photo may be at most ${Math.floor(limitBytes / 1_048_576)} MB. Please send a smaller photo.`,
        zh: `每张照片不能超过 ${Math.floor(limitBytes / 1_048_576)} MB，请发送较小的照片。`,
      },
      details: { limitBytes },
    });
  }
}

export class MalformedUploadError extends DomainError {
  constructor(reason: string) {
    super({
      code: 'upload_malformed',
      status: 400,
      message: {
        en: 'The upload could not be read. Please choose the photos again and resend.',
        zh: '无法读取上传内容，请重新选择照片后再次提交。',
      },
      details: { reason },
    });
  }
}
