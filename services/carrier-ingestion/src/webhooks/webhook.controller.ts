import { Controller, Param, Post, Req, Res, UseFilters, type RawBodyRequest } from '@nestjs/common';
import { Access } from '@portico/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RetryAfterFilter } from '../shared/retry-after.filter';
import { WebhookIntakeService } from './webhook-intake.service';

export type WebhookAnswer =
  { status: 'accepted'; events: number } | { status: 'duplicate' } | Readonly<Record<string, unknown>>;

/**
 * `POST /webhooks/:carrierAccountId`: where carriers deliver tracking updates. Public in the auth
 * sense: the caller is authenticated by the webhook signature (checked in the service on the raw
 * bytes that Fastify keeps as `req.rawBody`), not by a bearer token.
 */
@Controller('webhooks')
@UseFilters(RetryAfterFilter)
export class WebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post(':carrierAccountId')
  @Access.public()
  async receive(
    @Param('carrierAccountId') carrierAccountId: string,
    @Req() req: RawBodyRequest<FastifyRequest>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookAnswer> {
    const result = await this.intake.receive({
      carrierAccountId,
      rawBody: req.rawBody ?? Buffer.alloc(0),
      headers: req.headers,
    });
    if (result.acknowledgement) {
      // the provider reads its own reply format, on a 200
      void reply.status(200);
      return result.acknowledgement;
    }
    // 202: stored and queued for publishing; 200: already had it (the sender may stop retrying).
    if (result.status === 'duplicate') {
      void reply.status(200);
      return { status: 'duplicate' };
    }
    void reply.status(202);
    return { status: 'accepted', events: result.events };
  }
}
