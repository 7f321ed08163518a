import { ConflictError, DomainError, NotFoundError } from '@portico/service-kit';

export class DocumentNotFoundError extends NotFoundError {
  constructor(documentId: string) {
    super('document_not_found', { en: 'No such document.', zh: '没有该证件。' }, { documentId });
  }
}

export class DocumentAlreadyDecidedError extends ConflictError {
  constructor(documentId: string, status: string) {
    super(
      'document_already_decided',
      { en: 'This document has already been decided on.', zh: '该证件已审核完毕。' },
      { documentId, status },
    );
  }
}

export class ViewLinkInvalidError extends DomainError {
  constructor() {
    super({
      code: 'view_link_invalid',
      status: 404,
      message: {
        en: 'This view link is not valid or has expired. Open the document again from the case.',
        zh: '此查看链接无效或已过期，请从案件中重新打开证件。',
      },
    });
  }
}
