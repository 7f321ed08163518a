import {
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@portico/observability';
import { createPublicKey } from 'node:crypto';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AuditHeadSigner, JsonLinesAuditHeadSink, scheduleAuditHeadSigning } from './audit/audit-head-signer';
import { AuditLog } from './audit/audit-log';
import { verifyAuditLog } from './audit/audit-verifier';
import { createAuditMetrics, type AuditMetrics } from './audit/audit-metrics';
import { ChainedAuditTrail } from './audit/audit-trail.adapter';
import { createBlobStore } from './blobs/blob-settings';
import type { BlobStore } from './blobs/blob-store';
import { OrphanBlobSweeper } from './blobs/orphan-blob-sweeper';
import { ORPHAN_SWEEP_INTERVAL_MS, ORPHAN_SWEEPER, OrphanSweepWatch } from './blobs/orphan-sweep.watch';
import { ClearanceCaseConsumer } from './cases/clearance-case.consumer';
import { RecipientResolvedConsumer } from './cases/recipient-resolved.consumer';
import { VaultCaseRepository } from './cases/vault-case.repository';
import { VaultCasesService } from './cases/vault-cases.service';
import { ArrivalChecker, CHECK_SETTINGS } from './checks/arrival-checker';
import type { IdVaultConfig } from './config';
import { EnvelopeSealedDocuments } from './crypto/envelope-sealed-documents';
import { DocumentCipher } from './crypto/document-cipher';
import { EncryptedDocumentStore } from './crypto/encrypted-document-store';
import { ConsentRepository } from './documents/consent.repository';
import { DocumentChecker, SealedDocuments } from './documents/document-ports';
import { VaultDocumentRepository } from './documents/vault-document.repository';
import { VaultEventWriter } from './events/vault-event-writer';
import { RelayAdapters } from './relay/relay-adapter';
import { createRelayAdapters } from './relay/relay-adapters.factory';
import { emailRelaySettingsFrom } from './relay/email-relay-settings';
import { RelayGrantsController } from './relay/relay-grants.controller';
import { RelayPushScheduler, RelayScheduler } from './relay/relay-scheduler';
import { RELAY_SETTINGS, RelayService } from './relay/relay.service';
import { Watermarker } from './relay/watermarker';
import { UploadGate } from '@portico/images';
import { MAX_UPLOAD_BYTES, ResidentController, UPLOAD_GATE } from './resident/resident.controller';
import { ResidentUploadService } from './resident/resident-upload.service';
import { UploadSubmissionRepository } from './resident/upload-submission.repository';
import { RetentionScheduler } from './retention/retention-scheduler';
import { RetentionService } from './retention/retention.service';
import { TIMER_POLL_INTERVAL_MS, VaultTimerRunner } from './retention/vault-timer-runner';
import { ReviewController } from './review/review.controller';
import { ReviewService, VIEW_LINK_TTL_SECONDS } from './review/review.service';
import { AuditTrail } from './shared/audit-trail';
import { RETENTION_DAYS } from './shared/tokens';
import { createVaultMetrics, VAULT_METRICS, type VaultMetrics } from './shared/vault-metrics';
import { UploadRequestRepository } from './upload-requests/upload-request.repository';
import { UploadRequestsController } from './upload-requests/upload-requests.controller';
import { UPLOAD_LINKS, UploadRequestsService } from './upload-requests/upload-requests.service';
import { SharpWatermarker } from './watermark/sharp-watermarker';

const AUDIT_METRICS = 'id-vault:audit-metrics';
const AUDIT_SIGNING = 'id-vault:audit-signing';
const BLOB_STORE = 'id-vault:blob-store';
const AUDIT_VERIFY_INTERVAL_MS = 3_600_000;

/**
 * Keeps the audit chain watched while the service runs: signs the head every
 * AUDIT_SIGN_INTERVAL_SECONDS (when a key and an export dir are set), and verifies the whole chain
 * against the signed heads at start and hourly, which is what
 * portico_vault_audit_chain_last_verified_timestamp_seconds (and its staleness alert) reports.
 */
@Injectable()
class AuditWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private schedule: { stop(): void } | undefined;
  private verifier: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_METRICS) private readonly metrics: AuditMetrics,
    @Inject(AUDIT_SIGNING)
    private readonly config: Pick<
      IdVaultConfig,
      'auditSigningKey' | 'auditExportDir' | 'auditSignIntervalSeconds'
    >,
    @InjectPinoLogger('id-vault-audit') private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    const { auditSigningKey, auditExportDir, auditSignIntervalSeconds } = this.config;
    const sink = auditExportDir ? new JsonLinesAuditHeadSink(auditExportDir) : undefined;
    if (auditSigningKey && sink) {
      const signer = new AuditHeadSigner({
        db: this.dataSource,
        privateKey: auditSigningKey,
        sink,
        metrics: this.metrics,
      });
      this.schedule = scheduleAuditHeadSigning(signer, {
        intervalSeconds: auditSignIntervalSeconds,
        onOutcome: (o) => {
          if (o.outcome === 'refused')
            this.logger.error({ problem: o.problem }, 'audit chain broken: head not signed');
        },
        onError: (e) => this.logger.warn({ err: e }, 'audit head signing failed; retried next interval'),
      });
    } else {
      this.logger.warn(
        'audit head signing is off (AUDIT_SIGNING_KEY or AUDIT_EXPORT_DIR unset): a truncated audit tail would go unnoticed',
      );
    }
    const publicKeys = auditSigningKey ? [createPublicKey(auditSigningKey)] : [];
    const verify = () =>
      verifyAuditLog({ dataSource: this.dataSource, heads: sink, publicKeys, metrics: this.metrics })
        .then((report) => {
          if (!report.ok)
            this.logger.error({ problems: report.problems.slice(0, 5) }, 'audit chain verification failed');
        })
        .catch((e: unknown) => this.logger.warn({ err: e }, 'audit chain verification could not run'));
    void verify();
    this.verifier = setInterval(() => void verify(), AUDIT_VERIFY_INTERVAL_MS);
    this.verifier.unref();
  }

  onApplicationShutdown(): void {
    this.schedule?.stop();
    if (this.verifier) clearInterval(this.verifier);
  }
}

