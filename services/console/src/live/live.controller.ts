import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { LiveHub } from './live-hub';
import type { LiveUpdate } from './live-scope';

/** Heartbeats keep proxies from closing an idle stream; losing one is harmless (not durable state). */
const HEARTBEAT_MS = 15_000;

/** What a browser is told: the event type and ids (no tenant, no topic, never personal data). */
export function ssePayload(u: LiveUpdate): Record<string, string> {
  return {
    type: u.type,
    caseId: u.caseId,
    taskId: u.taskId,
    propertyId: u.propertyId,
    parcelId: u.parcelId,
    messageId: u.messageId,
  };
}

/** `GET /api/events`: Server-Sent Events with the updates this session may see (ids only). */
@Controller('api')
export class LiveController {
  constructor(private readonly hub: LiveHub) {}

  @Get('events')
  stream(@CurrentSession() session: Session, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    const unsubscribe = this.hub.subscribe(
      session.account,
      (u) => raw.write(`event: update\ndata: ${JSON.stringify(ssePayload(u))}\n\n`),
      () => raw.end(),
    );
    const beat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const close = () => {
      clearInterval(beat);
      unsubscribe();
    };
    request.raw.once('close', close);
    // A session that expires while the stream is open stops receiving at its end.
    const untilExpiry = session.expiresAt.getTime() - Date.now();
    setTimeout(() => raw.end(), Math.max(0, Math.min(untilExpiry, 2_147_000_000))).unref();
  }
}
