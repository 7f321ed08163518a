import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrail, type AuditAction as FeatureAction, type AuditRecord } from '../shared/audit-trail';
import type { AuditAction, AuditActorKind, AuditDetails } from './audit-entry';
import { AuditLog } from './audit-log';

/** Feature events onto the chain's small fixed action set; the precise event goes into details. */
const ACTION: Readonly<Record<FeatureAction, AuditAction>> = {
  'upload_request.created': 'create',
  'upload_request.revoked': 'revoke',
  'consent.given': 'consent',
  'consent.withdrawn': 'consent',
  'document.submitted': 'submit',
  'document.checks_failed': 'check_failed',
  'document.view_link_issued': 'view',
  'document.viewed': 'view',
  'document.approved': 'approve',
  'document.rejected': 'reject',
  'document.relayed': 'relay',
  'grant.downloaded': 'download',
  'grant.refused': 'refuse',
  // The relay ended without delivery: its grant is revoked (details say why).
  'relay.abandoned': 'revoke',
  'document.purged': 'purge',
};

const ACTOR: Readonly<Record<AuditRecord['actor']['kind'], AuditActorKind>> = {
  resident: 'resident',
  steward: 'user',
  service: 'service',
  carrier: 'carrier',
  system: 'system',
};

/** The features' AuditTrail, written to the hash-chained audit_log. */
@Injectable()
export class ChainedAuditTrail extends AuditTrail {
  constructor(private readonly log: AuditLog) {
    super();
  }

  async record(m: EntityManager, e: AuditRecord): Promise<void> {
    await this.log.append(m, {
      actor: { kind: ACTOR[e.actor.kind], id: e.actor.id },
      action: ACTION[e.action],
      purpose: e.purpose,
      subject: e.subject,
      caseId: e.caseId,
      tenantId: e.tenantId,
      details: { event: e.action, ...(e.details as AuditDetails | undefined) },
    });
  }
}
