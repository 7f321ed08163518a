import { bootstrapService, type RunningService } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type CarrierIngestionConfig } from './config';

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: CarrierIngestionConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, settings });
}
