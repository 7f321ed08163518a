import { Module } from '@nestjs/common';
import { CaseRepository } from '../cases/case.repository';
import { ResidentStatusController } from './resident-status.controller';
import { ResidentStatusService } from './resident-status.service';
import { StatusLinkRepository } from './status-link.repository';
import { StatusLinksController } from './status-links.controller';
import { STATUS_TOKEN_SOURCE, StatusLinksService } from './status-links.service';
import { StatusMetrics } from './status-metrics';
import { systemTokenSource } from './status-token';

/**
 * Residents' status links and the status page data. Reads cases through CaseRepository (stateless
 * SQL, provided here again rather than exported from CasesModule) and writes only its own table.
 */
@Module({
  controllers: [StatusLinksController, ResidentStatusController],
  providers: [
    CaseRepository,
    StatusLinkRepository,
    StatusLinksService,
    ResidentStatusService,
    StatusMetrics,
    { provide: STATUS_TOKEN_SOURCE, useValue: systemTokenSource },
  ],
})
export class ResidentStatusModule {}
