import { BadRequestError } from '@portico/service-kit';

/** An operator (who belongs to no tenant) called without saying which tenant's settings. */
export class TenantRequiredError extends BadRequestError {
  constructor() {
    super('tenant_required', {
      en: 'Say which tenant: operators pass tenantId (in the query for GET, in the body for PUT).',
      zh: '请指定租户：运营人员需传入 tenantId（GET 放在查询参数中，PUT 放在请求体中）。',
    });
  }
}

/**
 * Another transaction recorded the parcel's first sighting while this one was planning its own
 * (should not happen with per-parcel ordering, but the count cells must never move twice): the
 * transport retries the event, which then sees the row.
 */
export class ConcurrentHistoryWriteError extends Error {
  constructor(readonly parcelId: string) {
    super(`hold history of parcel ${parcelId} was written concurrently; the event will be retried`);
    this.name = 'ConcurrentHistoryWriteError';
  }
}
