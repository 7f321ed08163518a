import { timestampDate } from '@bufbuild/protobuf/wkt';
import { installTestTracing } from '@portico/testing';
import { vault } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import { hashSecret, looksLikeSecret } from '../shared/secret-token';
import {
  aCase,
  aDocument,
  FakeRelayAdapter,
  FakeWatermarker,
  HOUR,
  T0,
  vaultFakes,
  type Snapshottable,
} from '../test-support/vault-fakes';
import { RelayAdapters, RelayDeliveryError } from './relay-adapter';
import type { DhlExpressDestination, PushDestination } from './relay-destination';
import { RELAY_PUSH_TIMER_KIND, RelayPushScheduler } from './relay-scheduler';
import { NoRelayDestinationError, RelayService, type RelaySettings } from './relay.service';

const BASE_URL = 'https://vault.example.test';
const SF: PushDestination = {
  carrierCode: 'sf-express',
  recipientKind: 'customs_broker',
  recipientId: 'broker-sf',
  url: 'https://broker.example.test/hooks/sf',
  secret: `whsec_${'A'.repeat(32)}`,
  adapter: 'signed-https-push',
};

interface GrantRow {
  id: string;
  documentId: string;
  tokenHash: Buffer;
  recipientKind: string;
  recipientId: string;
  adapter: string;
  purpose: string;
  expiresAt: Date;
  maxUses: number;
  createdAt: Date;
  deliveredAt: Date | null;
  uses: number;
  revokedAt: Date | null;
}

/** relay_grants as the relay writes it; rolled back with the rest. */
class GrantsTable implements Snapshottable {
  readonly rows = new Map<string, GrantRow>();
  snapshot() {
    const saved = new Map(this.rows);
    return () => {
      this.rows.clear();
      for (const [k, v] of saved) this.rows.set(k, v);
    };
  }
}

/** A carrier API that takes the images themselves (like DHL's), standing in for the real adapter. */
class FakeCopyAdapter extends FakeRelayAdapter {
  override readonly name = 'fake-carrier-api';
  override readonly carriesCopy = true;
}

const DHL: DhlExpressDestination = {
  carrierCode: 'sf-express',
  recipientKind: 'carrier',
  recipientId: 'carrier-api',
  adapter: 'dhl-express-mydhl',
  baseUrl: 'https://carrier-api.example.test/mydhlapi',
  username: 'api-user',
  password: 'api-password',
  accountNumber: '123456789',
  documentTypeCode: 'DCL',
  maxImageBase64Bytes: 1024 * 1024,
};

