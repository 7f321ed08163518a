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
import { RelayAdapters, RelayDeliveryError, type RelayNotice } from './relay-adapter';
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
export type PushOutcome = 'pushed' | 'nothing_to_push' | 'refused' | 'grant_expired' | 'retry_scheduled';

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
    const adapter = this.adapters.for(destination);
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
        adapter.name,
        RELAY_PURPOSE,
        expiresAt,
        // An adapter that hands over the copy itself uses the grant once, by that upload; the link
        // is then never disclosed and the grant is spent (see push).
        adapter.carriesCopy ? 1 : this.settings.grantMaxUses,
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
      `SELECT id, recipient_kind, recipient_id, expires_at, max_uses, delivered_at, revoked_at, uses
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
      uses?: number;
    }>;
    const g = grants[0];
    if (!doc || doc.status !== 'approved' || !g || g.delivered_at || g.revoked_at) return 'nothing_to_push';
    const c = (await this.cases.find(m, doc.caseId))!;
    const destination = destinationFor(this.settings.destinations, c.carrierCode);
    if (!destination) throw new NoRelayDestinationError(c.carrierCode);
    const adapter = this.adapters.for(destination);
    const base = {
      grantId,
      caseId: doc.caseId,
      carrierCode: c.carrierCode,
      trackingNumber: c.trackingNumber,
      documentId: doc.id,
      documentType: doc.documentType,
      parts: doc.sides,
      expiresAt: g.expires_at,
      maxUses: g.max_uses,
      purpose: RELAY_PURPOSE,
    };
    let notice: RelayNotice;
    if (adapter.carriesCopy) {
      // The upload is a use of the grant: only while it is usable (a carrier down past the grant's
      // expiry gets nothing; a new approval issues a new grant), and counted when accepted.
      const state = grantState(
        { expiresAt: g.expires_at, maxUses: g.max_uses, uses: g.uses ?? 0, revokedAt: g.revoked_at },
        this.clock(),
      );
      if (state !== 'usable')
        return this.abandon(m, doc, grantId, adapter.name, 'grant_expired', null, state);
      const copies = [];
      for (const side of doc.sides) {
        const bytes = await this.sealed.open(m, {
          documentId: doc.id,
          version: doc.version,
          part: `relay-${side}`,
        });
        copies.push({ part: side, bytes });
      }
      notice = { ...base, copies };
    } else {
      const token = (
        await this.sealed.open(m, { documentId: doc.id, version: doc.version, part: 'relay-grant' })
      ).toString('utf8');
      notice = { ...base, downloadUrl: `${this.settings.publicBaseUrl}/v1/relay-grants/${token}` };
    }
    try {
      await this.deliver(adapter.name, () => adapter.deliver(destination, notice), grantId);
    } catch (e) {
      if (e instanceof RelayDeliveryError && !e.retryable)
        return this.abandon(m, doc, grantId, adapter.name, 'refused', e.status, e.reason ?? 'rejected');
      if (e instanceof RelayDeliveryError && e.retryAfterMs) {
        // The destination's own interval, not the timer's back-off: this attempt's timer completes
        // and the same push (same grant, same reference) is queued that far out.
        await this.pushes.schedule(
          m,
          { documentId: doc.id, grantId },
          new Date(this.clock().getTime() + e.retryAfterMs),
        );
        this.logger.warn(
          {
            caseId: doc.caseId,
            documentId: doc.id,
            grantId,
            adapter: adapter.name,
            why: e.reason,
            status: e.status,
            retryInMs: e.retryAfterMs,
          },
          'relay retry scheduled',
        );
        return 'retry_scheduled';
      }
      throw e;
    }
    const now = this.clock();
    await m.query(
      adapter.carriesCopy
        ? `UPDATE relay_grants SET delivered_at = $2, uses = uses + 1 WHERE id = $1`
        : `UPDATE relay_grants SET delivered_at = $2 WHERE id = $1`,
      [grantId, now],
    );
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
      details: {
        documentId: doc.id,
        recipient: g.recipient_id,
        maxUses: g.max_uses,
        ...(adapter.carriesCopy ? { copyDelivered: true, adapter: adapter.name } : {}),
      },
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
   * A relay that cannot succeed by retrying (the destination refused the request as such, or the
   * grant expired before a copy-carrying upload got through): the grant is revoked, so nothing can
   * use it later, the end is audited and counted, and the timer completes. The document stays
   * approved and unrelayed; the audit entry and `portico_vault_relays_total{outcome}` say why.
   */
  private async abandon(
    m: EntityManager,
    doc: { id: string; caseId: string; tenantId: string },
    grantId: string,
    adapter: string,
    outcome: 'refused' | 'grant_expired',
    status: number | null,
    why: string,
  ): Promise<PushOutcome> {
    await m.query(`UPDATE relay_grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [
      grantId,
      this.clock(),
    ]);
    await this.audit.record(m, {
      actor: { kind: 'system', id: 'id-vault' },
      action: 'relay.abandoned',
      purpose: RELAY_PURPOSE,
      subject: { type: 'grant', id: grantId },
      caseId: doc.caseId,
      tenantId: doc.tenantId,
      details: { documentId: doc.id, adapter, outcome, why, ...(status ? { status } : {}) },
    });
    this.metrics.relays.inc({ outcome, adapter });
    trace
      .getActiveSpan()
      ?.setAttributes({ 'portico.case_id': doc.caseId, 'portico.vault.grant_id': grantId });
    this.logger.warn(
      { caseId: doc.caseId, documentId: doc.id, grantId, adapter, outcome, why, status },
      'relay abandoned',
    );
    return outcome;
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
          if (e instanceof RelayDeliveryError)
            span.setAttributes({
              'portico.vault.relay_retryable': e.retryable,
              ...(e.reason ? { 'portico.vault.relay_failure': e.reason } : {}),
              ...(e.status ? { 'http.response.status_code': e.status } : {}),
            });
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
