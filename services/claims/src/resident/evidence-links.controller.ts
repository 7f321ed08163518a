import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { ResidentEvidenceService } from './resident-evidence.service';

/** `{language}` only: whom the link is for is the issuer's business (it sends the link), not ours. */
const issueBody = z.object({ language: z.enum(['zh', 'en']).default('zh') }).strict();

/**
 * Issuing and revoking residents' evidence links, for the staff and property systems that may add
 * evidence themselves. The answer carries the link's URL once; whoever issued it sends it to the
 * resident (SMS, chat, the property's app). Thin: validate, call one method.
 */
@Controller('v1/claims/:claimId/evidence-links')
@Access.people('steward', 'manager', 'operator')
@Access.propertySystem('claims:evidence')
export class EvidenceLinksController {
  constructor(private readonly links: ResidentEvidenceService) {}

  @Post()
  @HttpCode(201)
  async issue(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Body() body: unknown,
  ) {
    const { language } = issueBody.parse(body ?? {});
    const l = await this.links.issue(caller, claimId, language);
    return { ...l, expiresAt: l.expiresAt.toISOString() };
  }

  @Get()
  async list(@CurrentPrincipal() caller: Principal, @Param('claimId') claimId: string) {
    const items = await this.links.list(caller, claimId);
    return {
      items: items.map((l) => ({
        id: l.id,
        state: l.state,
        language: l.language,
        uploads: l.uploads,
        maxUploads: l.maxUploads,
        expiresAt: l.expiresAt.toISOString(),
        issuedBy: l.issuedBy,
        createdAt: l.createdAt.toISOString(),
        finishedAt: l.finishedAt?.toISOString() ?? null,
        revokedAt: l.revokedAt?.toISOString() ?? null,
      })),
    };
  }

  @Post(':linkId/revoke')
  @HttpCode(200)
  async revoke(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Param('linkId') linkId: string,
  ) {
    return this.links.revoke(caller, claimId, linkId);
  }
}
