import { REJECTION_REASONS } from '@portico/contracts';
import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an id (letters, digits, _ . : -)');

export const inboxQuery = z
  .object({
    propertyId: id.optional(),
    caseId: id.optional(),
    state: z.enum(['open', 'acknowledged', 'active', 'closed']).default('active'),
  })
  .strict();

export const taskIdParam = id;

/** Parcel ids are derived (prc_ + 32 hex digits): they say nothing about the person. */
export const parcelIdParam = z.string().regex(/^prc_[0-9a-f]{32}$/, 'a parcel id (prc_ + 32 hex digits)');

/** The customer's choice on a lost or damaged parcel (claims' CUSTOMER_DECISIONS). */
export const claimDecisionBody = z.object({ decision: z.enum(['reship', 'refund', 'coupon']) }).strict();

/** id-vault accepts these reasons only (its rejectBody), so a wrong one is refused here first. */
export const documentDecisionBody = z.object({ reason: z.enum(REJECTION_REASONS) }).strict();

export const documentPart = z.enum(['front', 'back', 'single_page']);

/** notification's contact channels (services/notification/src/outreach/outreach-events.ts CONTACT_CHANNELS). */
export const contactedBody = z
  .object({ channel: z.enum(['phone_call', 'chat', 'in_person', 'sms', 'email', 'wecom', 'dingtalk']) })
  .strict();
