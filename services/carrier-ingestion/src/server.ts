import { bootstrapService, type RunningService } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type CarrierIngestionConfig } from './config';
import { registerWebhookRouteOn, WEBHOOK_PATH_PREFIX } from './webhooks/webhook.route';

/** How the app is built, in production and in the integration tests alike. */
export const APP_OPTIONS = {
  // The intake logs one line per webhook itself (account, provider, outcome, parcel ids, timing).
  selfLoggedPathPrefixes: [WEBHOOK_PATH_PREFIX],
  // The webhook route is the hot path: registered on Fastify itself, outside Nest's pipeline.
  fastifyOnlyPathPrefixes: [WEBHOOK_PATH_PREFIX],
  configureHttp: registerWebhookRouteOn,
} as const;

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: CarrierIngestionConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, settings, ...APP_OPTIONS });
}
