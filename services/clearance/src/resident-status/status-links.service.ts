import { Inject, Injectable } from '@nestjs/common';
import { assertTenantAccess, type Principal } from '@portico/auth';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CaseNotFoundError } from '../cases/case-errors';
import { caseAccessTarget } from '../cases/case-access';
import { isCaseId } from '../cases/case-view';
import { CaseRepository } from '../cases/case.repository';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import { StatusLinkNotFoundError } from './status-errors';
import { StatusLinkRepository, type StatusLink } from './status-link.repository';
import { isStatusLinkId, type IssueStatusLinkBody } from './status-requests';
import { linkExpiry, newStatusToken, type TokenSource } from './status-token';

export const STATUS_TOKEN_SOURCE = 'clearance:status-token-source';
export const STATUS_LINK_ID_PREFIX = 'sl';

/** The only answer that ever carries a token; nothing keeps it after this response. */
export interface IssuedStatusLink {
  linkId: string;
  token: string;
  expiresAt: string;
}

export interface StatusLinkView {
  id: string;
  caseId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** Issues and revokes residents' status links for the case's tenant's staff and notification. */
@Injectable()
export class StatusLinksService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cases: CaseRepository,
    private readonly links: StatusLinkRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(STATUS_TOKEN_SOURCE) private readonly tokenSource: TokenSource,
    @InjectPinoLogger('clearance-status-links') private readonly logger: PinoLogger,
  ) {}

  async issue(caller: Principal, caseId: string, body: IssueStatusLinkBody): Promise<IssuedStatusLink> {
    if (!isCaseId(caseId)) throw new CaseNotFoundError();
    const { link, token } = await this.uow.transaction(async (m) => {
      const found = await this.cases.findById(m, caseId);
      if (!found) throw new CaseNotFoundError();
      assertTenantAccess(caller, caseAccessTarget(found));
      const now = this.clock();
      const { token, hash } = newStatusToken(this.tokenSource);
      const link: StatusLink = {
        id: this.newId(STATUS_LINK_ID_PREFIX),
        caseId: found.id,
        tenantId: found.tenantId,
        createdAt: now,
        expiresAt: linkExpiry({ now, caseDeadline: found.deadline, requestedHours: body.expiresInHours }),
        revokedAt: null,
        createdBy: byWhom(caller),
        revokedBy: null,
      };
      await this.links.insert(m, link, hash);
      return { link, token };
    });
    this.logger.info(
      {
        linkId: link.id,
        caseId: link.caseId,
        tenantId: link.tenantId,
        expiresAt: link.expiresAt.toISOString(),
      },
      'status link issued',
    );
    return { linkId: link.id, token, expiresAt: link.expiresAt.toISOString() };
  }

  /** Idempotent: revoking a revoked link answers it as it is. */
  async revoke(caller: Principal, linkId: string): Promise<StatusLinkView> {
    if (!isStatusLinkId(linkId)) throw new StatusLinkNotFoundError();
    const { link, changed } = await this.uow.transaction(async (m) => {
      const found = await this.links.findById(m, linkId, { lock: true });
      if (!found) throw new StatusLinkNotFoundError();
      assertTenantAccess(caller, { tenantId: found.tenantId });
      if (found.revokedAt !== null) return { link: found, changed: false };
      const revoked = await this.links.revoke(m, found.id, this.clock(), byWhom(caller));
      return { link: revoked ?? found, changed: revoked !== undefined };
    });
    if (changed)
      this.logger.info(
        { linkId: link.id, caseId: link.caseId, tenantId: link.tenantId },
        'status link revoked',
      );
    return toLinkView(link);
  }
}

/** An opaque id for the audit columns: a service name or the identity provider's subject. */
function byWhom(caller: Principal): string {
  switch (caller.kind) {
    case 'service':
      return `service:${caller.name}`;
    case 'person':
      return `person:${caller.subject}`;
    case 'property-system':
      return `property-system:${caller.keyId}`;
  }
}

function toLinkView(link: StatusLink): StatusLinkView {
  return {
    id: link.id,
    caseId: link.caseId,
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
  };
}