function setup(
  destinations: RelaySettings['destinations'] = { 'sf-express': SF },
  adapter: FakeRelayAdapter = new FakeRelayAdapter(),
) {
  const f = vaultFakes();
  const grants = new GrantsTable();
  f.db.track(grants);
  f.db.on(/INSERT INTO relay_grants/, (p) => {
    const [
      id,
      documentId,
      tokenHash,
      recipientKind,
      recipientId,
      adapter,
      purpose,
      expiresAt,
      maxUses,
      createdAt,
    ] = p as [string, string, Buffer, string, string, string, string, Date, number, Date];
    grants.rows.set(id, {
      id,
      documentId,
      tokenHash,
      recipientKind,
      recipientId,
      adapter,
      purpose,
      expiresAt,
      maxUses,
      createdAt,
      deliveredAt: null,
      uses: 0,
      revokedAt: null,
    });
    return [];
  });
  f.db.on(
    /SELECT id, recipient_kind, recipient_id, expires_at, max_uses, delivered_at, revoked_at, uses\s+FROM relay_grants/,
    (p) => {
      const g = grants.rows.get(p[0] as string);
      if (!g || g.documentId !== p[1]) return [];
      return [
        {
          id: g.id,
          recipient_kind: g.recipientKind,
          recipient_id: g.recipientId,
          expires_at: g.expiresAt,
          max_uses: g.maxUses,
          delivered_at: g.deliveredAt,
          revoked_at: g.revokedAt,
          uses: g.uses,
        },
      ];
    },
  );
  f.db.on(/UPDATE relay_grants SET delivered_at/, (p, _tx, sql) => {
    const [id, at] = p as [string, Date];
    const g = grants.rows.get(id)!;
    grants.rows.set(id, { ...g, deliveredAt: at, uses: g.uses + (/uses = uses \+ 1/.test(sql) ? 1 : 0) });
    return [];
  });
  f.db.on(/UPDATE relay_grants SET revoked_at/, (p) => {
    const [id, at] = p as [string, Date];
    const g = grants.rows.get(id)!;
    grants.rows.set(id, { ...g, revokedAt: g.revokedAt ?? at });
    return [];
  });
  const watermarker = new FakeWatermarker();
  const settings: RelaySettings = {
    publicBaseUrl: BASE_URL,
    grantTtlMinutes: 48 * 60,
    grantMaxUses: 3,
    destinations,
  };
  const service = new RelayService(
    f.uow,
    f.documents,
    f.cases,
    f.sealed,
    watermarker,
    // The fake stands in for the push: the adapter SF's destination names.
    new RelayAdapters(
      adapter.carriesCopy ? { 'dhl-express-mydhl': adapter } : { 'signed-https-push': adapter },
    ),
    new RelayPushScheduler(),
    f.outbox.writer,
    f.audit,
    settings,
    f.metrics,
    f.clock.fn,
    f.ids,
    f.logger,
  );
  f.cases.add(aCase());
  f.documents.add(aDocument({ status: 'approved' }));
  f.sealed.put({ documentId: 'doc_1', version: 1, part: 'front' }, Buffer.from('front'));
  f.sealed.put({ documentId: 'doc_1', version: 1, part: 'back' }, Buffer.from('back'));
  // Step 1 runs in the relay timer's transaction; step 2, the push, in the push timer's, after
  // step 1 committed (as the runner fires the timer step 1 scheduled).
  const pushDue = async () => {
    // A snapshot: a push that reschedules itself is due again later, not in this pass.
    for (const [key, timer] of [...f.db.timers]) {
      if (timer.kind !== RELAY_PUSH_TIMER_KIND) continue;
      const p = timer.payload as { documentId: string; grantId: string };
      await f.uow.transaction(async (m: EntityManager) => {
        f.db.timers.delete(key);
        await service.push(m, p.documentId, p.grantId);
      });
    }
  };
  const relay = async (documentId = 'doc_1') => {
    const outcome = await f.uow.transaction((m: EntityManager) => service.relay(m, documentId));
    await pushDue();
    return outcome;
  };
  return { ...f, grants, watermarker, adapter, service, relay, pushDue };
}

const tokenOf = (downloadUrl: string) => downloadUrl.slice(`${BASE_URL}/v1/relay-grants/`.length);

