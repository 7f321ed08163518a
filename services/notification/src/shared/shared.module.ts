import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { NotificationConfig } from '../config';
import { newId } from './ids';
import { NotificationTimers } from './notification-timers';
import { CLOCK, ID_GENERATOR, NOTIFICATION_CONFIG, type Clock } from './tokens';
import { TypeOrmUnitOfWork, UnitOfWork } from '@portico/service-kit';

const systemClock: Clock = () => new Date();

/** Clock, id generator, configuration, transactions and the durable-timer runner for every feature module. */
@Global()
@Module({})
export class SharedModule {
  static forRoot(config: NotificationConfig): DynamicModule {
    return {
      module: SharedModule,
      providers: [
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: newId },
        { provide: NOTIFICATION_CONFIG, useValue: config },
        { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
        NotificationTimers,
      ],
      exports: [CLOCK, ID_GENERATOR, NOTIFICATION_CONFIG, UnitOfWork, NotificationTimers],
    };
  }
}
