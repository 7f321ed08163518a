import { bootstrapService, type RunningService } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type ClearanceConfig } from './config';

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: ClearanceConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, settings });
}
