import { REJECTION_REASONS } from '@portico/contracts';
import { z } from 'zod';

/** Reasons a steward can give (libs/contracts); each maps to the contract's enum and a resident message. */
export { REJECTION_REASONS, type RejectionReasonName } from '@portico/contracts';

export const rejectBody = z.object({ reason: z.enum(REJECTION_REASONS) }).strict();
export const viewLinkBody = z.object({ part: z.enum(['front', 'back', 'single_page', 'fields']) }).strict();
