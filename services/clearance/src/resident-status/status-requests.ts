import { z } from 'zod';
import { MAX_LINK_HOURS } from './status-token';

/**
 * `POST /v1/cases/:caseId/status-links`. An empty body takes the default lifetime (case deadline
 * plus a week, between one and thirty days); `expiresInHours` asks for a shorter or fixed one.
 */
export const issueStatusLinkBody = z.strictObject({
  expiresInHours: z.number().int().min(1).max(MAX_LINK_HOURS).optional(),
});
export type IssueStatusLinkBody = z.infer<typeof issueStatusLinkBody>;

const LINK_ID = /^sl_[0-9a-f]{32}$/;

export function isStatusLinkId(value: string): boolean {
  return LINK_ID.test(value);
}
