import { Inject, Injectable } from '@nestjs/common';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { carrierDisplayName } from '@portico/contracts';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { VaultCaseRepository } from '../cases/vault-case.repository';
import { SealedDocuments } from '../documents/document-ports';
import { VaultDocumentRepository } from '../documents/vault-document.repository';
import { VaultEventWriter } from '../events/vault-event-writer';
import { documentRelayed } from '../events/vault-events';
import { AuditTrail } from '../shared/audit-trail';
import { hashSecret, issueSecret, looksLikeSecret } from '../shared/secret-token';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { VAULT_METRICS, type VaultMetrics } from '../shared/vault-metrics';
import { eventSubject } from '../upload-requests/upload-requests.service';
import { RelayAdapters, type RelayNotice } from './relay-adapter';
import { RelayPushScheduler } from './relay-scheduler';
import { destinationFor, type RelayDestination } from './relay-destination';
import { GrantRefusedError } from './relay-errors';
import { grantState, RELAY_PURPOSE } from './relay-grant';
import { Watermarker } from './watermarker';

export const RELAY_SETTINGS = 'id-vault:relay-settings';
export interface RelaySettings {
  readonly publicBaseUrl: string;
  readonly grantTtlMinutes: number;
  readonly grantMaxUses: number;
  readonly destinations: Readonly<Record<string, RelayDestination>>;
}

export type RelayOutcome = 'relayed' | 'not_approved';
export type PushOutcome = 'pushed' | 'nothing_to_push';

/** Thrown so the timer retries later: a destination may be configured after the approval. */
export class NoRelayDestinationError extends Error {
  constructor(readonly carrierCode: string) {
    super(`no relay destination configured for carrier ${carrierCode} (VAULT_RELAY_DESTINATIONS)`);
    this.name = 'NoRelayDestinationError';
  }
}

/**
 * Relays an approved document: each side watermarked for this parcel only, sealed again as the
 * relay copy, a purpose-bound grant issued, its URL pushed to the carrier's destination. Runs in
 * the relay timer's transaction, so a failed push leaves no grant behind and is retried.
 */
