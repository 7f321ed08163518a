import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY, type Registry } from '@portico/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The console's own metrics. Labels are outcomes and service names, never people or ids. */
@Injectable()
export class ConsoleMetrics {
  readonly logins: Counter<'outcome'>;
  readonly oidcLogins: Counter<'outcome'>;
  readonly csrfRefusals: Counter<string>;
  readonly upstreamSeconds: Histogram<'service' | 'outcome'>;
  readonly liveStreams: Gauge<string>;
  readonly liveEvents: Counter<'topic' | 'delivered'>;
  readonly liveFanout: Counter<'outcome'>;
  readonly liveListener: Gauge<string>;
  readonly stewardActions: Counter<'action' | 'outcome'>;
  readonly residentStatusViews: Counter<'outcome'>;
  readonly personTokens: Counter<'key'>;
  readonly sessionRenewals: Counter<string>;
  readonly loginThrottled: Counter<'scope'>;
  readonly liveStreamsClosed: Counter<'reason'>;
  readonly jwksServed: Counter<string>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.logins = new Counter({
      name: 'portico_console_logins_total',
      help: 'console sign-in attempts by outcome (signed_in, refused, throttled)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.oidcLogins = new Counter({
      name: 'portico_console_oidc_logins_total',
      help: 'OIDC sign-ins: started (sent to the provider), signed_in, or the refusal code (oidc_state_mismatch, oidc_account_not_mapped, …)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.csrfRefusals = new Counter({
      name: 'portico_console_csrf_refusals_total',
      help: 'state-changing requests refused for a missing or wrong CSRF token',
      registers: [registry],
    });
    this.upstreamSeconds = new Histogram({
      name: 'portico_console_upstream_seconds',
      help: 'calls from the console to other Portico services',
      labelNames: ['service', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.liveStreams = new Gauge({
      name: 'portico_console_live_streams',
      help: 'open Server-Sent-Events streams (browsers receiving live updates)',
      registers: [registry],
    });
    this.liveEvents = new Counter({
      name: 'portico_console_live_events_total',
      help: "live updates this instance handed to its streams (every instance hears every event), by topic and whether any of its open streams was entitled to them",
      labelNames: ['topic', 'delivered'],
      registers: [registry],
    });
    this.liveFanout = new Counter({
      name: 'portico_console_live_fanout_total',
      help: 'live updates this instance heard on the Postgres channel (received, malformed), whichever instance consumed them',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.liveListener = new Gauge({
      name: 'portico_console_live_listener_connected',
      help: '1 while this instance listens on the live-update channel, 0 while it reconnects',
      registers: [registry],
    });
    this.stewardActions = new Counter({
      name: 'portico_console_steward_actions_total',
      help: 'one-click steward actions through the console',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    });
    this.residentStatusViews = new Counter({
      name: 'portico_console_resident_status_views_total',
      help: "residents' status page data requests by outcome (shown, refused by clearance, unavailable)",
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.personTokens = new Counter({
      name: 'portico_console_person_tokens_issued_total',
      help: 'person tokens the console signed for upstream calls, by signing key id ("development" for AUTH_DEV_TOKEN_KEY): shows when a rotation took effect',
      labelNames: ['key'],
      registers: [registry],
    });
    this.loginThrottled = new Counter({
      name: 'portico_console_login_throttled_total',
      help: 'password sign-ins held back by the throttle, by the counter that held them (account, address)',
      labelNames: ['scope'],
      registers: [registry],
    });
    this.sessionRenewals = new Counter({
      name: 'portico_console_session_renewals_total',
      help: 'sessions whose idle end was pushed forward by a request (at most one write per session and minute)',
      registers: [registry],
    });
    this.liveStreamsClosed = new Counter({
      name: 'portico_console_live_streams_closed_total',
      help: 'open live-update streams this instance closed itself, by reason (account_disabled: the account-status command ended its sessions)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.jwksServed = new Counter({
      name: 'portico_console_jwks_served_total',
      help: "requests for the console's public JWKS (the services' verifiers fetch it on start, on an unknown kid and when their cache ages)",
      registers: [registry],
    });
  }
}
