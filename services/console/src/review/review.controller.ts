import { Body, Controller, Get, Logger, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { taskIdParam as idParam, documentDecisionBody, documentPart } from '../inbox/inbox-requests';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { ConsoleMetrics } from '../shared/console-metrics';
import { recordStewardAction } from '../shared/steward-action';
import { UpstreamClient } from '../upstream/upstream-client';

/**
 * Document review through id-vault. Images are fetched server-side through a fresh 5-minute view
 * link and streamed on with no-store: the link (a bearer secret) never reaches the browser, and the
 * browser's URL holds only the document id.
 */
@Controller('api')
export class ReviewController {
  readonly logger = new Logger('review');

  constructor(
    private readonly upstream: UpstreamClient,
    readonly metrics: ConsoleMetrics,
  ) {}

  @Get('cases/:caseId/documents')
  documents(@CurrentSession() session: Session, @Param('caseId') caseId: string) {
    return this.upstream.json(session, 'id-vault', 'GET', `/v1/cases/${encodeURIComponent(idParam.parse(caseId))}/documents`);
  }

  @Get('documents/:documentId/parts/:part')
  async part(
    @CurrentSession() session: Session,
    @Param('documentId') documentId: string,
    @Param('part') part: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const id = idParam.parse(documentId);
    const link = await this.upstream.json<{ url: string }>(
      session,
      'id-vault',
      'POST',
      `/v1/documents/${encodeURIComponent(id)}/view-links`,
      { part: documentPart.parse(part) },
    );
    const image = await this.upstream.send(session, 'id-vault', 'GET', link.url);
    const bytes = Buffer.from(await image.arrayBuffer());
    await reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .type('image/jpeg')
      .send(bytes);
  }

  @Post('documents/:documentId/approve')
  approve(@CurrentSession() session: Session, @Param('documentId') documentId: string) {
    const id = idParam.parse(documentId);
    return recordStewardAction(this, 'approve', { documentId: id, accountId: session.account.id }, () =>
      this.upstream.json(session, 'id-vault', 'POST', `/v1/documents/${encodeURIComponent(id)}/approve`, {}),
    );
  }

  /** Rejecting is also the request to upload again: clearance re-requests, notification tells the resident. */
  @Post('documents/:documentId/reject')
  reject(@CurrentSession() session: Session, @Param('documentId') documentId: string, @Body() body: unknown) {
    const id = idParam.parse(documentId);
    const decision = documentDecisionBody.parse(body);
    return recordStewardAction(this, 'reject', { documentId: id, accountId: session.account.id }, () =>
      this.upstream.json(session, 'id-vault', 'POST', `/v1/documents/${encodeURIComponent(id)}/reject`, decision),
    );
  }
}
