import { Injectable } from '@nestjs/common';
import type { Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { CarrierRequestRepository } from '../carriers/carrier-request.repository';
import { claimedAmountOf } from '../parcels/claimed-amount';
import { ParcelRepository } from '../parcels/parcel.repository';
import { actorIdOf, mayAccess, tenantOf } from '../shared/callers';
import type { Claim } from './claim';
import { actionNotAllowed } from './claim-errors';
import { ClaimLogRepository } from './claim-log.repository';
import type {
  assessmentBody,
  carrierStatusBody,
  closeBody,
  decisionBody,
  explanationBody,
  inquiryAnswerBody,
  listQuery,
  verificationBody,
} from './claim-requests';
import { claimView, type ClaimView } from './claim-view';
import { ClaimWorkflow } from './claim-workflow.service';
import { ClaimRepository } from './claim.repository';
import type { z } from 'zod';

/**
 * The HTTP side of claims: each command loads the claim locked in one transaction, checks that the
 * caller may touch it (another tenant's claim is "not found"), and calls one workflow method.
 */
@Injectable()
export class ClaimCommands {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly claims: ClaimRepository,
    private readonly log: ClaimLogRepository,
    private readonly parcels: ParcelRepository,
    private readonly requests: CarrierRequestRepository,
    private readonly workflow: ClaimWorkflow,
  ) {}

  private command(
    caller: Principal,
    claimId: string,
    work: (m: EntityManager, c: Claim, actorId: string) => Promise<Claim>,
  ) {
    return this.uow.transaction(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId, { lock: true });
      return claimView(await work(m, c, actorIdOf(caller)));
    });
  }

  get(caller: Principal, claimId: string): Promise<ClaimView> {
    return this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      return claimView(c, { history: await this.claims.history(m, c.id), log: await this.log.list(m, c.id) });
    });
  }

  list(caller: Principal, q: z.infer<typeof listQuery>): Promise<ClaimView[]> {
    return this.uow.read(async (m) => {
      const tenantId = tenantOf(caller, q.tenantId);
      const items = q.parcelId
        ? await this.claims.listForParcel(m, tenantId, q.parcelId)
        : await this.claims.listOpen(m, tenantId, q.limit);
      return items.filter((c) => mayAccess(caller, c.tenantId, c.propertyId)).map((c) => claimView(c));
    });
  }

  acknowledge(caller: Principal, claimId: string) {
    return this.command(caller, claimId, (m, c, actor) =>
      this.workflow.markServiceLevel(m, c, 'acknowledgement', actor, {}),
    );
  }

  verify(caller: Principal, claimId: string, body: z.infer<typeof verificationBody>) {
    return this.command(caller, claimId, (m, c, actorId) =>
      this.workflow.recordVerification(m, c, { ...body, actorId }),
    );
  }

  explain(caller: Principal, claimId: string, body: z.infer<typeof explanationBody>) {
    return this.command(caller, claimId, (m, c, actor) =>
      this.workflow.markServiceLevel(m, c, 'customer_explanation', actor, { channel: body.channel }),
    );
  }

  assess(caller: Principal, claimId: string, body: z.infer<typeof assessmentBody>) {
    return this.command(caller, claimId, (m, c, actor) =>
      this.workflow.markServiceLevel(m, c, 'damage_assessment', actor, {
        severity: body.severity,
        ...(body.estimatedLoss
          ? {
              estimatedLoss: {
                currencyCode: body.estimatedLoss.currencyCode,
                amountMinor: body.estimatedLoss.amountMinor.toString(),
              },
            }
          : {}),
      }),
    );
  }

  inquire(caller: Principal, claimId: string) {
    return this.command(caller, claimId, (m, c, actor) => this.workflow.requestInquiry(m, c, actor));
  }

  answerInquiry(caller: Principal, claimId: string, body: z.infer<typeof inquiryAnswerBody>) {
    return this.command(caller, claimId, async (m, c, actor) => {
      const inquiry = await this.requests.openInquiryOf(m, c.id);
      if (!inquiry) throw actionNotAllowed(c.id, c.state, 'answer_inquiry');
      return this.workflow.answerInquiry(m, c, inquiry.id, body.outcome, actor);
    });
  }

  requestDecision(caller: Principal, claimId: string) {
    return this.command(caller, claimId, (m, c, actor) => this.workflow.requestDecision(m, c, actor));
  }

  decide(caller: Principal, claimId: string, body: z.infer<typeof decisionBody>) {
    return this.command(caller, claimId, async (m, c, actorId) =>
      this.workflow.decide(
        m,
        c,
        body.decision,
        { actorId },
        claimedAmountOf(await this.parcels.find(m, c.tenantId, c.parcel.parcelId)),
      ),
    );
  }

  /** The carrier's answer to a filing, recorded by staff (e-mail channel, or a carrier that phoned). */
  carrierStatus(caller: Principal, claimId: string, body: z.infer<typeof carrierStatusBody>) {
    return this.command(caller, claimId, async (m, c, actor) => {
      const filing = await this.requests.latestFilingOf(m, c.id);
      if (!filing || !filing.filedAt) throw actionNotAllowed(c.id, c.state, 'carrier_status');
      const granted =
        body.status === 'approved'
          ? (body.granted ?? { currencyCode: filing.claimedCurrency, amountMinor: filing.claimedMinor })
          : (body.granted ?? null);
      return (
        await this.workflow.carrierStatus(
          m,
          c,
          filing.id,
          filing.carrierReference ?? '',
          body.status,
          granted,
          actor,
        )
      ).claim;
    });
  }

  close(caller: Principal, claimId: string, body: z.infer<typeof closeBody>) {
    return this.command(caller, claimId, (m, c, actor) =>
      this.workflow.close(
        m,
        c,
        body.reason,
        actor,
        body.reason === 'parcel_found' ? 'parcel_found' : 'closed_by_staff',
      ),
    );
  }
}
