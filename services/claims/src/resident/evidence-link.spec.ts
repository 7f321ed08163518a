import { CLAIM_STATES } from '../claims/claim-state';
import {
  linkExpiry,
  linkState,
  needsEvidence,
  STATES_NEEDING_EVIDENCE,
  type EvidenceLink,
} from './evidence-link';

const issuedAt = new Date('2026-12-01T08:00:00Z');
const link = (over: Partial<EvidenceLink> = {}): EvidenceLink => ({
  id: 'evl_1',
  tenantId: 't1',
  claimId: 'clm_1',
  language: 'zh',
  maxUploads: 3,
  uploads: 0,
  expiresAt: linkExpiry(issuedAt, 72),
  issuedBy: 'usr_1',
  createdAt: issuedAt,
  finishedAt: null,
  revokedAt: null,
  ...over,
});
const open = { state: 'verifying' as const, closedAt: null };
const at = (ms: number) => new Date(issuedAt.getTime() + ms);
const H72 = 72 * 3_600_000;

describe('resident evidence links', () => {
  it('needs evidence only before filing, and never once closed', () => {
    const needing = CLAIM_STATES.filter((state) => needsEvidence({ state, closedAt: null }));
    expect(needing).toEqual(['detected', 'verifying', 'carrier_inquiry', 'awaiting_customer_decision']);
    expect(needing).toEqual([...STATES_NEEDING_EVIDENCE]);
    expect(needsEvidence({ state: 'verifying', closedAt: issuedAt })).toBe(false);
  });

  it('expires exactly at expiresAt: usable 1 ms before, expired at the instant', () => {
    expect(linkExpiry(issuedAt, 72).getTime()).toBe(issuedAt.getTime() + H72);
    expect(linkState(link(), open, at(H72 - 1))).toBe('usable');
    expect(linkState(link(), open, at(H72))).toBe('expired');
  });

  it('is full at maxUploads, not one before', () => {
    expect(linkState(link({ uploads: 2 }), open, at(0))).toBe('usable');
    expect(linkState(link({ uploads: 3 }), open, at(0))).toBe('full');
  });

  it('tells the resident the link is gone before anything about the claim or their uploads', () => {
    const everything = link({ revokedAt: at(1), finishedAt: at(1), uploads: 3 });
    expect(linkState(everything, { state: 'filed', closedAt: null }, at(H72))).toBe('revoked');
    expect(
      linkState(link({ finishedAt: at(1), uploads: 3 }), { state: 'filed', closedAt: null }, at(H72)),
    ).toBe('expired');
    expect(linkState(link({ finishedAt: at(1), uploads: 3 }), open, at(2))).toBe('finished');
    expect(linkState(link(), { state: 'filed', closedAt: null }, at(2))).toBe('not_needed');
    expect(linkState(link(), { state: 'closed', closedAt: at(1) }, at(2))).toBe('not_needed');
  });
});
