import { Controller, Get, Headers, Res } from '@nestjs/common';
import { Access } from '@portico/auth';
import type { ResidentStatusView } from './resident-status-view';
import { ResidentStatusService } from './resident-status.service';
import { StatusLinkError } from './status-errors';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/**
 * The resident's status page data. Public to the platform's auth guard: the status-link token in
 * `Authorization: Bearer` is the only credential, checked by the service. The token is taken from
 * the header only, never from the path or query, so it cannot reach access logs, span URLs or a
 * Referer. A link sent by SMS opens the resident page with the token in the URL fragment (`#…`),
 * which browsers do not send to servers; the page calls this endpoint with it (README).
 */
@Controller('v1/resident')
export class ResidentStatusController {
  constructor(private readonly status: ResidentStatusService) {}

  @Get('status')
  @Access.public()
  async get(
    @Headers('authorization') authorization: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<ResidentStatusView> {
    // Set before the outcome is known, so refusals carry them too (the error filter keeps headers).
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('vary', 'Authorization, Accept-Language');
    try {
      const view = await this.status.view(authorization, acceptLanguage);
      reply.header('content-language', view.language === 'zh' ? 'zh-CN' : 'en');
      return view;
    } catch (e) {
      // RFC 6750: a bearer token that does not work is `invalid_token`; the realm names no credential.
      if (e instanceof StatusLinkError)
        reply.header('www-authenticate', 'Bearer realm="portico-resident", error="invalid_token"');
      throw e;
    }
  }
}
