import { Module } from '@nestjs/common';
import { ClaimsModule } from '../claims/claims.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { EvidenceLinksController } from './evidence-links.controller';
import { EvidenceLinkRepository } from './evidence-link.repository';
import { EvidencePageController } from './evidence-page.controller';
import { ResidentEvidenceService } from './resident-evidence.service';

/** Residents' one-time evidence links: issued by staff (API), used on the resident's page (`/e/<token>`). */
@Module({
  imports: [ClaimsModule, EvidenceModule],
  controllers: [EvidenceLinksController, EvidencePageController],
  providers: [ResidentEvidenceService, EvidenceLinkRepository],
})
export class ResidentModule {}
