import { Controller, Get, Header, Inject } from '@nestjs/common';
import { publicJwks, type PublicJwks } from '@portico/auth';
import type { ConsoleConfig } from '../config';
import { PublicEndpoint } from '../sessions/session.guard';
import { ConsoleMetrics } from '../shared/console-metrics';
import { JwksNotConfiguredError } from '../shared/console-errors';
import { CONSOLE_CONFIG } from '../shared/tokens';

/**
 * The public half of CONSOLE_TOKEN_SIGNING_KEYS, which the services fetch through AUTH_JWKS_URL to
 * verify the person tokens the console signs (docs/adr/0006). Public keys only, no personal data.
 * Cacheable for 5 minutes: a new key is added to the list (and published) before it signs, so
 * verifiers that cached the old set meet its kid only after they refetch it on the unknown kid.
 */
@Controller('.well-known')
export class JwksController {
  private readonly jwks: PublicJwks | null;

  constructor(
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
    private readonly metrics: ConsoleMetrics,
  ) {
    this.jwks = config.tokenSigningKeys ? publicJwks(config.tokenSigningKeys) : null;
  }

  @Get('jwks.json')
  @PublicEndpoint()
  @Header('cache-control', 'public, max-age=300')
  @Header('content-type', 'application/jwk-set+json')
  keys(): PublicJwks {
    if (!this.jwks) throw new JwksNotConfiguredError();
    this.metrics.jwksServed.inc();
    return this.jwks;
  }
}
