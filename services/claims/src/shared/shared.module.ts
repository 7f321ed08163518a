import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmUnitOfWork, UnitOfWork } from '@portico/service-kit';
import type { ClaimsConfig } from '../config';
import { newId } from './ids';
import { CLAIMS_CONFIG, CLOCK, ID_GENERATOR, type Clock } from './tokens';

export const systemClock: Clock = () => new Date();

/** Clock, id generator, configuration and transactions for every feature module. */
@Global()
@Module({})
export class SharedModule {
  static forRoot(config: ClaimsConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: SharedModule,
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: ID_GENERATOR, useValue: newId },
        { provide: CLAIMS_CONFIG, useValue: config },
        { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
      ],
      exports: [CLOCK, ID_GENERATOR, CLAIMS_CONFIG, UnitOfWork],
    };
  }
}
