/**
 * A purpose-bound download grant for one relayed document: it expires, allows a few downloads, and
 * names who it is for. Its secret exists only in the download URL given to the destination.
 */
export interface RelayGrant {
  readonly id: string;
  readonly documentId: string;
  readonly recipientKind: 'carrier' | 'customs_broker';
  readonly recipientId: string;
  readonly adapter: string;
  readonly purpose: string;
  readonly expiresAt: Date;
  readonly maxUses: number;
  readonly uses: number;
  readonly revokedAt: Date | null;
}

export type GrantState = 'usable' | 'expired' | 'exhausted' | 'revoked';

export function grantState(
  g: Pick<RelayGrant, 'expiresAt' | 'maxUses' | 'uses' | 'revokedAt'>,
  now: Date,
): GrantState {
  if (g.revokedAt) return 'revoked';
  if (now >= g.expiresAt) return 'expired';
  if (g.uses >= g.maxUses) return 'exhausted';
  return 'usable';
}

export const RELAY_PURPOSE = 'customs_clearance';
