import { ConflictError, DomainError, NotFoundError } from '@portico/service-kit';
import type { ClaimCommand, ClaimState } from './claim-state';

/**
 * The claims API's errors: a machine-readable code, zh + en, and only ids and states as details.
 * A claim of another tenant is "not found" (its existence is not disclosed).
 */
export const claimNotFound = (claimId: string) =>
  new NotFoundError('claim_not_found', { en: 'No such claim.', zh: '找不到该理赔案件。' }, { claimId });

export const parcelNotFound = () =>
  new NotFoundError('parcel_not_found', {
    en: 'This parcel has no tracking on the platform for your organisation yet.',
    zh: '平台上尚无您所属机构该包裹的物流记录。',
  });

export const claimClosed = (claimId: string) =>
  new ConflictError(
    'claim_closed',
    { en: 'The claim is already closed.', zh: '该理赔案件已关闭。' },
    { claimId },
  );

export function actionNotAllowed(claimId: string, state: ClaimState, command: ClaimCommand | string) {
  return new ConflictError(
    'claim_action_not_allowed',
    {
      en: `The claim is in state "${state}" and cannot take this action now.`,
      zh: `该理赔案件当前状态为"${state}"，暂不能执行此操作。`,
    },
    { claimId, state, action: command },
  );
}

export const tenantRequired = () =>
  new DomainError({
    code: 'tenant_required',
    status: 400,
    message: { en: 'Operators must name the tenant (tenantId).', zh: '运营人员须指定租户（tenantId）。' },
  });

export const notDeliveredYet = () =>
  new ConflictError('parcel_not_delivered', {
    en: 'The carrier has not reported this parcel delivered; use "tracking not updating" instead.',
    zh: '承运商尚未显示该包裹已签收；请改用"物流未更新"。',
  });

export const decisionAlreadyRecorded = (claimId: string) =>
  new ConflictError(
    'decision_already_recorded',
    { en: 'The customer decision is already recorded.', zh: '客户的处理方式已记录。' },
    { claimId },
  );
