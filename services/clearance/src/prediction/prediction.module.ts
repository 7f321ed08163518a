import { Module, type DynamicModule } from '@nestjs/common';
import { PolicyRepository } from '../cases/policy.repository';
import { HoldHistoryRepository } from './hold-history.repository';
import { HoldPredictionService } from './hold-prediction.service';
import { PredictionMetrics } from './prediction-metrics';
import { PREDICTION_OPTIONS, type PredictionOptions } from './prediction-options';
import { PredictionPolicies } from './prediction-policies';
import { PredictionSettingsController } from './prediction-settings.controller';
import { PredictionSettingsRepository } from './prediction-settings.repository';
import { PredictionSettingsService } from './prediction-settings.service';

/**
 * Hold prediction: history and estimates fed by the tracking consumer (through
 * HoldPredictionService, exported), and the per-tenant settings API. Global so that CasesModule's
 * consumer can call the hook without CasesModule importing a module that needs configuration.
 */
@Module({})
export class PredictionModule {
  static forRoot(options: PredictionOptions): DynamicModule {
    return {
      module: PredictionModule,
      global: true,
      controllers: [PredictionSettingsController],
      providers: [
        { provide: PREDICTION_OPTIONS, useValue: options },
        HoldHistoryRepository,
        HoldPredictionService,
        PolicyRepository,
        PredictionMetrics,
        PredictionPolicies,
        PredictionSettingsRepository,
        PredictionSettingsService,
      ],
      exports: [HoldPredictionService],
    };
  }
}
