import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { hashSecret, issueSecret, looksLikeSecret, type Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { Claim } from '../claims/claim';
import { ClaimRepository } from '../claims/claim.repository';
import type { ClaimsConfig } from '../config';
import { EvidenceItemRepository, type EvidenceItemMeta } from '../evidence/evidence-item.repository';
import { EvidenceMetrics } from '../evidence/evidence-metrics';
import type { EvidenceUploadForm } from '../evidence/evidence-upload-parts';
import { EvidenceService } from '../evidence/evidence.service';
import { actorIdOf } from '../shared/callers';
import { CLAIMS_CONFIG, CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import {
  claimEvidenceNotNeeded,
  evidenceLinkEnded,
  evidenceLinkNotFound,
  evidenceLinkUnknown,
} from './evidence-link-errors';
import {
  linkExpiry,
  linkState,
  needsEvidence,
  type EvidenceLanguage,
  type EvidenceLink,
  type LinkState,
} from './evidence-link';
import { EvidenceLinkRepository } from './evidence-link.repository';

export interface IssuedEvidenceLink {
  readonly linkId: string;
  readonly claimId: string;
  /** The only time the secret exists outside the resident's message: it is not stored. */
  readonly url: string;
  readonly expiresAt: Date;
  readonly maxUploads: number;
  readonly revokedLinkIds: readonly string[];
}

/** What the resident's page shows: the parcel by carrier and waybill, the claim's reason, what they added. */
export interface ResidentEvidenceView {
  readonly link: EvidenceLink;
  readonly state: LinkState;
  readonly claimId: string;
  readonly claimReason: Claim['reason'];
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly added: ReadonlyArray<Pick<EvidenceItemMeta, 'id' | 'kind' | 'subject' | 'createdAt'>>;
}

const setSpanIds = (ids: Record<string, string>) => {
  const span = trace.getActiveSpan();
  for (const [k, v] of Object.entries(ids))
    span?.setAttribute(k === 'claim_id' ? 'portico.claim_id' : `portico.claims.${k}`, v);
};

/**
 * Residents' one-time evidence links: issued by staff or a property system for a claim that still
 * needs evidence (before filing), sent to the resident by whoever issued it, then used without an
 * account: the token is the credential. Uploads go through EvidenceService.checkAndStore, the one
 * path of every item (same checks, same table, role `resident`, uploaded by the link's id).
 * Logs, spans and metrics carry claim and link ids, never the token or anything personal.
 */
@Injectable()
export class ResidentEvidenceService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly claims: ClaimRepository,
    private readonly links: EvidenceLinkRepository,
    private readonly items: EvidenceItemRepository,
    private readonly evidence: EvidenceService,
    private readonly metrics: EvidenceMetrics,
    @Inject(CLAIMS_CONFIG) private readonly config: ClaimsConfig,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('claims') private readonly logger: PinoLogger,
  ) {}

  /** A new link for the claim; the claim's links still open are revoked (one link in use at a time). */
  async issue(caller: Principal, claimId: string, language: EvidenceLanguage): Promise<IssuedEvidenceLink> {
    const issued = await this.uow.transaction(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId, { lock: true });
      if (!needsEvidence(c)) throw claimEvidenceNotNeeded(c.id, c.state);
      const now = this.clock();
      const by = actorIdOf(caller);
      const revokedLinkIds = await this.links.revokeOpen(m, c.tenantId, c.id, by, now);
      const secret = issueSecret();
      const link: EvidenceLink = {
        id: this.ids('evl'),
        tenantId: c.tenantId,
        claimId: c.id,
        language,
        maxUploads: this.config.evidenceLinkMaxUploads,
        uploads: 0,
        expiresAt: linkExpiry(now, this.config.evidenceLinkTtlHours),
        issuedBy: by,
        createdAt: now,
        finishedAt: null,
        revokedAt: null,
      };
      await this.links.insert(m, link, secret.hash);
      return {
        linkId: link.id,
        claimId: c.id,
        url: `${this.config.publicUrl}/e/${secret.token}`,
        expiresAt: link.expiresAt,
        maxUploads: link.maxUploads,
        revokedLinkIds,
      };
    });
    setSpanIds({ claim_id: claimId, evidence_link_id: issued.linkId });
    this.metrics.link('issued');
    for (const _ of issued.revokedLinkIds) this.metrics.link('revoked');
    this.logger.info(
      {
        claimId,
        linkId: issued.linkId,
        revokedLinkIds: issued.revokedLinkIds,
        expiresAt: issued.expiresAt.toISOString(),
      },
      'evidence link issued',
    );
    return issued;
  }

  async revoke(
    caller: Principal,
    claimId: string,
    linkId: string,
  ): Promise<{ linkId: string; revoked: boolean }> {
    const revoked = await this.uow.transaction(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      if (!(await this.links.find(m, c.tenantId, c.id, linkId))) throw evidenceLinkUnknown(linkId);
      return this.links.revoke(m, linkId, actorIdOf(caller), this.clock());
    });
    setSpanIds({ claim_id: claimId, evidence_link_id: linkId });
    if (revoked) this.metrics.link('revoked');
    this.logger.info({ claimId, linkId, changed: revoked }, 'evidence link revoked');
    return { linkId, revoked };
  }

  list(caller: Principal, claimId: string) {
    return this.uow.read(async (m) => {
      const c = await this.claims.findVisible(m, caller, claimId);
      return (await this.links.listForClaim(m, c.tenantId, c.id)).map((l) => ({
        ...l,
        state: linkState(l, c, this.clock()),
      }));
    });
  }

  /** The link behind a token, and its claim; junk and unknown tokens are the same 404. */
  private async resolve(
    m: EntityManager,
    token: string,
    lock: boolean,
  ): Promise<{ link: EvidenceLink; claim: Claim }> {
    if (!looksLikeSecret(token)) throw evidenceLinkNotFound();
    const link = await this.links.findByTokenHash(m, hashSecret(token), { lock });
    if (!link) throw evidenceLinkNotFound();
    const claim = await this.claims.findById(m, link.claimId, { lock });
    if (!claim || claim.tenantId !== link.tenantId) throw evidenceLinkNotFound();
    setSpanIds({ claim_id: claim.id, evidence_link_id: link.id });
    return { link, claim };
  }

  private async usable(m: EntityManager, token: string, lock: boolean) {
    const r = await this.resolve(m, token, lock);
    const state = linkState(r.link, r.claim, this.clock());
    if (state !== 'usable') throw evidenceLinkEnded(state, r.link.id);
    return r;
  }

  view(token: string): Promise<ResidentEvidenceView> {
    return this.uow.read(async (m) => {
      const { link, claim } = await this.resolve(m, token, false);
      const added = (await this.items.list(m, claim.tenantId, claim.id))
        .filter((i) => i.uploadedByRole === 'resident' && i.uploadedBy === link.id)
        .map(({ id, kind, subject, createdAt }) => ({ id, kind, subject, createdAt }));
      return {
        link,
        state: linkState(link, claim, this.clock()),
        claimId: claim.id,
        claimReason: claim.reason,
        carrierCode: claim.parcel.carrierCode,
        trackingNumber: claim.parcel.trackingNumber,
        added,
      };
    });
  }

  /** The claim and link a token's upload is for (read before the body: a dead link costs no upload slot). */
  async target(token: string): Promise<{ claimId: string; linkId: string }> {
    const { claim, link } = await this.uow.read((m) => this.usable(m, token, false));
    return { claimId: claim.id, linkId: link.id };
  }

  async upload(
    token: string,
    target: { claimId: string; linkId: string },
    form: EvidenceUploadForm,
  ): Promise<EvidenceItemMeta> {
    const item = await this.evidence.checkAndStore(
      target.claimId,
      // The uploader is the link: the resident has no account here, and a name would be personal data.
      { id: target.linkId, role: 'resident' },
      form,
      async (m, lock) => {
        // Locked with the claim: the link's last slot, a revocation and the claim's filing are serialised.
        const { link, claim } = await this.usable(m, token, lock);
        if (link.id !== target.linkId) throw evidenceLinkNotFound();
        return claim;
      },
      (m) => this.links.countUpload(m, target.linkId),
    );
    this.metrics.link('item_added');
    this.logger.info(
      { claimId: target.claimId, linkId: target.linkId, itemId: item.id, kind: item.kind },
      'evidence added through resident link',
    );
    return item;
  }

  async finish(token: string): Promise<{ linkId: string }> {
    const linkId = await this.uow.transaction(async (m) => {
      const { link } = await this.usable(m, token, true);
      await this.links.finish(m, link.id, this.clock());
      return link.id;
    });
    this.metrics.link('finished');
    this.logger.info({ linkId }, 'evidence link finished by the resident');
    return { linkId };
  }
}
