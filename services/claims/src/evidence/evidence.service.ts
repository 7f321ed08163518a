import { Inject, Injectable } from '@nestjs/common';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { Claim } from '../claims/claim';
import { claimClosed } from '../claims/claim-errors';
import { ClaimRepository } from '../claims/claim.repository';
import type { ClaimsConfig } from '../config';
import { claimedAmountOf } from '../parcels/claimed-amount';
import { ParcelRepository } from '../parcels/parcel.repository';
import { actorIdOf } from '../shared/callers';
import { CLAIMS_CONFIG, CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { EvidenceBundles } from './evidence-bundles';
import {
  evidenceBundleNotFound,
  evidenceItemNotFound,
  evidenceLimitReached,
  evidenceRejected,
  evidenceSubjectMismatch,
} from './evidence-errors';
import {
  checkEvidence,
  DEFAULT_EVIDENCE_LIMITS,
  subjectFits,
  type EvidenceLimits,
  type EvidenceRejection,
} from './evidence-intake';
import { EvidenceItemRepository, type EvidenceItemMeta, type UploaderRole } from './evidence-item.repository';
import { parseManifest, sha256Hex } from './evidence-manifest';
import { EvidenceMetrics } from './evidence-metrics';
import { renderEvidencePdf } from './evidence-pdf';
import type { EvidenceUploadForm } from './evidence-upload-parts';
import { describeProblems, type VerificationReport } from './evidence-verification';
import { verifyStoredBundle } from './stored-bundle-verification';

const tracer = () => trace.getTracer('claims-evidence');

/** Who attaches an item: an id (a user, an API key, a resident's link) and its role, never a name. */
export interface Uploader {
  readonly id: string;
  readonly role: UploaderRole;
}

export interface BundleSummary {
  readonly id: string;
  readonly claimId: string;
  readonly manifestSha256: string;
  readonly pdfSha256: string | null;
  readonly createdAt: Date;
}

/** The role an item was uploaded by, kept with it (who exactly is `uploaded_by`, an id). */
export function uploaderRoleOf(p: Principal): UploaderRole {
  if (p.kind === 'property-system') return 'property_system';
  if (p.kind === 'service') return 'service';
  if (p.roles.includes('operator')) return 'operator';
  return p.roles.includes('manager') ? 'manager' : 'steward';
}

/**
 * Evidence of a claim: uploads (checked, re-encoded, stored in claims' own database, nothing on
 * refusal), their listing and download, bundles (manifest + PDF) and their verification. Every
 * call first resolves the claim the caller may see: another tenant's claim is "not found".
 * Logs, spans and metrics carry ids, kinds, codes and hashes; never file names or contents.
 */
@Injectable()
export class EvidenceService {
  private readonly limits: EvidenceLimits;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly claims: ClaimRepository,
    private readonly parcels: ParcelRepository,
    private readonly items: EvidenceItemRepository,
    private readonly bundles: EvidenceBundles,
    private readonly metrics: EvidenceMetrics,
    @Inject(CLAIMS_CONFIG) private readonly config: ClaimsConfig,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('claims') private readonly logger: PinoLogger,
  ) {
    this.limits = {
      ...DEFAULT_EVIDENCE_LIMITS,
      maxBytes: config.maxUploadBytes,
      maxPdfBytes: config.maxUploadBytes,
      maxPixels: config.evidenceMaxPixels,
    };
  }

  /** Counts an upload refused before the checks ran (too large while streaming). */
  refusedInTransit(claimId: string, code: EvidenceRejection): void {
    this.metrics.upload('unknown', code, 0);
    this.logger.info({ claimId, outcome: code }, 'evidence upload refused');
  }

  /** An upload that found every slot busy for its whole wait (its body was never read). */
  refusedBusy(claimId: string): void {
    this.logger.warn({ claimId, outcome: 'uploads_busy' }, 'evidence upload refused');
  }

  async upload(caller: Principal, claimId: string, form: EvidenceUploadForm): Promise<EvidenceItemMeta> {
    return this.checkAndStore(
      claimId,
      { id: actorIdOf(caller), role: uploaderRoleOf(caller) },
      form,
      (m, lock) => this.claims.findVisible(m, caller, claimId, { lock }),
    );
  }

  /**
   * The one path an item takes into a claim, whoever sends it (staff and property systems above,
   * residents through their evidence link): `admit` resolves the claim the uploader may attach to
   * (and throws when they may not) once before the image work and again, locked, in the
   * transaction that stores it; `afterStore` runs in that transaction (a link counts its upload).
   */
  async checkAndStore(
    claimId: string,
    uploader: Uploader,
    form: EvidenceUploadForm,
    admit: (m: EntityManager, lock: boolean) => Promise<Claim>,
    afterStore?: (m: EntityManager, item: EvidenceItemMeta) => Promise<void>,
  ): Promise<EvidenceItemMeta> {
    if (!subjectFits(form.kind, form.subject)) throw evidenceSubjectMismatch();
    // Who may attach to this claim is known before any image work: a refusal costs no decoding.
    const before = await this.uow.read((m) => admit(m, false));
    if (before.closedAt) throw claimClosed(claimId);

    const started = performance.now();
    const checked = await tracer().startActiveSpan('claims.evidence.check', async (span) => {
      span.setAttributes({
        'portico.claim_id': claimId,
        'portico.claims.evidence_kind': form.kind,
        'portico.claims.uploader_role': uploader.role,
      });
      try {
        const result = await checkEvidence(form.kind, form.bytes, this.limits);
        span.setAttribute('portico.claims.evidence_outcome', result.ok ? 'accepted' : result.code);
        return result;
      } finally {
        span.end();
      }
    });
    const seconds = (performance.now() - started) / 1_000;
    if (!checked.ok) {
      this.metrics.upload(form.kind, checked.code, seconds);
      this.logger.info(
        { claimId, kind: form.kind, uploaderRole: uploader.role, outcome: checked.code },
        'evidence upload refused',
      );
      throw evidenceRejected(checked.code, claimId);
    }

    const item = await this.uow.transaction(async (m) => {
      // Locked: two uploads at once cannot both take the last slot, nor race a closing claim.
      const c = await admit(m, true);
      if (c.closedAt) throw claimClosed(claimId);
      if ((await this.items.count(m, c.tenantId, c.id)) >= this.config.evidenceMaxItems)
        throw evidenceLimitReached(c.id, this.config.evidenceMaxItems);
      const stored = {
        id: this.ids('evi'),
        tenantId: c.tenantId,
        claimId: c.id,
        kind: form.kind,
        subject: form.subject,
        contentType: checked.contentType,
        sourceType: checked.sourceType,
        sha256: sha256Hex(checked.bytes),
        bytes: checked.bytes.length,
        width: checked.width,
        height: checked.height,
        uploadedBy: uploader.id,
        uploadedByRole: uploader.role,
        createdAt: this.clock(),
        content: checked.bytes,
      };
      await this.items.insert(m, stored);
      const { content: _content, ...meta } = stored;
      await afterStore?.(m, meta);
      return meta;
    });
    this.metrics.upload(form.kind, 'accepted', seconds);
    trace.getActiveSpan()?.setAttribute('portico.claims.evidence_item_id', item.id);
    this.logger.info(
      {
        claimId,
        itemId: item.id,
        kind: item.kind,
        subject: item.subject,
        sourceType: item.sourceType,
        uploaderRole: uploader.role,
        bytes: item.bytes,
        sha256: item.sha256,
        checkMs: Math.round(seconds * 1_000),
      },
      'evidence item stored',
    );
    return item;
  }

  list(caller: Principal, claimId: string): Promise<EvidenceItemMeta[]> {
    return this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      return this.items.list(m, c.tenantId, c.id);
    });
  }

  content(caller: Principal, claimId: string, itemId: string) {
    return this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      const item = await this.items.get(m, c.tenantId, c.id, itemId);
      if (!item) throw evidenceItemNotFound(itemId);
      return item;
    });
  }

  /** A bundle of the claim as it is now (filing assembles its own, see CarrierWorker). */
  async assemble(caller: Principal, claimId: string): Promise<BundleSummary> {
    const bundle = await this.uow.transaction(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      const parcel = await this.parcels.find(m, c.tenantId, c.parcel.parcelId);
      return this.bundles.assemble(m, c, claimedAmountOf(parcel));
    });
    this.logger.info(
      { claimId, bundleId: bundle.id, manifestSha256: bundle.manifestSha256 },
      'evidence bundle assembled',
    );
    return {
      id: bundle.id,
      claimId,
      manifestSha256: bundle.manifestSha256,
      pdfSha256: null,
      createdAt: this.clock(),
    };
  }

  listBundles(caller: Principal, claimId: string): Promise<BundleSummary[]> {
    return this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      return this.bundles.list(m, c.id);
    });
  }

  private bundle(caller: Principal, claimId: string, bundleId: string) {
    return this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      const b = await this.bundles.find(m, c.id, bundleId);
      if (!b) throw evidenceBundleNotFound(bundleId);
      return { claim: c, bundle: b };
    });
  }

  async manifest(caller: Principal, claimId: string, bundleId: string) {
    const { bundle } = await this.bundle(caller, claimId, bundleId);
    return { json: bundle.manifestJson, sha256: bundle.manifestSha256 };
  }

  /** The bundle's PDF: rendered on first request and kept, so every later download is the same file. */
  async pdf(caller: Principal, claimId: string, bundleId: string): Promise<{ pdf: Buffer; sha256: string }> {
    const { claim, bundle } = await this.bundle(caller, claimId, bundleId);
    if (bundle.pdf && bundle.pdfSha256) return { pdf: bundle.pdf, sha256: bundle.pdfSha256 };
    const manifest = parseManifest(bundle.manifestJson);
    const listed = new Set(manifest.items.map((i) => i.id));
    const images = await this.uow.read(async (m) =>
      (await this.items.listWithContent(m, claim.tenantId, claim.id))
        .filter((i) => listed.has(i.id) && i.contentType === 'image/jpeg')
        .map((i) => ({ id: i.id, jpeg: i.content })),
    );
    const started = performance.now();
    const pdf = await tracer().startActiveSpan('claims.evidence.render', async (span: Span) => {
      span.setAttributes({
        'portico.claim_id': claimId,
        'portico.claims.evidence_bundle_id': bundleId,
        'portico.claims.evidence_items': manifest.items.length,
      });
      try {
        const rendered = await renderEvidencePdf({ manifest, manifestSha256: bundle.manifestSha256, images });
        span.setAttribute('portico.claims.evidence_pdf_bytes', rendered.length);
        return rendered;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'render failed' });
        this.metrics.render('failed', 0);
        throw error;
      } finally {
        span.end();
      }
    });
    const seconds = (performance.now() - started) / 1_000;
    const sha256 = sha256Hex(pdf);
    await this.uow.transaction((m) => this.bundles.storePdf(m, bundleId, pdf, sha256));
    this.metrics.render('rendered', seconds);
    this.logger.info(
      { claimId, bundleId, pdfBytes: pdf.length, pdfSha256: sha256, renderMs: Math.round(seconds * 1_000) },
      'evidence bundle rendered',
    );
    // Whatever was stored first is the bundle's PDF (two first downloads at once render twice).
    const kept = await this.uow.read((m) => this.bundles.find(m, claim.id, bundleId));
    return kept?.pdf && kept.pdfSha256 ? { pdf: kept.pdf, sha256: kept.pdfSha256 } : { pdf, sha256 };
  }

  async verify(caller: Principal, claimId: string, bundleId: string): Promise<VerificationReport> {
    const report = await this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      if (!(await this.bundles.find(m, c.id, bundleId))) throw evidenceBundleNotFound(bundleId);
      return (await verifyStoredBundle(m, bundleId))!;
    });
    this.metrics.verification(report.ok);
    if (report.ok) this.logger.info({ claimId, bundleId }, 'evidence bundle verified intact');
    else
      this.logger.warn(
        { claimId, bundleId, problems: describeProblems(report) },
        'evidence bundle verification failed',
      );
    return report;
  }
}
