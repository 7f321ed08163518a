import { DomainError, NotFoundError, type LocalizedMessage } from '@portico/service-kit';

/**
 * Why a resident's status request was refused. 401 with a code the page branches on ("ask the front
 * desk for a new link"), fixed texts only: the token is never repeated, logged or put in a message.
 */
export class StatusLinkError extends DomainError {
  constructor(
    code: 'status_token_missing' | 'status_link_invalid' | 'status_link_expired' | 'status_link_revoked',
    message: LocalizedMessage,
  ) {
    super({ code, status: 401, message });
  }
}

export const statusTokenMissing = () =>
  new StatusLinkError('status_token_missing', {
    en: 'This page needs the link you received. Open the link from your message again.',
    zh: '此页面需要您收到的链接，请重新打开消息中的链接。',
  });

export const statusLinkInvalid = () =>
  new StatusLinkError('status_link_invalid', {
    en: 'This status link is not valid. Ask the front desk for a new one.',
    zh: '此状态链接无效，请联系前台获取新链接。',
  });

export const statusLinkExpired = () =>
  new StatusLinkError('status_link_expired', {
    en: 'This status link has expired. Ask the front desk for a new one.',
    zh: '此状态链接已过期，请联系前台获取新链接。',
  });

export const statusLinkRevoked = () =>
  new StatusLinkError('status_link_revoked', {
    en: 'This status link has been withdrawn. Ask the front desk for a new one.',
    zh: '此状态链接已被撤销，请联系前台获取新链接。',
  });

/** Revoking a link that does not exist (or an id that cannot be one). */
export class StatusLinkNotFoundError extends NotFoundError {
  constructor() {
    super('status_link_not_found', {
      en: 'No status link exists with this id.',
      zh: '未找到该状态链接。',
    });
  }
}
