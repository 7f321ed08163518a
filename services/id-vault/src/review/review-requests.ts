import { z } from 'zod';

/** Reasons a steward can give; each maps to the contract's DocumentRejectionReason and a resident message. */
export const REJECTION_REASONS = [
  'unreadable',
  'wrong_document',
  'side_missing',
  'expired',
  'name_mismatch',
  'incomplete',
  'suspected_tampering',
  'other',
] as const;
export type RejectionReasonName = (typeof REJECTION_REASONS)[number];

export const rejectBody = z.object({ reason: z.enum(REJECTION_REASONS) }).strict();
export const viewLinkBody = z.object({ part: z.enum(['front', 'back', 'single_page', 'fields']) }).strict();
