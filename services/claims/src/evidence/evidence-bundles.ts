import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Claim } from '../claims/claim';
import { ClaimLogRepository } from '../claims/claim-log.repository';
import { ParcelRepository } from '../parcels/parcel.repository';
import type { Money } from '../parcels/parcel';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { buildManifest } from './evidence-manifest';

export interface EvidenceBundle {
  readonly id: string;
  readonly manifestJson: string;
  readonly manifestSha256: string;
}

/** Assembles a claim's evidence bundle (manifest) from claims' own tables and stores it. */
@Injectable()
export class EvidenceBundles {
  constructor(
    private readonly parcels: ParcelRepository,
    private readonly log: ClaimLogRepository,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async assemble(m: EntityManager, c: Claim, claimed: Money): Promise<EvidenceBundle> {
    const id = this.ids('evb');
    const items = (await m.query(
      `SELECT id, kind, content_type, sha256, octet_length(bytes) AS bytes FROM claims_evidence_items WHERE claim_id = $1 ORDER BY created_at, id`,
      [c.id],
    )) as Array<{ id: string; kind: string; content_type: string; sha256: string; bytes: number }>;
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
      trackingHistory: await this.parcels.scans(m, c.tenantId, c.parcel.parcelId),
      communicationLog: await this.log.list(m, c.id),
      items: items.map((it) => ({
        id: it.id,
        kind: it.kind,
        contentType: it.content_type,
        sha256: it.sha256,
        bytes: Number(it.bytes),
      })),
    });
    await m.query(
      `INSERT INTO claims_evidence_bundles (id, claim_id, manifest, manifest_sha256, created_at) VALUES ($1, $2, $3::jsonb, $4, $5)`,
      [id, c.id, json, sha256, this.clock()],
    );
    return { id, manifestJson: json, manifestSha256: sha256 };
  }
}
