import { Module } from '@nestjs/common';
import { InsuranceController } from './insurance.controller';
import { InsuranceRepository } from './insurance.repository';
import { ParcelInsurance } from './parcel-insurance.service';

/** Insurance coverage per parcel (the claims_parcels insurance columns). */
@Module({
  controllers: [InsuranceController],
  providers: [InsuranceRepository, ParcelInsurance],
})
export class InsuranceModule {}
