import type { EntityManager } from 'typeorm';

/** Who did something in the vault. Residents are known by their upload request, never by name. */
export type AuditActor =
  | { readonly kind: 'resident'; readonly id: string }
  | { readonly kind: 'steward'; readonly id: string }
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'carrier'; readonly id: string }
  | { readonly kind: 'system'; readonly id: string };

export type AuditAction =
  | 'upload_request.created'
  | 'upload_request.revoked'
  | 'consent.given'
  | 'consent.withdrawn'
  | 'document.submitted'
  | 'document.checks_failed'
  | 'document.view_link_issued'
  | 'document.viewed'
  | 'document.approved'
  | 'document.rejected'
  | 'document.relayed'
  | 'grant.downloaded'
  | 'grant.refused'
  | 'relay.abandoned'
  | 'document.purged';

export interface AuditRecord {
  readonly actor: AuditActor;
  readonly action: AuditAction;
  /** Why the access happened, in a few words ("customs clearance review"). */
  readonly purpose: string;
  readonly subject: {
    readonly type: 'upload_request' | 'document' | 'grant' | 'consent';
    readonly id: string;
  };
  readonly caseId: string;
  readonly tenantId: string;
  /** Ids, codes and verdicts only. */
  readonly details?: Readonly<Record<string, string | number | boolean | null | readonly string[]>>;
}

/**
 * The vault's audit trail as its features see it: one call inside the transaction of the action it
 * records, so an action and its audit entry commit or roll back together.
 */
export abstract class AuditTrail {
  abstract record(m: EntityManager, entry: AuditRecord): Promise<void>;
}
