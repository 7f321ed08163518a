import { Body, Controller, Post, Res } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { INTENTS } from './intent-answers';
import { SelfServiceService, type IntentResult } from './self-service.service';

const intentBody = z
  .object({
    intent: z.enum(INTENTS),
    carrierCode: z.string().min(1).max(64),
    trackingNumber: z.string().min(1).max(64),
    tenantId: z.string().min(1).max(100).optional(),
    openClaim: z.boolean().default(false),
    reportedBy: z.enum(['resident', 'front_desk']).optional(),
  })
  .strict();

/**
 * Self-service intents for the console, chat channels (notification) and property systems (API
 * key with scope `claims:self-service`). 201 when the request opened a claim, else 200.
 */
@Controller('v1/self-service/intents')
@Access.people('steward', 'manager', 'operator')
@Access.propertySystem('claims:self-service')
@Access.service('notification')
export class SelfServiceController {
  constructor(private readonly selfService: SelfServiceService) {}

  @Post()
  async ask(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntentResult> {
    const { created, result } = await this.selfService.ask(caller, intentBody.parse(body));
    const span = trace.getActiveSpan();
    span?.setAttribute('portico.parcel_id', result.parcel.parcelId);
    span?.setAttribute('portico.claims.intent', result.intent);
    if (result.claim) span?.setAttribute('portico.claim_id', result.claim.id);
    reply.status(created ? 201 : 200);
    return result;
  }
}
