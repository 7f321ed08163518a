import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleConfig } from '../config';
import { cookieIsSecure, sessionCookieName, sessionCookieOptions } from '../sessions/session-cookie';
import { PublicEndpoint } from '../sessions/session.guard';
import { CONSOLE_CONFIG } from '../shared/tokens';
import { OidcLoginError } from './oidc-errors';
import { renderOidcErrorPage } from './oidc-error-page';
import { OidcLoginService } from './oidc-login.service';
import { PENDING_LOGIN_TTL_SEC } from './pending-login';

const BINDING_PATH = '/api/auth/oidc';
const bindingCookieName = (secure: boolean) => (secure ? '__Secure-portico_oidc' : 'portico_oidc');

/**
 * The browser side of the OIDC code flow. Both routes are navigations (no CSRF token exists yet):
 * the login route only sends the browser to the provider, and the callback is bound to the browser
 * that started it by the pending-login cookie (SameSite=Lax: it comes back on the provider's
 * top-level redirect, never on a cross-site subrequest).
 */
@Controller('api/auth')
export class OidcController {
  constructor(
    private readonly oidc: OidcLoginService,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /** What the login page offers: always local accounts, and the provider's button when configured. */
  @Get('providers')
  @PublicEndpoint()
  providers() {
    return {
      local: true,
      oidc: this.oidc.enabled
        ? { name: this.config.oidcProviderName, loginUrl: `${BINDING_PATH}/login` }
        : null,
    };
  }

  @Get('oidc/login')
  @PublicEndpoint()
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const secure = this.secure(request);
    try {
      const { binding, url } = await this.oidc.start();
      reply.setCookie(bindingCookieName(secure), binding, {
        ...sessionCookieOptions(secure, PENDING_LOGIN_TTL_SEC),
        path: BINDING_PATH,
      });
      await reply.header('cache-control', 'no-store').redirect(url, 302);
    } catch (error) {
      await this.refuse(reply, error);
    }
  }

  @Get('oidc/callback')
  @PublicEndpoint()
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const secure = this.secure(request);
    const binding = request.cookies?.[bindingCookieName(secure)];
    // The pending login is used up whatever the outcome: clear its cookie too.
    reply.clearCookie(bindingCookieName(secure), { ...sessionCookieOptions(secure), path: BINDING_PATH });
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const state = (request.query as Record<string, unknown> | undefined)?.['state'];
    try {
      const { cookieValue, session } = await this.oidc.finish(binding, {
        query,
        ...(typeof state === 'string' ? { state } : {}),
      });
      const maxAge = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
      reply.setCookie(sessionCookieName(secure), cookieValue, sessionCookieOptions(secure, maxAge));
      // The SPA reads /api/me (and its CSRF token) on load, as after a password login.
      await reply.header('cache-control', 'no-store').redirect('/inbox', 303);
    } catch (error) {
      await this.refuse(reply, error);
    }
  }

  private secure(request: FastifyRequest): boolean {
    return cookieIsSecure(this.config.cookieSecure, { protocol: request.protocol, host: request.host });
  }

  private async refuse(reply: FastifyReply, error: unknown): Promise<void> {
    const refusal =
      error instanceof OidcLoginError ? error : new OidcLoginError('oidc_provider_unavailable', error);
    await reply
      .status(refusal.status)
      .header('cache-control', 'no-store')
      .header('x-error-code', refusal.code)
      .type('text/html; charset=utf-8')
      .send(renderOidcErrorPage(refusal));
  }
}
