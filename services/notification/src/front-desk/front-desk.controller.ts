import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, AuthError, CurrentPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { dismissBodySchema, linkBodySchema, queueQuerySchema } from './front-desk-access';
import {
  FrontDeskService,
  type DismissResult,
  type LinkResult,
  type QueueEntryView,
} from './front-desk.service';

const entryIdParam = z.string().trim().min(1).max(100);

@Controller('v1/front-desk')
@Access.people('steward', 'manager', 'operator')
export class FrontDeskController {
  constructor(private readonly frontDesk: FrontDeskService) {}

  /** Queued parcels, oldest first: stewards and managers their properties' (and the tenant's unassigned), operators all. */
  @Get('queue')
  async list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: unknown,
  ): Promise<{ items: QueueEntryView[] }> {
    return { items: await this.frontDesk.list(caller, queueQuerySchema.parse(query)) };
  }

  /** Links a queued parcel to a resident by hand. */
  @Post('queue/:entryId/link')
  @HttpCode(200)
  async link(
    @CurrentPrincipal() caller: Principal,
    @Param('entryId') entryId: string,
    @Body() body: unknown,
  ): Promise<LinkResult> {
    if (caller.kind !== 'person') throw new AuthError('forbidden');
    const { residentId } = linkBodySchema.parse(body);
    const id = entryIdParam.parse(entryId);
    const result = await this.frontDesk.link(caller, id, residentId);
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', result.parcelId);
    return result;
  }

  /** Sets a queued parcel aside without a resident (reason from a closed list, optional note). */
  @Post('queue/:entryId/dismiss')
  @HttpCode(200)
  async dismiss(
    @CurrentPrincipal() caller: Principal,
    @Param('entryId') entryId: string,
    @Body() body: unknown,
  ): Promise<DismissResult> {
    if (caller.kind !== 'person') throw new AuthError('forbidden');
    const input = dismissBodySchema.parse(body);
    const result = await this.frontDesk.dismiss(caller, entryIdParam.parse(entryId), input);
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', result.parcelId);
    return result;
  }
}
