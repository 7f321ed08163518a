import { Body, Controller, Get, HttpCode, Logger, Param, Post } from '@nestjs/common';
import { claimDecisionBody, parcelIdParam, taskIdParam as idParam } from '../inbox/inbox-requests';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { ConsoleMetrics } from '../shared/console-metrics';
import { recordStewardAction } from '../shared/steward-action';
import { UpstreamClient } from '../upstream/upstream-client';
import { ParcelService } from './parcel.service';

/** The parcel page: one parcel across every service, and the claim decision recorded from it. */
@Controller('api')
export class ParcelsController {
  readonly logger = new Logger('parcels');

  constructor(
    private readonly parcels: ParcelService,
    private readonly upstream: UpstreamClient,
    readonly metrics: ConsoleMetrics,
  ) {}

  @Get('parcels/:parcelId')
  view(@CurrentSession() session: Session, @Param('parcelId') parcelId: string) {
    return this.parcels.view(session, parcelIdParam.parse(parcelId));
  }

  /** The customer's decision (reship, refund, coupon) on a claim, as the steward heard it. */
  @Post('claims/:claimId/decision')
  @HttpCode(200)
  decide(@CurrentSession() session: Session, @Param('claimId') claimId: string, @Body() body: unknown) {
    const id = idParam.parse(claimId);
    const decision = claimDecisionBody.parse(body);
    return recordStewardAction(this, 'claim_decision', { claimId: id, accountId: session.account.id }, () =>
      this.upstream.json(session, 'claims', 'POST', `/v1/claims/${encodeURIComponent(id)}/decision`, decision),
    );
  }
}
