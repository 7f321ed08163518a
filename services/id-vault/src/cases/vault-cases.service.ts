import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { RetentionScheduler } from '../retention/retention-scheduler';
import { UploadRequestRepository } from '../upload-requests/upload-request.repository';
import type { DocumentTypeName } from '../shared/document-types';
import type { CaseClosure } from './vault-case';
import { VaultCaseRepository, type OpenedCase } from './vault-case.repository';

/** The vault's side of a case's life: remember it, refine it, and end it. */
@Injectable()
export class VaultCasesService {
  constructor(
    private readonly cases: VaultCaseRepository,
    private readonly requests: UploadRequestRepository,
    private readonly retention: RetentionScheduler,
    @InjectPinoLogger('id-vault-cases') private readonly logger: PinoLogger,
  ) {}

  opened(m: EntityManager, c: OpenedCase): Promise<void> {
    return this.cases.upsertOpened(m, c);
  }

  async refined(
    m: EntityManager,
    caseId: string,
    change: {
      propertyId: string | null;
      requiredDocuments: readonly DocumentTypeName[];
      deadline: Date | null;
    },
  ): Promise<void> {
    const before = await this.cases.find(m, caseId, { lock: true });
    await this.cases.refine(m, caseId, {
      propertyId: change.propertyId,
      requiredDocuments: change.requiredDocuments.length ? change.requiredDocuments : undefined,
      deadline: change.deadline,
    });
    // A moved deadline moves the live documents' backstop purges with it (the case is still open).
    const deadline = change.deadline;
    if (before?.state === 'open' && deadline && deadline.getTime() !== before.deadline?.getTime()) {
      await this.retention.rescheduleBackstops(m, { caseId, deadline });
    }
  }

  /**
   * A case ended (cleared, expired, returned, cancelled): its links stop working and every
   * document it holds is due for purge `purgeAfterDays` after the end, earlier than the backstop
   * scheduled at upload.
   */
  async closed(
    m: EntityManager,
    caseId: string,
    because: CaseClosure,
    at: Date,
  ): Promise<'closed' | 'already_closed'> {
    const c = await this.cases.close(m, caseId, because, at);
    if (!c) return 'already_closed';
    const revoked = await this.requests.revokeOpenForCase(m, caseId, at);
    const purges = await this.retention.scheduleCasePurge(m, c, at);
    this.logger.info(
      { caseId, because, revokedLinks: revoked.length, purgesScheduled: purges },
      'case closed',
    );
    return 'closed';
  }
}
