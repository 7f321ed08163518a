import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsoleConfig } from '../config';
import { OidcLoginService } from '../oidc/oidc-login.service';
import { clientAddress } from './client-address';
import { LoginThrottledError } from '../shared/console-errors';
import { CONSOLE_CONFIG } from '../shared/tokens';
import type { Session } from './session';
import { cookieIsSecure, sessionCookieName, sessionCookieOptions } from './session-cookie';
import { CurrentSession, PublicEndpoint } from './session.guard';
import { SessionsService } from './sessions.service';

const loginBody = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })
  .strict();

/** What the SPA learns about its session: ids and rights, and the CSRF token for its writes. */
function me(session: Session) {
  const a = session.account;
  return {
    accountId: a.id,
    username: a.username,
    subject: a.subject,
    roles: a.roles,
    tenantId: a.tenantId,
    propertyIds: a.propertyIds,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}

@Controller('api')
export class SessionController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly oidc: OidcLoginService,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /**
   * Sign in. JSON only (Fastify answers 415 to anything else), so a cross-site HTML form cannot log
   * a browser into an attacker's account; the cookie is SameSite=Lax and HttpOnly.
   */
  @Post('session')
  @PublicEndpoint()
  @HttpCode(201)
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const credentials = loginBody.parse(body);
    // X-Forwarded-For only from CONSOLE_TRUSTED_PROXIES (client-address.ts), else the peer.
    const address = clientAddress(request.raw.socket.remoteAddress, request.headers['x-forwarded-for'], this.config.trustedProxies);
    const { cookieValue, session } = await this.sessions
      .login(credentials, address)
      .catch((e: unknown) => {
        if (e instanceof LoginThrottledError) reply.header('retry-after', String(e.retryAfterSeconds));
        throw e;
      });
    const secure = cookieIsSecure(this.config.cookieSecure, { protocol: request.protocol, host: request.host });
    const maxAge = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
    reply.setCookie(sessionCookieName(secure), cookieValue, sessionCookieOptions(secure, maxAge));
    reply.header('cache-control', 'no-store');
    return me(session);
  }

  @Get('me')
  current(@CurrentSession() session: Session, @Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('cache-control', 'no-store');
    return me(session);
  }

  /**
   * Sign out. For an OIDC session the answer also carries the provider's end-session URL
   * (RP-initiated logout) for the SPA to navigate to, so the provider's own session ends too; null
   * for local accounts and providers without end_session_endpoint.
   */
  @Delete('session')
  @HttpCode(200)
  async logout(
    @CurrentSession() session: Session,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ endSessionUrl: string | null }> {
    await this.sessions.logout(session);
    const secure = cookieIsSecure(this.config.cookieSecure, { protocol: request.protocol, host: request.host });
    reply.clearCookie(sessionCookieName(secure), sessionCookieOptions(secure));
    reply.header('cache-control', 'no-store');
    return { endSessionUrl: await this.oidc.endSessionUrl(session.account) };
  }
}
