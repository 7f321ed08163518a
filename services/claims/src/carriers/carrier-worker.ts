import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, type EntityManager } from 'typeorm';
import { incidentKindOf, isOpen, type Claim } from '../claims/claim';
import { ClaimMetrics } from '../claims/claim-metrics';
import { ClaimWorkflow } from '../claims/claim-workflow.service';
import { ClaimRepository } from '../claims/claim.repository';
import type { ClaimsConfig } from '../config';
import { EvidenceBundles } from '../evidence/evidence-bundles';
import { PollLoop } from '../shared/poll-loop';
import { CLAIMS_CONFIG, CLOCK, type Clock } from '../shared/tokens';
import { CarrierRejectedError, type CarrierCase } from './carrier-claims-gateway';
import { CarrierGateways, CarrierUnconfiguredError } from './carrier-gateways';
import { CarrierRequestRepository, type CarrierRequest } from './carrier-request.repository';

const LEASE_MS = 120_000;
const MAX_ATTEMPTS = 10;

/**
 * Performs the carrier work the workflow queued (inquiries, filings, status polls), never inside a
 * database transaction: lease a request row (SKIP LOCKED; a crashed worker's lease lapses and any
 * instance takes it again), call the carrier, then record the outcome through ClaimWorkflow in a
 * new transaction. Failures retry with back-off (2^n s, at most 1 h) up to 10 attempts; a refusal
 * (4xx) or a carrier without a channel fails the request at once. The polling interval only
 * decides how soon work starts: the rows are the durable state, so a restart loses nothing.
 */
