import { Module } from '@nestjs/common';
import { CarrierGateways } from '../carriers/carrier-gateways';
import { CarrierRequestRepository } from '../carriers/carrier-request.repository';
import { CarrierWorker } from '../carriers/carrier-worker';
import { EvidenceBundles } from '../evidence/evidence-bundles';
import { EvidenceItemRepository } from '../evidence/evidence-item.repository';
import { DetectionService } from '../detection/detection.service';
import { OutreachConsumer } from '../parcels/outreach.consumer';
import { ParcelRepository } from '../parcels/parcel.repository';
import { TrackingConsumer } from '../parcels/tracking.consumer';
import { SelfServiceController } from '../self-service/self-service.controller';
import { SelfServiceService } from '../self-service/self-service.service';
import { SettingsController } from '../settings/settings.controller';
import { SettingsRepository } from '../settings/settings.repository';
import { TenantSettings } from '../settings/tenant-settings';
import { ClaimCommands } from './claim-commands.service';
import { ClaimLogRepository } from './claim-log.repository';
import { ClaimMetrics } from './claim-metrics';
import { OpenClaimsGauge } from './open-claims.gauge';
import { ClaimTimerHandlers } from './claim-timer-handlers';
import { ClaimTimers } from './claim-timers';
import { ClaimWorkflow } from './claim-workflow.service';
import { ClaimWriter } from './claim-writer';
import { ClaimRepository } from './claim.repository';
import { ClaimsController } from './claims.controller';

/**
 * Claims: the parcel projection and detection (parcels/, detection/), the claim workflow and its
 * timers (claims/), tenant settings (settings/) and self-service intents (self-service/). One
 * module: they share the claim row and its writer.
 */
@Module({
  controllers: [
    TrackingConsumer,
    OutreachConsumer,
    ClaimsController,
    SettingsController,
    SelfServiceController,
  ],
  providers: [
    ParcelRepository,
    ClaimRepository,
    ClaimLogRepository,
    CarrierRequestRepository,
    SettingsRepository,
    TenantSettings,
    ClaimMetrics,
    OpenClaimsGauge,
    ClaimWriter,
    ClaimTimers,
    ClaimWorkflow,
    DetectionService,
    ClaimTimerHandlers,
    ClaimCommands,
    SelfServiceService,
    CarrierGateways,
    EvidenceBundles,
    EvidenceItemRepository,
    CarrierWorker,
  ],
  exports: [
    ClaimWorkflow,
    ClaimRepository,
    ParcelRepository,
    CarrierRequestRepository,
    ClaimLogRepository,
    ClaimMetrics,
    EvidenceBundles,
    EvidenceItemRepository,
  ],
})
export class ClaimsModule {}
