import multipart from '@fastify/multipart';
import { bootstrapService, type RunningService, type ServiceAppOptions } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type ClaimsConfig } from './config';

/** How claims' HTTP server differs from the defaults: multipart evidence uploads. */
export function claimsAppOptions(config: ClaimsConfig): Omit<ServiceAppOptions, 'module' | 'config'> {
  return {
    settings,
    configureHttp: async (app) => {
      // Enforced while the upload streams in: a too-large file is refused (413) before it is buffered whole.
      await app.register(multipart, {
        limits: { fileSize: config.maxUploadBytes, files: 1, fields: 4, fieldSize: 64, parts: 6 },
      });
    },
  };
}

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: ClaimsConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, ...claimsAppOptions(config) });
}