describe('RelayService.relay', () => {
  it.each(['submitted', 'rejected', 'relayed', 'purged'] as const)(
    'skips a %s document as not_approved and writes nothing',
    async (status) => {
      const t = setup();
      t.documents.add(aDocument({ status }));
      expect(await t.relay()).toBe('not_approved');
      expect(t.sealed.calls.filter((c) => !c.startsWith('open'))).toEqual([]);
      expect(t.db.sql).toEqual([]);
      expect(t.adapter.deliveries).toEqual([]);
      expect(t.outbox.written).toEqual([]);
      expect(t.audit.entries).toEqual([]);
    },
  );

  it('skips a document that no longer exists', async () => {
    const t = setup();
    expect(await t.relay('doc_gone')).toBe('not_approved');
    expect(t.adapter.deliveries).toEqual([]);
  });

  it('throws NoRelayDestinationError (so the timer retries) when the carrier has no destination and there is no default', async () => {
    const t = setup({ 'other-carrier': { ...SF, carrierCode: 'other-carrier' } });
    const err = await t.relay().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoRelayDestinationError);
    expect(err).toMatchObject({ carrierCode: 'sf-express' });
    expect(t.watermarker.marks).toEqual([]);
    expect(t.grants.rows.size).toBe(0);
    expect(t.documents.get('doc_1').status).toBe('approved');
  });

  describe('on success', () => {
    async function relayed() {
      const t = setup();
      const outcome = await t.relay();
      const [delivery] = t.adapter.deliveries;
      return { ...t, outcome, delivery: delivery!, grant: [...t.grants.rows.values()][0]! };
    }

    it('watermarks every side with the carrier’s Chinese name and the waybill number', async () => {
      const t = await relayed();
      expect(t.outcome).toBe('relayed');
      expect(t.watermarker.marks.map((m) => [m.input.toString(), m.carrierLabel, m.trackingNumber])).toEqual([
        ['front', '顺丰速运', 'SF1234567890'],
        ['back', '顺丰速运', 'SF1234567890'],
      ]);
    });

    it('seals the marked copies as relay-<side>, leaving the originals as they were', async () => {
      const t = await relayed();
      expect(t.sealed.partsOf('doc_1')).toEqual([
        'back',
        'front',
        'relay-back',
        'relay-front',
        'relay-grant',
      ]);
      expect(t.sealed.parts.get('doc_1/v1/relay-front')!.toString()).toBe(
        'front|marked:顺丰速运:SF1234567890',
      );
      expect(t.sealed.parts.get('doc_1/v1/relay-back')!.toString()).toBe('back|marked:顺丰速运:SF1234567890');
      expect(t.sealed.parts.get('doc_1/v1/front')!.toString()).toBe('front');
    });

    it('inserts a grant for the destination’s recipient, limited in time and uses, delivered', async () => {
      const t = await relayed();
      expect(t.grants.rows.size).toBe(1);
      expect(t.grant).toMatchObject({
        documentId: 'doc_1',
        recipientKind: 'customs_broker',
        recipientId: 'broker-sf',
        adapter: 'fake-push',
        purpose: 'customs_clearance',
        expiresAt: new Date(T0.getTime() + 48 * HOUR),
        maxUses: 3,
        createdAt: T0,
        deliveredAt: T0,
      });
    });

    it('pushes a download URL under publicBaseUrl whose secret is stored only as the grant’s hash', async () => {
      const t = await relayed();
      expect(t.delivery.destination).toEqual(SF);
      const { notice } = t.delivery;
      expect(notice.downloadUrl?.startsWith(`${BASE_URL}/v1/relay-grants/`)).toBe(true);
      expect(notice.copies).toBeUndefined();
      const token = tokenOf(notice.downloadUrl!);
      expect(looksLikeSecret(token)).toBe(true);
      expect(t.grant.tokenHash.equals(hashSecret(token))).toBe(true);
      expect(notice).toMatchObject({
        grantId: t.grant.id,
        caseId: 'cc_1',
        carrierCode: 'sf-express',
        trackingNumber: 'SF1234567890',
        documentId: 'doc_1',
        documentType: 'resident_id_card',
        parts: ['front', 'back'],
        expiresAt: t.grant.expiresAt,
        maxUses: 3,
        purpose: 'customs_clearance',
      });
      expect(t.outbox.wireText()).not.toContain(token);
      expect(JSON.stringify([t.audit.entries, t.lines, t.db.sql])).not.toContain(token);
    });

    it('publishes DocumentRelayed, marks the document relayed, audits and counts', async () => {
      const t = await relayed();
      const e = t.outbox.only('documentRelayed');
      expect(e).toMatchObject({
        documentId: 'doc_1',
        grantId: t.grant.id,
        maxUses: 3,
        recipientKind: vault.RelayRecipientKind.CUSTOMS_BROKER,
        recipientId: 'broker-sf',
        adapter: 'fake-push',
      });
      expect(timestampDate(e.expiresAt!)).toEqual(t.grant.expiresAt);
      expect(t.documents.get('doc_1').status).toBe('relayed');
      expect(t.audit.entries).toEqual([
        expect.objectContaining({
          actor: { kind: 'system', id: 'id-vault' },
          action: 'document.relayed',
          subject: { type: 'grant', id: t.grant.id },
          details: { documentId: 'doc_1', recipient: 'broker-sf', maxUses: 3 },
        }),
      ]);
      expect(await t.count('portico_vault_relays_total', { outcome: 'delivered' })).toBe(1);
      expect(await t.count('portico_vault_relay_grants_total')).toBe(1);
    });

    it('does nothing the second time (a replayed timer)', async () => {
      const t = await relayed();
      expect(await t.relay()).toBe('not_approved');
      expect(t.adapter.deliveries).toHaveLength(1);
      expect(t.grants.rows.size).toBe(1);
    });
  });

  it('relays through the default destination under the real carrier code as recipient', async () => {
    const t = setup({
      default: { ...SF, carrierCode: 'default', recipientKind: 'carrier', recipientId: 'default' },
    });
    expect(await t.relay()).toBe('relayed');
    expect(t.adapter.deliveries[0]!.destination.recipientId).toBe('sf-express');
    expect([...t.grants.rows.values()][0]!.recipientId).toBe('sf-express');
    expect(t.outbox.only('documentRelayed').recipientId).toBe('sf-express');
  });

  it('commits the grant before anyone is told, and lets a failed push roll back its own step only', async () => {
    const t = setup();
    t.adapter.failure = new RelayDeliveryError('fake-push', 503, 'relay push answered 503');
    const err = await t.relay().catch((e: unknown) => e);
    expect(err).toBe(t.adapter.failure);
    expect(t.adapter.deliveries).toHaveLength(1);
    expect(t.uow.outcomes).toEqual(['committed', 'rolled_back']);
    // The grant and the relay copies were committed by step 1; the push left no trace.
    expect(t.grants.rows.size).toBe(1);
    expect([...t.grants.rows.values()][0]!.deliveredAt).toBeNull();
    expect(t.sealed.partsOf('doc_1')).toEqual(['back', 'front', 'relay-back', 'relay-front', 'relay-grant']);
    expect(t.outbox.written).toEqual([]);
    expect(t.audit.entries).toEqual([]);
    expect(t.documents.get('doc_1').status).toBe('approved');
    expect(await t.count('portico_vault_relays_total', { outcome: 'failed' })).toBe(1);
    expect(await t.count('portico_vault_relays_total', { outcome: 'delivered' })).toBe(0);
  });

  it('hands over in a client span named by adapter, with ids only (no URL, no grant link)', async () => {
    const { exporter, uninstall } = installTestTracing();
    try {
      const t = setup();
      t.adapter.failure = new RelayDeliveryError('fake-push', 503, 'relay push answered 503');
      await t.relay().catch(() => undefined);
      const [span] = exporter.getFinishedSpans().filter((s) => s.name.startsWith('relay.deliver'));
      expect(span?.name).toBe('relay.deliver fake-push');
      expect(span?.status.code).toBe(2); // ERROR
      expect(span?.attributes).toEqual({
        'portico.vault.grant_id': [...t.grants.rows.values()][0]!.id,
        'portico.vault.relay_adapter': 'fake-push',
        'portico.vault.relay_retryable': true,
        'http.response.status_code': 503,
      });
      const everything = JSON.stringify(span?.attributes);
      expect(everything).not.toContain(SF.url);
      expect(everything).not.toContain(t.adapter.deliveries[0]!.notice.downloadUrl);
      expect(await t.count('portico_vault_relays_total', { outcome: 'failed', adapter: 'fake-push' })).toBe(
        1,
      );
    } finally {
      uninstall();
    }
  });

  it('retries the push of the same grant, with the same download URL', async () => {
    const t = setup();
    t.adapter.failure = new RelayDeliveryError('fake-push', null, 'relay push failed: TypeError');
    await t.relay().catch(() => undefined);
    // The runner puts a failed timer back for a retry: the fake removed it, so schedule it again.
    const grant = [...t.grants.rows.values()][0]!;
    await t.uow.transaction((m: EntityManager) =>
      new RelayPushScheduler().schedule(m, { documentId: 'doc_1', grantId: grant.id }, T0),
    );
    t.adapter.failure = undefined;
    await t.pushDue();
    const [failed, delivered] = t.adapter.deliveries;
    expect(delivered!.notice.grantId).toBe(failed!.notice.grantId);
    expect(delivered!.notice.downloadUrl).toBe(failed!.notice.downloadUrl);
    expect(t.grants.rows.size).toBe(1);
    expect(t.documents.get('doc_1').status).toBe('relayed');
  });
});