/**
 * The vault's features in one module: they share the case projection, the documents and the sealed
 * storage. Ports (DocumentChecker, SealedDocuments, Watermarker, RelayAdapters, AuditTrail) are bound
 * here to their implementations, so features and their unit tests depend only on the ports.
 */
@Module({})
export class VaultModule {
  static forRoot(config: IdVaultConfig): DynamicModule {
    return {
      module: VaultModule,
      controllers: [
        ClearanceCaseConsumer,
        RecipientResolvedConsumer,
        UploadRequestsController,
        ResidentController,
        ReviewController,
        RelayGrantsController,
      ],
      providers: [
        { provide: RETENTION_DAYS, useValue: config.purgeAfterDays },
        {
          provide: UPLOAD_LINKS,
          useValue: { publicBaseUrl: config.publicBaseUrl, ttlMinutes: config.uploadLinkTtlMinutes },
        },
        { provide: VIEW_LINK_TTL_SECONDS, useValue: config.viewLinkTtlSeconds },
        { provide: MAX_UPLOAD_BYTES, useValue: config.maxUploadBytes },
        {
          provide: UPLOAD_GATE,
          useValue: new UploadGate(config.uploadConcurrency, config.uploadQueueTimeoutMs),
        },
        { provide: TIMER_POLL_INTERVAL_MS, useValue: config.timerPollIntervalMs },
        {
          provide: CHECK_SETTINGS,
          useValue: { digestKeys: config.recipientDigestKeys, maxUploadBytes: config.maxUploadBytes },
        },
        {
          provide: RELAY_SETTINGS,
          useValue: {
            publicBaseUrl: config.publicBaseUrl,
            grantTtlMinutes: config.relayGrantTtlMinutes,
            grantMaxUses: config.relayGrantMaxUses,
            destinations: config.relayDestinations,
          },
        },
        { provide: AUDIT_SIGNING, useValue: config },
        { provide: VAULT_METRICS, useFactory: createVaultMetrics, inject: [METRICS_REGISTRY] },
        { provide: AUDIT_METRICS, useFactory: createAuditMetrics, inject: [METRICS_REGISTRY] },
        {
          provide: AuditLog,
          useFactory: (metrics: AuditMetrics) => new AuditLog({ metrics }),
          inject: [AUDIT_METRICS],
        },
        { provide: AuditTrail, useClass: ChainedAuditTrail },
        {
          provide: BLOB_STORE,
          useFactory: (ds: DataSource) => createBlobStore(config, ds),
          inject: [DataSource],
        },
        {
          provide: EncryptedDocumentStore,
          useFactory: (ds: DataSource, blobs: BlobStore) =>
            new EncryptedDocumentStore(ds, new DocumentCipher(config.keyEncryptionKeys), blobs),
          inject: [DataSource, BLOB_STORE],
        },
        {
          provide: ORPHAN_SWEEPER,
          useFactory: (ds: DataSource, store: BlobStore, metrics: VaultMetrics) =>
            new OrphanBlobSweeper({
              dataSource: ds,
              store,
              graceMs: config.orphanGraceMs,
              deleted: metrics.orphanBlobsDeleted,
            }),
          inject: [DataSource, BLOB_STORE, VAULT_METRICS],
        },
        { provide: ORPHAN_SWEEP_INTERVAL_MS, useValue: config.orphanSweepIntervalMs },
        OrphanSweepWatch,
        { provide: SealedDocuments, useClass: EnvelopeSealedDocuments },
        { provide: DocumentChecker, useClass: ArrivalChecker },
        { provide: Watermarker, useClass: SharpWatermarker },
        {
          provide: RelayAdapters,
          useFactory: () => createRelayAdapters(config.relayDestinations, emailRelaySettingsFrom(config)),
        },
        AuditWatch,
        VaultCaseRepository,
        UploadRequestRepository,
        ConsentRepository,
        VaultDocumentRepository,
        VaultEventWriter,
        VaultCasesService,
        UploadRequestsService,
        ResidentUploadService,
        UploadSubmissionRepository,
        ReviewService,
        RelayScheduler,
        RelayPushScheduler,
        RelayService,
        RetentionScheduler,
        RetentionService,
        VaultTimerRunner,
      ],
    };
  }
}
