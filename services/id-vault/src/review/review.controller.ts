import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { rejectBody, viewLinkBody } from './review-requests';
import { ReviewService } from './review.service';

interface ReplyLike {
  header(name: string, value: string): ReplyLike;
  type(contentType: string): ReplyLike;
  send(payload: Buffer): unknown;
}

/**
 * Steward review. Documents are opened through short-lived view links (never a permanent URL, never
 * the image inside a JSON list), and every view is audited.
 */
@Controller('v1')
export class ReviewController {
  constructor(private readonly review: ReviewService) {}

  @Get('cases/:caseId/documents')
  @Access.people('steward', 'manager', 'operator')
  async list(@CurrentPrincipal() caller: Principal, @Param('caseId') caseId: string) {
    return { items: await this.review.listForCase(caller, caseId) };
  }

  @Post('documents/:documentId/view-links')
  @Access.people('steward', 'manager')
  @HttpCode(201)
  async viewLink(
    @CurrentPrincipal() caller: Principal,
    @Param('documentId') documentId: string,
    @Body() body: unknown,
  ) {
    const { part } = viewLinkBody.parse(body);
    const link = await this.review.issueViewLink(caller, documentId, part);
    return { url: `/v1/document-views/${link.token}`, expiresAt: link.expiresAt.toISOString() };
  }

  /** The link is the credential (an <img src> cannot carry a bearer token); it expires in minutes. */
  @Get('document-views/:token')
  @Access.public()
  async view(@Param('token') token: string, @Res() reply: ReplyLike): Promise<void> {
    const { part, bytes } = await this.review.view(token);
    reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .type(part === 'fields' ? 'application/json; charset=utf-8' : 'image/jpeg')
      .send(bytes);
  }

  @Post('documents/:documentId/approve')
  @Access.people('steward', 'manager')
  async approve(@CurrentPrincipal() caller: Principal, @Param('documentId') documentId: string) {
    return this.review.approve(caller, documentId);
  }

  @Post('documents/:documentId/reject')
  @Access.people('steward', 'manager')
  async reject(
    @CurrentPrincipal() caller: Principal,
    @Param('documentId') documentId: string,
    @Body() body: unknown,
  ) {
    return this.review.reject(caller, documentId, rejectBody.parse(body).reason);
  }
}
