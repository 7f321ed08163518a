import { SetMetadata, Injectable, type CanActivate, type ExecutionContext, createParamDecorator, Inject } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ConsoleMetrics } from '../shared/console-metrics';
import { CsrfTokenInvalidError, SessionRequiredError } from '../shared/console-errors';
import { CONSOLE_CONFIG } from '../shared/tokens';
import type { ConsoleConfig } from '../config';
import { SAFE_METHODS, type Session } from './session';
import { cookieIsSecure, sessionCookieName } from './session-cookie';
import { csrfTokenMatches } from './session-token';
import { SessionsService } from './sessions.service';

export const CSRF_HEADER = 'x-csrf-token';
const PUBLIC = 'console:public';

/** An endpoint reachable without a session (login, health are outside /api). */
export const PublicEndpoint = () => SetMetadata(PUBLIC, true);

type RequestWithSession = FastifyRequest & { consoleSession?: Session };

/** The request's session (set by SessionGuard). */
export const CurrentSession = createParamDecorator((_data: unknown, ctx: ExecutionContext): Session => {
  const session = ctx.switchToHttp().getRequest<RequestWithSession>().consoleSession;
  if (!session) throw new SessionRequiredError();
  return session;
});

export function readSessionCookie(request: FastifyRequest, config: Pick<ConsoleConfig, 'cookieSecure'>): string | undefined {
  const secure = cookieIsSecure(config.cookieSecure, { protocol: request.protocol, host: request.host });
  return request.cookies?.[sessionCookieName(secure)];
}

/**
 * Every console API endpoint needs a live session (cookie), and every state-changing one also the
 * session's CSRF token in `x-csrf-token` (synchronizer token: a cross-site form or fetch cannot read
 * it). Installed as the global guard; only `@PublicEndpoint()` handlers skip it.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly metrics: ConsoleMetrics,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true; // Kafka consumers
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const request = ctx.switchToHttp().getRequest<RequestWithSession>();
    // Health probes, metrics and the SPA's HTML are outside /api and need no session.
    if (!request.url.startsWith('/api/')) return true;
    // The live-update stream is opened (and reopened) by the browser on its own: not a use.
    const renew = !request.url.startsWith('/api/events');
    const session = await this.sessions.find(readSessionCookie(request, this.config), { renew });
    if (!session) throw new SessionRequiredError();
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers[CSRF_HEADER];
      if (!csrfTokenMatches(session.csrfToken, typeof header === 'string' ? header : undefined)) {
        this.metrics.csrfRefusals.inc();
        throw new CsrfTokenInvalidError();
      }
    }
    request.consoleSession = session;
    return true;
  }
}