describe('RelayService.push with an adapter that carries the copy (a carrier API such as DHL’s)', () => {
  const copySetup = () => setup({ 'sf-express': DHL }, new FakeCopyAdapter());
  /** What the carrier API answers, as the DHL adapter reports it. */
  const apiError = (status: number, reason: string, retryable: boolean) =>
    new RelayDeliveryError('fake-carrier-api', status, `relay failed: ${reason}`, retryable, reason);

  it('hands over the watermarked sides, no link, and counts the upload as the grant’s one use', async () => {
    const t = copySetup();
    expect(await t.relay()).toBe('relayed');
    const [delivery] = t.adapter.deliveries;
    expect(delivery!.destination).toEqual(DHL);
    expect(delivery!.notice.downloadUrl).toBeUndefined();
    expect(delivery!.notice.copies?.map((c) => [c.part, c.bytes.toString()])).toEqual([
      ['front', 'front|marked:顺丰速运:SF1234567890'],
      ['back', 'back|marked:顺丰速运:SF1234567890'],
    ]);
    const grant = [...t.grants.rows.values()][0]!;
    expect(grant).toMatchObject({
      maxUses: 1,
      uses: 1,
      deliveredAt: T0,
      revokedAt: null,
      adapter: 'fake-carrier-api',
    });
    // The grant's secret is never read for a copy-carrying push.
    expect(t.sealed.calls.filter((c) => c.includes('relay-grant') && c.startsWith('open'))).toEqual([]);
    expect(t.documents.get('doc_1').status).toBe('relayed');
    expect(t.outbox.only('documentRelayed')).toMatchObject({ maxUses: 1, adapter: 'fake-carrier-api' });
    expect(t.audit.entries).toEqual([
      expect.objectContaining({
        action: 'document.relayed',
        details: {
          documentId: 'doc_1',
          recipient: 'carrier-api',
          maxUses: 1,
          copyDelivered: true,
          adapter: 'fake-carrier-api',
        },
      }),
    ]);
    expect(
      await t.count('portico_vault_relays_total', { outcome: 'delivered', adapter: 'fake-carrier-api' }),
    ).toBe(1);
  });

  it('ends the relay on a final refusal: grant revoked, audited, counted, no retry, document still approved', async () => {
    const t = copySetup();
    t.adapter.failure = apiError(422, 'unprocessable', false);
    expect(await t.relay()).toBe('relayed');
    expect(t.uow.outcomes).toEqual(['committed', 'committed']); // the push timer completes: no retry
    const grant = [...t.grants.rows.values()][0]!;
    expect(grant).toMatchObject({ deliveredAt: null, revokedAt: T0, uses: 0 });
    expect(t.documents.get('doc_1').status).toBe('approved');
    expect(t.outbox.written).toEqual([]);
    expect(t.audit.entries).toEqual([
      expect.objectContaining({
        action: 'relay.abandoned',
        subject: { type: 'grant', id: grant.id },
        details: {
          documentId: 'doc_1',
          adapter: 'fake-carrier-api',
          outcome: 'refused',
          why: 'unprocessable',
          status: 422,
        },
      }),
    ]);
    expect(
      await t.count('portico_vault_relays_total', { outcome: 'refused', adapter: 'fake-carrier-api' }),
    ).toBe(1);
    expect(
      await t.count('portico_vault_relays_total', { outcome: 'failed', adapter: 'fake-carrier-api' }),
    ).toBe(1);
    expect(t.lines.map((l) => l.msg)).toContain('relay abandoned');
  });

  it('a retryable failure still rolls back and is retried by the timer', async () => {
    const t = copySetup();
    t.adapter.failure = apiError(503, 'server_error', true);
    const err = await t.relay().catch((e: unknown) => e);
    expect(err).toBe(t.adapter.failure);
    expect([...t.grants.rows.values()][0]).toMatchObject({ deliveredAt: null, revokedAt: null, uses: 0 });
  });

  it('waits the destination’s own interval before trying the same push again (DHL: 10 minutes)', async () => {
    const t = copySetup();
    t.adapter.failure = new RelayDeliveryError(
      'fake-carrier-api',
      503,
      'relay failed: server_error',
      true,
      'server_error',
      10 * 60_000,
    );
    expect(await t.relay()).toBe('relayed');
    expect(t.uow.outcomes).toEqual(['committed', 'committed']);
    const grant = [...t.grants.rows.values()][0]!;
    expect([...t.db.timers.values()]).toEqual([
      expect.objectContaining({
        kind: RELAY_PUSH_TIMER_KIND,
        dueAt: new Date(T0.getTime() + 10 * 60_000),
        payload: { documentId: 'doc_1', grantId: grant.id },
      }),
    ]);
    expect(grant).toMatchObject({ deliveredAt: null, revokedAt: null, uses: 0 });
    expect(t.lines.map((l) => l.msg)).toContain('relay retry scheduled');
    t.adapter.failure = undefined;
    t.clock.advance(10 * 60_000);
    await t.pushDue();
    expect(t.adapter.deliveries.map((d) => d.notice.grantId)).toEqual([grant.id, grant.id]);
    expect(t.grants.rows.get(grant.id)).toMatchObject({ uses: 1, revokedAt: null });
    expect(t.documents.get('doc_1').status).toBe('relayed');
  });

  it('does not upload once the grant has expired (the carrier was down past it): revoked and audited', async () => {
    const t = copySetup();
    t.adapter.failure = apiError(503, 'server_error', true);
    await t.relay().catch(() => undefined);
    const grant = [...t.grants.rows.values()][0]!;
    t.clock.advance(48 * HOUR);
    await t.uow.transaction((m: EntityManager) =>
      new RelayPushScheduler().schedule(m, { documentId: 'doc_1', grantId: grant.id }, t.clock.now),
    );
    t.adapter.failure = undefined;
    await t.pushDue();
    expect(t.adapter.deliveries).toHaveLength(1); // only the failed attempt
    expect(t.grants.rows.get(grant.id)).toMatchObject({ deliveredAt: null, revokedAt: t.clock.now, uses: 0 });
    expect(t.audit.entries.map((e) => [e.action, e.details?.['outcome'], e.details?.['why']])).toEqual([
      ['relay.abandoned', 'grant_expired', 'expired'],
    ]);
    expect(t.documents.get('doc_1').status).toBe('approved');
  });
});
