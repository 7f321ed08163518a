import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { ClaimCommands } from './claim-commands.service';
import {
  assessmentBody,
  carrierStatusBody,
  closeBody,
  decisionBody,
  explanationBody,
  inquiryAnswerBody,
  listQuery,
  verificationBody,
} from './claim-requests';
import type { ClaimView } from './claim-view';

/**
 * Claim queries and actions for stewards, managers and operators (their tenant's claims, stewards
 * their properties'; operators all) and notification's reads. Thin: validate, call one method.
 * ZodError -> 400 validation_failed with issue paths (service-kit's filter).
 */
@Controller('v1/claims')
@Access.people('steward', 'manager', 'operator')
export class ClaimsController {
  constructor(private readonly commands: ClaimCommands) {}

  @Get()
  @Access.people('steward', 'manager', 'operator')
  @Access.service('notification')
  async list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: unknown,
  ): Promise<{ items: ClaimView[] }> {
    return { items: await this.commands.list(caller, listQuery.parse(query)) };
  }

  @Get(':claimId')
  @Access.people('steward', 'manager', 'operator')
  @Access.service('notification')
  async get(@CurrentPrincipal() caller: Principal, @Param('claimId') claimId: string): Promise<ClaimView> {
    return spanned(await this.commands.get(caller, claimId));
  }

  @Post(':claimId/acknowledge')
  @HttpCode(200)
  async acknowledge(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string) {
    return spanned(await this.commands.acknowledge(caller, id));
  }

  @Post(':claimId/verifications')
  @HttpCode(200)
  async verify(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string, @Body() body: unknown) {
    return spanned(await this.commands.verify(caller, id, verificationBody.parse(body)));
  }

  @Post(':claimId/explanations')
  @HttpCode(200)
  async explain(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string, @Body() body: unknown) {
    return spanned(await this.commands.explain(caller, id, explanationBody.parse(body)));
  }

  @Post(':claimId/damage-assessment')
  @HttpCode(200)
  async assess(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string, @Body() body: unknown) {
    return spanned(await this.commands.assess(caller, id, assessmentBody.parse(body)));
  }

  @Post(':claimId/inquiry')
  @HttpCode(200)
  async inquire(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string) {
    return spanned(await this.commands.inquire(caller, id));
  }

  @Post(':claimId/inquiry-answer')
  @HttpCode(200)
  async answer(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string, @Body() body: unknown) {
    return spanned(await this.commands.answerInquiry(caller, id, inquiryAnswerBody.parse(body)));
  }

  @Post(':claimId/decision-request')
  @HttpCode(200)
  async requestDecision(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string) {
    return spanned(await this.commands.requestDecision(caller, id));
  }

  @Post(':claimId/decision')
  @HttpCode(200)
  async decide(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string, @Body() body: unknown) {
    return spanned(await this.commands.decide(caller, id, decisionBody.parse(body)));
  }

  @Post(':claimId/carrier-status')
  @HttpCode(200)
  async carrierStatus(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') id: string,
    @Body() body: unknown,
  ) {
    return spanned(await this.commands.carrierStatus(caller, id, carrierStatusBody.parse(body)));
  }

  @Post(':claimId/close')
  @HttpCode(200)
  async close(@CurrentPrincipal() caller: Principal, @Param('claimId') id: string, @Body() body: unknown) {
    return spanned(await this.commands.close(caller, id, closeBody.parse(body)));
  }
}

function spanned<T extends { id: string; parcelId: string }>(view: T): T {
  const span = trace.getActiveSpan();
  span?.setAttribute('portico.claim_id', view.id);
  span?.setAttribute('portico.parcel_id', view.parcelId);
  return view;
}
