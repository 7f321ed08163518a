import { Body, Controller, Delete, Header, HttpCode, Param, Post } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { StatusLinksService, type IssuedStatusLink, type StatusLinkView } from './status-links.service';
import { issueStatusLinkBody } from './status-requests';

/**
 * Status links for residents. notification issues one when it tells a resident about a hold (its
 * service token, like its case reads), and the tenant's stewards and managers can issue one at the
 * front desk; operators may only revoke (support ends a leaked link, it does not hand out new ones).
 */
@Controller('v1')
export class StatusLinksController {
  constructor(private readonly links: StatusLinksService) {}

  @Post('cases/:caseId/status-links')
  @HttpCode(201)
  @Access.people('steward', 'manager')
  @Access.service('notification')
  @Header('Cache-Control', 'no-store') // the answer carries the token
  issue(
    @CurrentPrincipal() caller: Principal,
    @Param('caseId') caseId: string,
    @Body() body: unknown,
  ): Promise<IssuedStatusLink> {
    trace.getActiveSpan()?.setAttribute('portico.case_id', caseId);
    return this.links.issue(caller, caseId, issueStatusLinkBody.parse(body ?? {}));
  }

  @Delete('status-links/:linkId')
  @Access.people('steward', 'manager', 'operator')
  @Access.service('notification')
  revoke(@CurrentPrincipal() caller: Principal, @Param('linkId') linkId: string): Promise<StatusLinkView> {
    return this.links.revoke(caller, linkId);
  }
}
