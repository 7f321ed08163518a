import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { CarrierIngestionConfig } from '../config';
import { CARRIER_INGESTION_CONFIG, CLOCK, type Clock } from './tokens';
import { TypeOrmUnitOfWork, UnitOfWork } from '@portico/service-kit';

/** What every feature of the service shares: its configuration, the clock and transactions. */
@Global()
@Module({})
export class SharedModule {
  static forRoot(config: CarrierIngestionConfig): DynamicModule {
    return {
      module: SharedModule,
      providers: [
        { provide: CARRIER_INGESTION_CONFIG, useValue: config },
        { provide: CLOCK, useValue: (() => new Date()) satisfies Clock },
        { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
      ],
      exports: [CARRIER_INGESTION_CONFIG, CLOCK, UnitOfWork],
    };
  }
}
