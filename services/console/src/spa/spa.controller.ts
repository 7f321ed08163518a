import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PublicEndpoint } from '../sessions/session.guard';

/**
 * The single-page app's entry for its client-side routes (its assets are served by @fastify/static
 * under /assets/). Routes carry ids only (parcel ids), never names, phones or tracking numbers.
 */
@Controller()
export class SpaController {
  @Get(['/', 'login', 'inbox', 'search', 'reviews', 'parcels/:parcelId'])
  @PublicEndpoint()
  async index(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('cache-control', 'no-cache').sendFile('index.html');
  }

  /**
   * The resident's status page, a separate small bundle with no login: `/s#<status token>` (the
   * token stays in the fragment, never sent to any server; see ResidentStatusController).
   */
  @Get('s')
  @PublicEndpoint()
  async residentStatus(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('cache-control', 'no-store').sendFile('status.html');
  }
}
