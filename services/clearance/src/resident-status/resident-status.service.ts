import { Inject, Injectable } from '@nestjs/common';
import { trace, type Span } from '@opentelemetry/api';
import { CaseRepository } from '../cases/case.repository';
import { CLOCK, type Clock } from '../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import { preferredLanguage } from './case-progress';
import { toResidentStatusView, type ResidentStatusView } from './resident-status-view';
import {
  statusLinkExpired,
  statusLinkInvalid,
  statusLinkRevoked,
  statusTokenMissing,
  StatusLinkError,
} from './status-errors';
import { StatusLinkRepository } from './status-link.repository';
import { StatusMetrics, type ViewOutcome } from './status-metrics';
import { hashStatusToken, linkStanding, presentedToken } from './status-token';

const tracer = () => trace.getTracer('clearance');

/**
 * The resident's view of a case, reached with nothing but a status-link token. The token selects
 * the case (there is no case id in the request to tamper with), is only ever hashed, and is never
 * logged, put on a span or into an error.
 */
@Injectable()
export class ResidentStatusService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cases: CaseRepository,
    private readonly links: StatusLinkRepository,
    private readonly metrics: StatusMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async view(
    authorization: string | undefined,
    acceptLanguage: string | undefined,
  ): Promise<ResidentStatusView> {
    // The request's own span (HTTP instrumentation) gets the case id for trace search, and a child
    // span keeps the lookup measurable on its own.
    const request = trace.getActiveSpan();
    return tracer().startActiveSpan('resident status', async (span) => {
      try {
        const view = await this.lookUp(authorization, acceptLanguage, [span, request]);
        this.metrics.viewed('shown');
        span.setAttribute('portico.resident_status.outcome', 'shown');
        return view;
      } catch (e) {
        const outcome = outcomeOf(e);
        if (outcome) {
          this.metrics.viewed(outcome);
          span.setAttribute('portico.resident_status.outcome', outcome);
        }
        throw e;
      } finally {
        span.end();
      }
    });
  }

  private async lookUp(
    authorization: string | undefined,
    acceptLanguage: string | undefined,
    spans: ReadonlyArray<Span | undefined>,
  ): Promise<ResidentStatusView> {
    const presented = presentedToken(authorization);
    if (presented.kind === 'missing') throw statusTokenMissing();
    if (presented.kind === 'malformed') throw statusLinkInvalid();
    const hash = hashStatusToken(presented.token);
    const now = this.clock();
    return this.uow.read(async (m) => {
      const link = await this.links.findByTokenHash(m, hash);
      if (!link) throw statusLinkInvalid();
      for (const s of spans) {
        s?.setAttribute('portico.case_id', link.caseId);
        s?.setAttribute('portico.status_link_id', link.id);
      }
      const standing = linkStanding(link, now);
      if (standing === 'revoked') throw statusLinkRevoked();
      if (standing === 'expired') throw statusLinkExpired();
      const found = await this.cases.findById(m, link.caseId);
      // The link's row cascades with its case; a missing case means the link is gone too.
      if (!found) throw statusLinkInvalid();
      return toResidentStatusView({
        case: found,
        history: await this.cases.historyOf(m, [found.id]),
        linkExpiresAt: link.expiresAt,
        language: preferredLanguage(acceptLanguage),
        now,
      });
    });
  }
}

function outcomeOf(e: unknown): ViewOutcome | undefined {
  if (!(e instanceof StatusLinkError)) return undefined;
  switch (e.code) {
    case 'status_token_missing':
      return 'missing';
    case 'status_link_expired':
      return 'expired';
    case 'status_link_revoked':
      return 'revoked';
    default:
      return 'invalid';
  }
}
