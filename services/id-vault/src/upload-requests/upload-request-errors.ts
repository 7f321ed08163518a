import { ConflictError, DomainError, NotFoundError } from '@portico/service-kit';
import type { LinkState } from './upload-request';

/**
 * Answers about upload links. Wrong and unknown tokens get the same answer: a caller learns
 * nothing about which links exist.
 */
export class UploadLinkNotFoundError extends NotFoundError {
  constructor() {
    super('upload_link_invalid', {
      en: 'This upload link is not valid. Please use the latest link you received.',
      zh: '此上传链接无效，请使用您收到的最新链接。',
    });
  }
}

const GONE_MESSAGES: Record<Exclude<LinkState, 'usable'>, { code: string; en: string; zh: string }> = {
  expired: {
    code: 'upload_link_expired',
    en: 'This upload link has expired. Ask your property management office for a new one.',
    zh: '此上传链接已过期，请联系物业服务中心获取新的链接。',
  },
  revoked: {
    code: 'upload_link_revoked',
    en: 'This upload link has been withdrawn. Nothing more is needed through it.',
    zh: '此上传链接已被撤回，无需再通过它上传。',
  },
  superseded: {
    code: 'upload_link_superseded',
    en: 'A newer upload link has been sent to you. Please use that one.',
    zh: '已向您发送了新的上传链接，请使用新链接。',
  },
  used: {
    code: 'upload_link_used',
    en: 'Your documents were already received through this link.',
    zh: '已通过此链接收到您的证件。',
  },
};

export class UploadLinkUnusableError extends DomainError {
  constructor(readonly state: Exclude<LinkState, 'usable'>) {
    const m = GONE_MESSAGES[state];
    super({ code: m.code, status: state === 'used' ? 409 : 410, message: { en: m.en, zh: m.zh } });
  }
}

/** notification asked for a link before the vault has seen the case on `clearance.case.v1`. */
export class CaseNotKnownYetError extends ConflictError {
  constructor(caseId: string) {
    super(
      'case_not_known_yet',
      {
        en: 'The vault has not received this case yet; retry shortly.',
        zh: '证件库尚未收到该清关案件，请稍后重试。',
      },
      { caseId, retryAfterSeconds: 5 },
    );
  }
}

export class CaseClosedError extends ConflictError {
  constructor(caseId: string) {
    super(
      'case_closed',
      {
        en: 'This clearance case is closed; no documents are needed any more.',
        zh: '该清关案件已结束，无需再提交证件。',
      },
      { caseId },
    );
  }
}

export class UploadRequestNotFoundError extends NotFoundError {
  constructor(requestId: string) {
    super(
      'upload_request_not_found',
      { en: 'No such upload request.', zh: '没有该上传请求。' },
      { requestId },
    );
  }
}

/** A retried request for a link that has since been used, superseded or revoked: no new secret for it. */
export class UploadRequestClosedError extends ConflictError {
  constructor(requestId: string, status: string) {
    super(
      'upload_request_closed',
      {
        en: 'This upload request is no longer open; ask for a new link without the old retry key.',
        zh: '该上传请求已结束，请不带原重试键重新申请链接。',
      },
      { requestId, status },
    );
  }
}
