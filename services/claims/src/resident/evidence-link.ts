import type { Claim } from '../claims/claim';
import type { ClaimState } from '../claims/claim-state';

/**
 * A resident's one-time evidence link (`/e/<token>`), as pure rules. A link belongs to one claim
 * and lets the resident add up to `maxUploads` photos or value proofs until it expires, staff
 * revoke it (or issue a newer one), the resident says they are done, or the claim moves past the
 * point where evidence changes anything (it is filed: the carrier has the bundle).
 */
export type EvidenceLanguage = 'zh' | 'en';

/** Before filing: what is added now is in the bundle the carrier gets. */
export const STATES_NEEDING_EVIDENCE: readonly ClaimState[] = [
  'detected',
  'verifying',
  'carrier_inquiry',
  'awaiting_customer_decision',
];

export function needsEvidence(c: Pick<Claim, 'state' | 'closedAt'>): boolean {
  return !c.closedAt && STATES_NEEDING_EVIDENCE.includes(c.state);
}

export interface EvidenceLink {
  readonly id: string;
  readonly tenantId: string;
  readonly claimId: string;
  readonly language: EvidenceLanguage;
  readonly maxUploads: number;
  readonly uploads: number;
  readonly expiresAt: Date;
  readonly issuedBy: string;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
  readonly revokedAt: Date | null;
}

export type LinkState = 'usable' | 'expired' | 'revoked' | 'finished' | 'full' | 'not_needed';

/**
 * What the link allows now. Revoked and expired come first (the resident is told the link is
 * gone, not why the claim moved); "full" and "finished" read as "we have your evidence".
 */
export function linkState(
  link: EvidenceLink,
  claim: Pick<Claim, 'state' | 'closedAt'>,
  now: Date,
): LinkState {
  if (link.revokedAt) return 'revoked';
  if (now.getTime() >= link.expiresAt.getTime()) return 'expired';
  if (link.finishedAt) return 'finished';
  if (link.uploads >= link.maxUploads) return 'full';
  if (!needsEvidence(claim)) return 'not_needed';
  return 'usable';
}

export function linkExpiry(now: Date, ttlHours: number): Date {
  return new Date(now.getTime() + ttlHours * 3_600_000);
}
