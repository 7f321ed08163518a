import { Controller, Get, Headers, Inject, Logger, Res } from '@nestjs/common';
import { isDomainError } from '@portico/service-kit';
import type { ConsoleConfig } from '../config';
import { PublicEndpoint } from '../sessions/session.guard';
import { ConsoleMetrics } from '../shared/console-metrics';
import { CONSOLE_CONFIG } from '../shared/tokens';
import { UpstreamClient } from '../upstream/upstream-client';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

// clearance's status tokens are 43 base64url characters; anything else is not passed on at all
// (clearance then answers status_token_missing), so the console forwards no arbitrary header.
const BEARER = /^Bearer [A-Za-z0-9_-]{20,128}$/;
const LANGUAGE = /^[A-Za-z0-9,;=.\- *]{1,200}$/;

/**
 * The resident's status page data, without login: the one-time status token is the credential.
 * The page (`/s#<token>`) keeps the token in the URL fragment, which browsers never send, and
 * calls this with `Authorization: Bearer`; the console passes it to clearance's
 * `GET /v1/resident/status` as it is. Nothing is logged but the outcome.
 */
@Controller('api/resident')
export class ResidentStatusController {
  private readonly logger = new Logger('resident-status');

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly metrics: ConsoleMetrics,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get('status')
  @PublicEndpoint()
  async status(
    @Headers('authorization') authorization: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: ReplyLike,
  ) {
    reply.header('cache-control', 'no-store');
    reply.header('vary', 'Authorization, Accept-Language');
    const headers: Record<string, string> = {};
    if (authorization && BEARER.test(authorization)) headers.authorization = authorization;
    if (acceptLanguage && LANGUAGE.test(acceptLanguage)) headers['accept-language'] = acceptLanguage;
    try {
      const status = await this.upstream.publicJson<unknown>('clearance', '/v1/resident/status', headers);
      this.metrics.residentStatusViews.inc({ outcome: 'shown' });
      // The upload page is id-vault's (/u/<upload token>); the page links to it only with a token it was given.
      return { status, uploadPageBase: `${this.config.vaultPublicUrl}/u/` };
    } catch (error) {
      const outcome = isDomainError(error) && error.status < 500 ? 'refused' : 'unavailable';
      this.metrics.residentStatusViews.inc({ outcome });
      this.logger.log({ outcome, code: isDomainError(error) ? error.code : undefined }, 'resident status refused');
      throw error;
    }
  }
}
