import { bootstrapService, type RunningService } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type IdVaultConfig } from './config';

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: IdVaultConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, settings });
}
