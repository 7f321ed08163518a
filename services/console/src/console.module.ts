import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsRepository } from './accounts/accounts.repository';
import { LocalAccountAuthenticator, LOGIN_AUTHENTICATOR } from './accounts/login-authenticator';
import { PasswordHasher } from './accounts/password-hasher';
import { oidcSettings, type ConsoleConfig } from './config';
import { InboxController } from './inbox/inbox.controller';
import { InboxService } from './inbox/inbox.service';
import { LiveEventsConsumer } from './live/live-events.consumer';
import { LiveFanout } from './live/live-fanout';
import { LiveHub } from './live/live-hub';
import { LiveController } from './live/live.controller';
import { OIDC_GATEWAY, OpenIdClientGateway } from './oidc/oidc-gateway';
import { OidcLoginService } from './oidc/oidc-login.service';
import { OidcLoginsRepository } from './oidc/oidc-logins.repository';
import { OidcController } from './oidc/oidc.controller';
import { ParcelService } from './parcels/parcel.service';
import { ParcelsController } from './parcels/parcels.controller';
import { ResidentStatusController } from './resident/resident-status.controller';
import { ReviewController } from './review/review.controller';
import { ReviewsController } from './reviews/reviews.controller';
import { SearchController } from './search/search.controller';
import { SearchService } from './search/search.service';
import { SessionController } from './sessions/session.controller';
import { SessionGuard } from './sessions/session.guard';
import { LoginThrottleRepository } from './sessions/login-throttle.repository';
import { SessionsRepository } from './sessions/sessions.repository';
import { SESSION_LIFETIME } from './sessions/session-lifetime';
import { SessionsService } from './sessions/sessions.service';
import { ConsoleMetrics } from './shared/console-metrics';
import { CLOCK, CONSOLE_CONFIG } from './shared/tokens';
import { SpaController } from './spa/spa.controller';
import { JwksController } from './upstream/jwks.controller';
import { UPSTREAM_CREDENTIALS, upstreamCredentialsClass } from './upstream/upstream-credentials';
import { UpstreamClient } from './upstream/upstream-client';

/** The console's features: sessions, inbox, parcel page, search, monthly review, resident status, live updates and the SPA entry. */
@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    const oidc = oidcSettings(config);
    return {
      module: ConsoleModule,
      controllers: [
        SessionController,
        OidcController,
        InboxController,
        ReviewController,
        ParcelsController,
        SearchController,
        ReviewsController,
        ResidentStatusController,
        LiveController,
        LiveEventsConsumer,
        SpaController,
        JwksController,
      ],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: CLOCK, useValue: () => new Date() },
        {
          provide: SESSION_LIFETIME,
          useValue: { idleMinutes: config.sessionIdleMinutes, absoluteMinutes: config.sessionTtlMinutes },
        },
        // The login port and the upstream credentials are the two places an OIDC adapter plugs in.
        { provide: LOGIN_AUTHENTICATOR, useClass: LocalAccountAuthenticator },
        // Password and OIDC sessions alike: the console signs the person token from the mapped account,
        // with its own keys (published as JWKS) or, locally, the development key (docs/adr/0006).
        { provide: UPSTREAM_CREDENTIALS, useClass: upstreamCredentialsClass(config) },
        { provide: OIDC_GATEWAY, useValue: oidc ? new OpenIdClientGateway(oidc) : null },
        OidcLoginService,
        OidcLoginsRepository,
        { provide: APP_GUARD, useClass: SessionGuard },
        PasswordHasher,
        AccountsRepository,
        SessionsRepository,
        LoginThrottleRepository,
        SessionsService,
        ConsoleMetrics,
        UpstreamClient,
        InboxService,
        ParcelService,
        SearchService,
        LiveHub,
        LiveFanout,
      ],
    };
  }
}
