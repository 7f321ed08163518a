import { Module } from '@nestjs/common';
import type { CarrierIngestionConfig } from '../config';
import { CARRIER_INGESTION_CONFIG } from '../shared/tokens';
import { CarrierAccountsController } from './carrier-accounts.controller';
import { CarrierAccountsRepository } from './carrier-accounts.repository';
import { CarrierAccountsService, randomSecretSource, SECRET_SOURCE } from './carrier-accounts.service';
import { SecretBox } from './secret-box';

/** Carrier accounts and their secrets: the operator API, and credentials for the webhook intake. */
@Module({
  controllers: [CarrierAccountsController],
  providers: [
    CarrierAccountsRepository,
    CarrierAccountsService,
    {
      provide: SecretBox,
      inject: [CARRIER_INGESTION_CONFIG],
      useFactory: (config: CarrierIngestionConfig) => new SecretBox(config.carrierSecretsKeys),
    },
    { provide: SECRET_SOURCE, useValue: randomSecretSource },
  ],
  exports: [CarrierAccountsService],
})
export class CarrierAccountsModule {}