@Injectable()
export class CarrierWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollLoop;
  private readonly tracer = trace.getTracer('claims-carrier-worker');

  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: CarrierRequestRepository,
    private readonly claims: ClaimRepository,
    private readonly workflow: ClaimWorkflow,
    private readonly gateways: CarrierGateways,
    private readonly evidence: EvidenceBundles,
    private readonly metrics: ClaimMetrics,
    @Inject(CLAIMS_CONFIG) private readonly config: ClaimsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('claims-carrier-worker') private readonly logger: PinoLogger,
  ) {
    this.loop = new PollLoop(
      () => this.drain(),
      config.carrierWorkerIntervalMs,
      (e) => this.logger.error({ err: e }, 'carrier worker poll failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Performs due requests until none is left (one at a time per instance). */
  async drain(): Promise<void> {
    while (!this.loop.stopped) {
      const r = await this.requests.lease(this.dataSource.manager, this.clock(), LEASE_MS);
      if (!r) return;
      await this.tracer.startActiveSpan(`carrier-request ${r.kind}`, async (span) => {
        span.setAttributes({ 'portico.claim_id': r.claimId, 'portico.claims.channel': r.channel });
        try {
          await this.perform(r);
          this.metrics.carrierRequest(r.kind, r.channel, 'done');
        } catch (e) {
          const giveUp =
            e instanceof CarrierRejectedError ||
            e instanceof CarrierUnconfiguredError ||
            r.attempts >= MAX_ATTEMPTS;
          const delay = Math.min(3_600_000, 1_000 * 2 ** r.attempts);
          const error = e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';
          await this.requests.retryLater(
            this.dataSource.manager,
            r.id,
            new Date(this.clock().getTime() + delay),
            error,
            giveUp,
          );
          this.metrics.carrierRequest(r.kind, r.channel, giveUp ? 'failed' : 'retry');
          span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.name : 'error' });
          this.logger.warn(
            { requestId: r.id, claimId: r.claimId, kind: r.kind, attempts: r.attempts, giveUp, error },
            'carrier request failed',
          );
        } finally {
          span.end();
        }
      });
    }
  }

  private async perform(r: CarrierRequest): Promise<void> {
    const claim = await this.claims.findById(this.dataSource.manager, r.claimId);
    if (!claim || !isOpen(claim)) return this.finish(r);
    const gateway = this.gateways.for(claim.parcel.carrierCode);
    switch (r.kind) {
      case 'inquiry': {
        const { reference } = await gateway.sendInquiry(caseOf(claim));
        await this.inClaim(r, async (m, c) => {
          await this.workflow.inquirySent(m, c, r.subjectId, r.channel, reference);
          if (reference) await this.poll(m, r, 'inquiry_status');
        });
        return;
      }
      case 'inquiry_status': {
        const inquiry = await this.requests.inquiry(this.dataSource.manager, r.subjectId);
        if (!inquiry?.carrierReference || inquiry.answeredAt) return this.finish(r);
        const outcome = await gateway.inquiryStatus(inquiry.carrierReference);
        await this.inClaim(r, async (m, c) => {
          if (outcome && c.state === 'carrier_inquiry')
            await this.workflow.answerInquiry(m, c, inquiry.id, outcome, null);
          else if (!outcome && c.state === 'carrier_inquiry') await this.poll(m, r, 'inquiry_status');
        });
        return;
      }
      case 'filing': {
        const filing = await this.requests.filing(this.dataSource.manager, r.subjectId);
        if (!filing || filing.filedAt) return this.finish(r);
        const claimed = { currencyCode: filing.claimedCurrency, amountMinor: filing.claimedMinor };
        // the bundle is assembled (and stored) before the call: what is filed is what is kept
        const bundle = await this.dataSource.transaction((m) => this.evidence.assemble(m, claim, claimed));
        const { reference } = await gateway.fileClaim({
          ...caseOf(claim),
          filingId: filing.id,
          claimed,
          evidenceBundleId: bundle.id,
          manifestJson: bundle.manifestJson,
          manifestSha256: bundle.manifestSha256,
        });
        await this.inClaim(r, async (m, c) => {
          await this.workflow.filed(m, c, {
            filingId: filing.id,
            channel: r.channel,
            claimed,
            bundleId: bundle.id,
            manifestSha256: Buffer.from(bundle.manifestSha256, 'hex'),
            reference,
          });
        });
        return;
      }
      case 'filing_status': {
        const filing = await this.requests.filing(this.dataSource.manager, r.subjectId);
        if (!filing?.carrierReference) return this.finish(r);
        const answer = await gateway.claimStatus(filing.carrierReference);
        await this.inClaim(r, async (m, c) => {
          if (!answer) return;
          await this.requests.addFilingMessages(m, filing.id, answer.messages);
          const { final } = await this.workflow.carrierStatus(
            m,
            c,
            filing.id,
            filing.carrierReference!,
            answer.status,
            answer.approved,
            null,
          );
          if (!final) await this.poll(m, r, 'filing_status');
        });
        return;
      }
    }
  }

  /** Records an outcome: claim locked, work done, request marked done, one transaction. */
  private async inClaim(
    r: CarrierRequest,
    work: (m: EntityManager, c: Claim) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const c = await this.claims.findById(m, r.claimId, { lock: true });
      if (c && isOpen(c)) await work(m, c);
      await this.requests.done(m, r.id, this.clock());
    });
  }

  private finish(r: CarrierRequest): Promise<void> {
    return this.requests.done(this.dataSource.manager, r.id, this.clock());
  }

  private async poll(
    m: EntityManager,
    r: CarrierRequest,
    kind: 'inquiry_status' | 'filing_status',
  ): Promise<void> {
    const now = this.clock();
    await this.requests.enqueue(m, {
      claimId: r.claimId,
      kind,
      channel: r.channel,
      subjectId: r.subjectId,
      at: now,
      notBefore: new Date(now.getTime() + this.config.carrierStatusPollMs),
    });
  }
}

function caseOf(c: Claim): CarrierCase {
  return {
    claimId: c.id,
    carrierCode: c.parcel.carrierCode,
    trackingNumber: c.parcel.trackingNumber,
    kind: incidentKindOf(c.reason),
  };
}
