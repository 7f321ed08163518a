import { Body, Controller, Post, Res } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { FastifyReply } from 'fastify';
import { frontDeskReportBody } from './front-desk-report';
import { FrontDeskService, type ReportResult } from './front-desk.service';

/**
 * Front-desk reports from stewards and managers (operators for any tenant). 201 when the report
 * opened the case, 200 when the parcel already had one open for that hold.
 */
@Controller('v1/front-desk-reports')
@Access.people('steward', 'manager', 'operator')
export class FrontDeskController {
  constructor(private readonly frontDesk: FrontDeskService) {}

  @Post()
  async report(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportResult> {
    // ZodError -> 400 validation_failed with the issue paths (service-kit's filter)
    const result = await this.frontDesk.report(caller, frontDeskReportBody.parse(body));
    const span = trace.getActiveSpan();
    span?.setAttribute('portico.case_id', result.case.id);
    span?.setAttribute('portico.parcel_id', result.case.parcelId);
    reply.status(result.created ? 201 : 200);
    return result;
  }
}