@Injectable()
export class RelayService {
  private readonly tracer = trace.getTracer('id-vault-relay');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly documents: VaultDocumentRepository,
    private readonly cases: VaultCaseRepository,
    private readonly sealed: SealedDocuments,
    private readonly watermarker: Watermarker,
    private readonly adapters: RelayAdapters,
    private readonly pushes: RelayPushScheduler,
    private readonly events: VaultEventWriter,
    private readonly audit: AuditTrail,
    @Inject(RELAY_SETTINGS) private readonly settings: RelaySettings,
    @Inject(VAULT_METRICS) private readonly metrics: VaultMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('id-vault-relay') private readonly logger: PinoLogger,
  ) {}

  /**
   * Step 1 (relay timer): watermark each side, seal the copies, issue the grant and queue its push.
   * The push is a second timer on purpose: a carrier may download the moment it is told, so the
   * grant must be committed before anyone hears of it. The grant's secret is sealed with the
   * document (part `relay-grant`) for the push to read, and shredded with it.
   */
  async relay(m: EntityManager, documentId: string): Promise<RelayOutcome> {
    const doc = await this.documents.find(m, documentId, { lock: true });
    if (!doc || doc.status !== 'approved') {
      this.logger.info(
        { documentId, status: doc?.status ?? 'missing' },
        'relay skipped: document not approved',
      );
      return 'not_approved'; // purged or relayed meanwhile
    }
    const c = (await this.cases.find(m, doc.caseId))!;
    const destination = destinationFor(this.settings.destinations, c.carrierCode);
    if (!destination) throw new NoRelayDestinationError(c.carrierCode);

    const carrierLabel = carrierDisplayName(c.carrierCode, 'zh');
    for (const side of doc.sides) {
      const original = await this.sealed.open(m, { documentId: doc.id, version: doc.version, part: side });
      const marked = await this.watermarker.apply(original, {
        carrierLabel,
        trackingNumber: c.trackingNumber,
      });
      await this.sealed.seal(m, { documentId: doc.id, version: doc.version, part: `relay-${side}` }, marked);
    }
    const now = this.clock();
    const secret = issueSecret();
    const grantId = this.newId('grt');
    const expiresAt = new Date(now.getTime() + this.settings.grantTtlMinutes * 60_000);
    await m.query(
      `INSERT INTO relay_grants (id, document_id, token_hash, recipient_kind, recipient_id, adapter, purpose,
                                 expires_at, max_uses, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        grantId,
        doc.id,
        secret.hash,
        destination.recipientKind,
        destination.recipientId,
        this.adapters.for(destination).name,
        RELAY_PURPOSE,
        expiresAt,
        this.settings.grantMaxUses,
        now,
      ],
    );
    await this.sealed.seal(
      m,
      { documentId: doc.id, version: doc.version, part: 'relay-grant' },
      Buffer.from(secret.token, 'utf8'),
    );
    await this.pushes.schedule(m, { documentId: doc.id, grantId }, now);
    this.metrics.relayGrants.inc();
    trace
      .getActiveSpan()
      ?.setAttributes({ 'portico.case_id': doc.caseId, 'portico.vault.grant_id': grantId });
    return 'relayed';
  }

  /**
   * Step 2 (push timer, after the grant committed): tell the destination where to fetch the copy.
   * A failed push throws, so the timer retries with back-off; the grant meanwhile waits unused.
   */
  async push(m: EntityManager, documentId: string, grantId: string): Promise<PushOutcome> {
    const doc = await this.documents.find(m, documentId, { lock: true });
    const grants = (await m.query(
      `SELECT id, recipient_kind, recipient_id, expires_at, max_uses, delivered_at, revoked_at
       FROM relay_grants WHERE id = $1 AND document_id = $2`,
      [grantId, documentId],
    )) as Array<{
      id: string;
      recipient_kind: 'carrier' | 'customs_broker';
      recipient_id: string;
      expires_at: Date;
      max_uses: number;
      delivered_at: Date | null;
      revoked_at: Date | null;
    }>;
    const g = grants[0];
    if (!doc || doc.status !== 'approved' || !g || g.delivered_at || g.revoked_at) return 'nothing_to_push';
    const c = (await this.cases.find(m, doc.caseId))!;
    const destination = destinationFor(this.settings.destinations, c.carrierCode);
    if (!destination) throw new NoRelayDestinationError(c.carrierCode);
    const token = (
      await this.sealed.open(m, { documentId: doc.id, version: doc.version, part: 'relay-grant' })
    ).toString('utf8');
    const adapter = this.adapters.for(destination);
    await this.deliver(
      adapter.name,
      () =>
        adapter.deliver(destination, {
          grantId,
          caseId: doc.caseId,
          carrierCode: c.carrierCode,
          trackingNumber: c.trackingNumber,
          documentId: doc.id,
          documentType: doc.documentType,
          parts: doc.sides,
          downloadUrl: `${this.settings.publicBaseUrl}/v1/relay-grants/${token}`,
          expiresAt: g.expires_at,
          maxUses: g.max_uses,
          purpose: RELAY_PURPOSE,
        } satisfies RelayNotice),
      grantId,
    );
    const now = this.clock();
    await m.query(`UPDATE relay_grants SET delivered_at = $2 WHERE id = $1`, [grantId, now]);
    await this.documents.markRelayed(m, doc.id);
    const subject = eventSubject(c, doc.requestId);
    await this.events.append(
      m,
      subject,
      documentRelayed(subject, now, {
        documentId: doc.id,
        grantId,
        expiresAt: g.expires_at,
        maxUses: g.max_uses,
        recipientKind: g.recipient_kind,
        recipientId: g.recipient_id,
        adapter: adapter.name,
      }),
    );
    await this.audit.record(m, {
      actor: { kind: 'system', id: 'id-vault' },
      action: 'document.relayed',
      purpose: RELAY_PURPOSE,
      subject: { type: 'grant', id: grantId },
      caseId: doc.caseId,
      tenantId: doc.tenantId,
      details: { documentId: doc.id, recipient: g.recipient_id, maxUses: g.max_uses },
    });
    this.metrics.relays.inc({ outcome: 'delivered', adapter: adapter.name });
    trace
      .getActiveSpan()
      ?.setAttributes({ 'portico.case_id': doc.caseId, 'portico.vault.grant_id': grantId });
    this.logger.info(
      { caseId: doc.caseId, documentId: doc.id, grantId, recipient: g.recipient_id },
      'document relayed',
    );
    return 'pushed';
  }

  /**
   * The hand-over itself in its own client span (HTTP or SMTP), named by adapter. Its attributes are
   * ids only: the destination's URL or mailbox and the notice's link (a credential) stay out.
   */
  private async deliver(adapter: string, send: () => Promise<void>, grantId: string): Promise<void> {
    await this.tracer.startActiveSpan(
      `relay.deliver ${adapter}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'portico.vault.grant_id': grantId, 'portico.vault.relay_adapter': adapter },
      },
      async (span) => {
        try {
          await send();
        } catch (e) {
          this.metrics.relays.inc({ outcome: 'failed', adapter });
          span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.name : 'error' });
          throw e;
        } finally {
          span.end();
        }
      },
    );
  }

  /**
   * A carrier fetching the watermarked copy: one use counted per download, in the same
   * transaction that reads it, so a grant of N uses serves N downloads even under concurrency.
   */
  download(token: string, part: string | undefined): Promise<{ bytes: Buffer; part: string }> {
    return this.uow.transaction(async (m) => {
      if (!looksLikeSecret(token)) throw new GrantRefusedError('invalid');
      const rows = (await m.query(
        `SELECT g.*, d.sides, d.version, d.status AS document_status, d.case_id, d.tenant_id
         FROM relay_grants g JOIN documents d ON d.id = g.document_id
         WHERE g.token_hash = $1 FOR UPDATE OF g`,
        [hashSecret(token)],
      )) as Array<{
        id: string;
        document_id: string;
        recipient_id: string;
        expires_at: Date;
        max_uses: number;
        uses: number;
        revoked_at: Date | null;
        sides: string[];
        version: number;
        document_status: string;
        case_id: string;
        tenant_id: string;
      }>;
      const g = rows[0];
      if (!g) {
        this.metrics.grantDownloads.inc({ outcome: 'invalid' });
        throw new GrantRefusedError('invalid');
      }
      const state =
        g.document_status === 'purged'
          ? 'revoked'
          : grantState(
              { expiresAt: g.expires_at, maxUses: g.max_uses, uses: g.uses, revokedAt: g.revoked_at },
              this.clock(),
            );
      const chosen = part ?? g.sides[0]!;
      if (state !== 'usable' || !g.sides.includes(chosen)) {
        const why = state === 'usable' ? 'invalid' : state;
        this.metrics.grantDownloads.inc({ outcome: why });
        // The refusal is audited in its own transaction: this one rolls back with the error.
        await this.uow.transaction((t) =>
          this.audit.record(t, {
            actor: { kind: 'carrier', id: g.recipient_id },
            action: 'grant.refused',
            purpose: RELAY_PURPOSE,
            subject: { type: 'grant', id: g.id },
            caseId: g.case_id,
            tenantId: g.tenant_id,
            details: { why },
          }),
        );
        throw new GrantRefusedError(why);
      }
      const bytes = await this.sealed.open(m, {
        documentId: g.document_id,
        version: g.version,
        part: `relay-${chosen}`,
      });
      await m.query(`UPDATE relay_grants SET uses = uses + 1 WHERE id = $1`, [g.id]);
      await this.audit.record(m, {
        actor: { kind: 'carrier', id: g.recipient_id },
        action: 'grant.downloaded',
        purpose: RELAY_PURPOSE,
        subject: { type: 'grant', id: g.id },
        caseId: g.case_id,
        tenantId: g.tenant_id,
        details: { part: chosen, use: g.uses + 1, maxUses: g.max_uses },
      });
      this.metrics.grantDownloads.inc({ outcome: 'served' });
      return { bytes, part: chosen };
    });
  }
}
