import type { DynamicModule } from '@nestjs/common';
import {
  Access,
  ApiKeyService,
  apiKeyServiceOptionsFromConfig,
  AuthModule,
  PersonTokenVerifier,
  personTokenOptionsFromConfig,
  PostgresApiKeyRepository,
  serviceTokenVerifierFromConfig,
  type ApiKeyConfig,
  type AuthConfig,
} from '@portico/auth';
import { HealthController, MetricsController } from '@portico/observability';
import { DataSource } from 'typeorm';

// Health probes and Prometheus scrapes come without credentials. The controllers live in
// libs/observability, which knows nothing about auth, so their access rule is declared here, where
// the guard that reads it is installed.
Access.public()(HealthController);
Access.public()(MetricsController);

/**
 * AuthModule configured from a service's settings (`...authSettings()`, plus `...apiKeySettings()`
 * where property systems call with API keys). Every endpoint must then declare who may call it with
 * `@Access.*`; undeclared endpoints are refused.
 */
export function serviceAuthModule(config: AuthConfig & Partial<ApiKeyConfig>): DynamicModule {
  return AuthModule.forRootAsync({
    inject: [DataSource],
    useFactory: (dataSource: DataSource) => ({
      people: new PersonTokenVerifier(personTokenOptionsFromConfig(config)),
      services: serviceTokenVerifierFromConfig(config),
      apiKeys: config.apiKeyPeppers
        ? new ApiKeyService(
            new PostgresApiKeyRepository(dataSource),
            apiKeyServiceOptionsFromConfig(config as ApiKeyConfig),
          )
        : undefined,
    }),
  });
}
