import { Global, Module } from '@nestjs/common';
import { TypeOrmUnitOfWork, UnitOfWork } from '@portico/service-kit';
import { newId } from './ids';
import { CLOCK, ID_GENERATOR, type Clock } from './tokens';

const systemClock: Clock = () => new Date();

/** Clock, id generator and transactions for every feature module. */
@Global()
@Module({
  providers: [
    { provide: CLOCK, useValue: systemClock },
    { provide: ID_GENERATOR, useValue: newId },
    { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
  ],
  exports: [CLOCK, ID_GENERATOR, UnitOfWork],
})
export class SharedModule {}
