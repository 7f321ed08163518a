import type { DocumentTypeName } from '../shared/document-types';

export type UploadRequestStatus = 'open' | 'submitted' | 'revoked' | 'superseded';
export type Language = 'zh' | 'en';

/** A one-time upload link for one case. Its token exists only in the link; the row holds its hash. */
export interface UploadRequest {
  readonly id: string;
  readonly caseId: string;
  readonly tenantId: string;
  readonly propertyId: string | null;
  readonly parcelId: string;
  readonly requiredDocuments: readonly DocumentTypeName[];
  readonly language: Language;
  readonly status: UploadRequestStatus;
  readonly expiresAt: Date;
  readonly replacesRequestId: string | null;
  /** Submissions tried so far, failed checks included (the events' `attempt`). */
  readonly attempts: number;
  readonly createdAt: Date;
}

/**
 * A link lives 72 h by default but never past the case deadline: after it, customs no longer waits,
 * and a resident uploading into a dead case would be misled.
 */
export function linkExpiry(now: Date, ttlMinutes: number, deadline: Date | null): Date {
  const byTtl = new Date(now.getTime() + ttlMinutes * 60_000);
  return deadline && deadline < byTtl ? deadline : byTtl;
}

/** Why a link can no longer take an upload; `usable` when it can. */
export type LinkState = 'usable' | 'expired' | 'revoked' | 'superseded' | 'used';

export function linkState(r: Pick<UploadRequest, 'status' | 'expiresAt'>, now: Date): LinkState {
  switch (r.status) {
    case 'revoked':
      return 'revoked';
    case 'superseded':
      return 'superseded';
    case 'submitted':
      return 'used';
    case 'open':
      return now >= r.expiresAt ? 'expired' : 'usable';
  }
}
