import { Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';
import { PolicyAdminRepository } from './policy-admin.repository';

/** The requirement-policy admin API (the case-opening path reads policies through CasesModule). */
@Module({
  controllers: [PoliciesController],
  providers: [PoliciesService, PolicyAdminRepository],
})
export class PoliciesModule {}
