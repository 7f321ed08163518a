import { Module } from '@nestjs/common';
import { ClaimsModule } from '../claims/claims.module';
import { EvidenceController } from './evidence.controller';
import { EvidenceMetrics } from './evidence-metrics';
import { EvidenceService } from './evidence.service';

/**
 * Evidence uploads, bundles (manifest + PDF) and their verification. The bundle assembly itself
 * (EvidenceBundles) and the item repository live in ClaimsModule, because filing uses them too.
 */
@Module({
  imports: [ClaimsModule],
  controllers: [EvidenceController],
  providers: [EvidenceService, EvidenceMetrics],
})
export class EvidenceModule {}
