import multipart from '@fastify/multipart';
import { bootstrapService, type RunningService, type ServiceAppOptions } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type IdVaultConfig } from './config';

/** Path prefixes whose URLs carry a bearer secret: the generic request log line is not written for them. */
export const SECRET_PATH_PREFIXES = ['/u/', '/v1/document-views/', '/v1/relay-grants/'] as const;

/** How id-vault's HTTP server differs from the other services': multipart uploads, secret-bearing paths. */
export function vaultAppOptions(config: IdVaultConfig): Omit<ServiceAppOptions, 'module' | 'config'> {
  return {
    settings,
    selfLoggedPathPrefixes: SECRET_PATH_PREFIXES,
    configureHttp: async (app) => {
      // Limits enforced while the upload streams in: a too-large side is refused (413) before it is buffered whole.
      await app.register(multipart, {
        limits: { fileSize: config.maxUploadBytes, files: 3, fields: 8, fieldSize: 256, parts: 12 },
      });
    },
  };
}

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: IdVaultConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, ...vaultAppOptions(config) });
}
