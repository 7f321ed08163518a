import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PublicEndpoint } from '../sessions/session.guard';

/**
 * The single-page app's entry for its client-side routes (its assets are served by @fastify/static
 * under /assets/). Routes carry ids only (case ids), never names, phones or tracking numbers.
 */
@Controller()
export class SpaController {
  @Get(['/', 'login', 'inbox', 'cases/:caseId'])
  @PublicEndpoint()
  async index(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('cache-control', 'no-cache').sendFile('index.html');
  }
}
