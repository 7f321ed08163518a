import { Module } from '@nestjs/common';
import { UploadGate } from '@portico/images';
import { ClaimsModule } from '../claims/claims.module';
import type { ClaimsConfig } from '../config';
import { CLAIMS_CONFIG, EVIDENCE_UPLOAD_GATE } from '../shared/tokens';
import { EvidenceReception } from './evidence-reception';
import { EvidenceController } from './evidence.controller';
import { EvidenceMetrics } from './evidence-metrics';
import { EvidenceService } from './evidence.service';

/**
 * Evidence uploads, bundles (manifest + PDF) and their verification. The bundle assembly itself
 * (EvidenceBundles) and the item repository live in ClaimsModule, because filing uses them too.
 * Every upload's body is read under one UploadGate (`CLAIMS_UPLOAD_CONCURRENCY`).
 */
@Module({
  imports: [ClaimsModule],
  controllers: [EvidenceController],
  providers: [
    EvidenceService,
    EvidenceMetrics,
    EvidenceReception,
    {
      // One gate for the whole process: staff's uploads and residents' links share the slots.
      provide: EVIDENCE_UPLOAD_GATE,
      inject: [CLAIMS_CONFIG],
      useFactory: (config: ClaimsConfig) =>
        new UploadGate(config.uploadConcurrency, config.uploadQueueTimeoutMs),
    },
  ],
  exports: [EvidenceService, EvidenceMetrics, EvidenceReception],
})
export class EvidenceModule {}
