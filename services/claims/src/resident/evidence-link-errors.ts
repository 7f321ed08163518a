import { ConflictError, DomainError, NotFoundError } from '@portico/service-kit';
import type { ClaimState } from '../claims/claim-state';
import type { LinkState } from './evidence-link';

/**
 * Errors of residents' evidence links: a code, a fixed zh + en text (shown to the resident as is),
 * ids and states only as details. An unknown token and a malformed one are the same 404: the
 * answer says nothing about which tokens exist.
 */
export const evidenceLinkNotFound = () =>
  new NotFoundError('evidence_link_not_found', {
    en: 'This link is not valid. Please ask your property front desk for a new one.',
    zh: '此链接无效，请向物业前台索取新的链接。',
  });

const ENDED: Record<
  Exclude<LinkState, 'usable'>,
  { code: string; status: number; en: string; zh: string }
> = {
  expired: {
    code: 'evidence_link_expired',
    status: 410,
    en: 'This link has expired. Please ask your property front desk for a new one.',
    zh: '此链接已过期，请向物业前台索取新的链接。',
  },
  revoked: {
    code: 'evidence_link_revoked',
    status: 410,
    en: 'This link is no longer valid. Please ask your property front desk for a new one.',
    zh: '此链接已失效，请向物业前台索取新的链接。',
  },
  finished: {
    code: 'evidence_link_used',
    status: 410,
    en: 'You have finished adding evidence with this link. Thank you.',
    zh: '您已通过此链接完成补充材料，谢谢。',
  },
  full: {
    code: 'evidence_link_used',
    status: 410,
    en: 'This link has taken all the files it can. Thank you.',
    zh: '此链接可上传的文件数已满，谢谢。',
  },
  not_needed: {
    code: 'claim_evidence_not_needed',
    status: 409,
    en: 'This claim no longer needs new evidence. Thank you.',
    zh: '该理赔已不再需要补充材料，谢谢。',
  },
};

export const evidenceLinkEnded = (state: Exclude<LinkState, 'usable'>, linkId: string) =>
  new DomainError({
    code: ENDED[state].code,
    status: ENDED[state].status,
    message: { en: ENDED[state].en, zh: ENDED[state].zh },
    details: { linkId, linkState: state },
  });

export const claimEvidenceNotNeeded = (claimId: string, state: ClaimState) =>
  new ConflictError(
    'claim_evidence_not_needed',
    {
      en: `The claim is in state "${state}": evidence can be asked of the resident only before it is filed.`,
      zh: `该理赔当前状态为"${state}"：只能在提交承运商之前向住户征集材料。`,
    },
    { claimId, state },
  );

export const evidenceLinkUnknown = (linkId: string) =>
  new NotFoundError(
    'evidence_link_not_found',
    { en: 'No such evidence link.', zh: '找不到该材料链接。' },
    { linkId },
  );
