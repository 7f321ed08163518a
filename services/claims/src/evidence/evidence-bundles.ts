import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Claim } from '../claims/claim';
import { ClaimLogRepository } from '../claims/claim-log.repository';
import { ClaimRepository } from '../claims/claim.repository';
import { ParcelRepository } from '../parcels/parcel.repository';
import type { Money } from '../parcels/parcel';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { EvidenceItemRepository } from './evidence-item.repository';
import { buildManifest } from './evidence-manifest';

export interface EvidenceBundle {
  readonly id: string;
  readonly manifestJson: string;
  readonly manifestSha256: string;
}

export interface StoredBundle extends EvidenceBundle {
  readonly claimId: string;
  readonly createdAt: Date;
  readonly pdf: Buffer | null;
  readonly pdfSha256: string | null;
}

interface BundleRow {
  id: string;
  claim_id: string;
  manifest_text: string | null;
  manifest: unknown;
  manifest_sha256: string;
  pdf: Buffer | null;
  pdf_sha256: string | null;
  created_at: Date;
}

/**
 * Assembles a claim's evidence bundle (manifest) from claims' own tables and stores it; keeps its
 * rendered PDF once made. The manifest's exact text is stored beside the jsonb copy, since its
 * SHA-256 (on ClaimFiled) is over those bytes.
 */
@Injectable()
export class EvidenceBundles {
  constructor(
    private readonly parcels: ParcelRepository,
    private readonly claims: ClaimRepository,
    private readonly log: ClaimLogRepository,
    private readonly items: EvidenceItemRepository,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async assemble(m: EntityManager, c: Claim, claimed: Money): Promise<EvidenceBundle> {
    const id = this.ids('evb');
    const parcel = await this.parcels.find(m, c.tenantId, c.parcel.parcelId);
    const { json, sha256 } = buildManifest({
      bundleId: id,
      createdAt: this.clock(),
      claim: {
        id: c.id,
        reason: c.reason,
        openedAt: c.openedAt,
        parcelId: c.parcel.parcelId,
        carrierCode: c.parcel.carrierCode,
        trackingNumber: c.parcel.trackingNumber,
        lane: c.lane,
      },
      claimed,
      insurance: parcel?.insuredValue ? { ...parcel.insuredValue, source: parcel.insuredSource ?? 'carrier' } : null,
      declared: parcel?.declaredValue ?? null,
      trackingHistory: await this.parcels.scans(m, c.tenantId, c.parcel.parcelId),
      communicationLog: await this.log.list(m, c.id),
      decisionHistory: await this.claims.history(m, c.id),
      items: (await this.items.list(m, c.tenantId, c.id)).map((it) => ({
        id: it.id,
        kind: it.kind,
        subject: it.subject,
        contentType: it.contentType,
        sha256: it.sha256,
        bytes: it.bytes,
      })),
    });
    await m.query(
      `INSERT INTO claims_evidence_bundles (id, claim_id, manifest, manifest_text, manifest_sha256, created_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
      // Two parameters: one used as both would be typed jsonb, and the text column would get jsonb's
      // normalised rendering instead of the hashed bytes.
      [id, c.id, json, json, sha256, this.clock()],
    );
    return { id, manifestJson: json, manifestSha256: sha256 };
  }

  async find(m: EntityManager, claimId: string, bundleId: string): Promise<StoredBundle | undefined> {
    const rows = (await m.query(`SELECT * FROM claims_evidence_bundles WHERE claim_id = $1 AND id = $2`, [
      claimId,
      bundleId,
    ])) as BundleRow[];
    return rows[0] && toStored(rows[0]);
  }

  /** Newest first, without the PDF bytes. */
  async list(m: EntityManager, claimId: string): Promise<Array<Omit<StoredBundle, 'pdf' | 'manifestJson'>>> {
    const rows = (await m.query(
      `SELECT id, claim_id, manifest_sha256, pdf_sha256, created_at FROM claims_evidence_bundles
        WHERE claim_id = $1 ORDER BY created_at DESC, id DESC`,
      [claimId],
    )) as BundleRow[];
    return rows.map((r) => ({
      id: r.id,
      claimId: r.claim_id,
      manifestSha256: r.manifest_sha256,
      pdfSha256: r.pdf_sha256,
      createdAt: r.created_at,
    }));
  }

  /** Kept once rendered: a bundle's PDF does not change after a carrier may have seen it. */
  async storePdf(m: EntityManager, bundleId: string, pdf: Buffer, pdfSha256: string): Promise<void> {
    await m.query(`UPDATE claims_evidence_bundles SET pdf = $2, pdf_sha256 = $3 WHERE id = $1 AND pdf IS NULL`, [
      bundleId,
      pdf,
      pdfSha256,
    ]);
  }
}

function toStored(r: BundleRow): StoredBundle {
  return {
    id: r.id,
    claimId: r.claim_id,
    // Bundles written before manifest_text existed: the jsonb copy (its hash will not match, which
    // verification then reports — it is the truth about such a row).
    manifestJson: r.manifest_text ?? JSON.stringify(r.manifest),
    manifestSha256: r.manifest_sha256,
    pdf: r.pdf,
    pdfSha256: r.pdf_sha256,
    createdAt: r.created_at,
  };
}
