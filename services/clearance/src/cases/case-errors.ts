import { NotFoundError } from '@portico/service-kit';

/** No case with that id (or not a case id at all). Never repeats what the caller sent. */
export class CaseNotFoundError extends NotFoundError {
  constructor() {
    super('case_not_found', {
      en: 'No clearance case exists with this id.',
      zh: '未找到该清关案件。',
    });
  }
}
