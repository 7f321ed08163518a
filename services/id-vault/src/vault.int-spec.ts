// id-vault against the real broker and Postgres: the service runs as in production (bootstrapService,
// its migrations, its consumer group), learns about a case from `clearance.case.v1` the way
// clearance publishes it, and is driven over HTTP by notification (link), the resident (consent,
// upload), a steward (review) and a carrier receiver started here that verifies our Standard
// Webhooks signature with the official package. Ids are unique per run: topics are shared.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parcelRef, type VaultDocumentEvent } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import type { Client } from 'pg';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { cardPhoto, pixelBombPng, tinyZip } from './checks/fixtures/synthetic-images';
import type { IdVaultConfig } from './config';
import {
  secret,
  seededPersonalData,
  startVault,
  tokenOf,
  type VaultHarness,
} from './test-support/vault-harness';

const run = randomBytes(4).toString('hex');
const TENANT = `ten_vault_${run}`;
const PROPERTY = `prop_${run}`;
// Seeded personal data, unique per run, scanned for in logs, events and API answers below.
const { name: NAME, idNumber: ID_NUMBER } = seededPersonalData();

interface CarrierPush {
  headers: Record<string, string>;
  body: string;
}

describe('id-vault: link, consent, checked upload, review, relay, grant and purge (real Kafka + Postgres)', () => {
  const relaySecret = `whsec_${randomBytes(24).toString('base64')}`;
  const pushes: CarrierPush[] = [];
  let carrierReceiver: Server;
  let vault: VaultHarness;
  let config: IdVaultConfig;
  let pg: Client;
  let log: VaultHarness['log'];
  const parcel = parcelRef('sf-express', `SF${run.toUpperCase()}01`);
  const caseId = `cc_it_${run}`;

  const steward = (propertyIds = [PROPERTY], tenantId = TENANT) =>
    vault.personToken({ subject: `stf_${run}`, roles: ['steward'], tenantId, propertyIds });

  const call: VaultHarness['call'] = (path, o) => vault.call(path, o);

  const json = { accept: 'application/json' };

  async function requestLink(idempotencyKey?: string) {
    const res = await call('/internal/v1/upload-requests', {
      method: 'POST',
      headers: vault.asNotification,
      body: { caseId, language: 'zh', ...(idempotencyKey ? { idempotencyKey } : {}) },
    });
    return res;
  }

  const upload: VaultHarness['upload'] = (token, sides, typed) => vault.upload(token, sides, typed);

  async function vaultEvents(done: (e: VaultDocumentEvent[]) => boolean): Promise<VaultDocumentEvent[]> {
    const found = await vault.eventsOf(parcel.parcelId, done);
    for (const f of found) {
      expect(f.raw.toString('latin1')).not.toContain(ID_NUMBER);
      expect(f.raw.toString('utf8')).not.toContain(NAME);
    }
    return found.map((f) => f.event);
  }

  beforeAll(async () => {
    carrierReceiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        pushes.push({
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => carrierReceiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(carrierReceiver.address() as AddressInfo).port}/relay`;

    vault = await startVault({
      run,
      env: {
        VAULT_RELAY_DESTINATIONS: JSON.stringify({ 'sf-express': { url: receiverUrl, secret: relaySecret } }),
      },
    });
    ({ config, pg, log } = vault);
    await vault.openCase({ caseId, tenantId: TENANT, propertyId: PROPERTY, parcel, recipientName: NAME });
  }, 120_000);

  afterAll(async () => {
    await vault?.stop();
    await new Promise((r) => carrierReceiver?.close(r));
  }, 60_000);

  let token: string;

  it('issues a one-time link only to notification, stores only its hash, and re-issues on a retried call', async () => {
    expect((await call('/internal/v1/upload-requests', { method: 'POST', body: { caseId } })).status).toBe(
      401,
    );
    const first = await requestLink('task-1:round-1');
    expect(first.status).toBe(201);
    const retried = await requestLink('task-1:round-1');
    expect(retried.json.requestId).toBe(first.json.requestId);
    token = tokenOf(retried.json.uploadUrl);
    // The first secret stopped working when the retry re-issued the request's token.
    expect((await call(`/u/${tokenOf(first.json.uploadUrl)}/status`)).status).toBe(404);
    const { rows } = await pg.query('SELECT token_hash FROM upload_requests WHERE case_id = $1', [caseId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('serves the page in zh and en without the link secret in the log, and refuses wrong tokens alike', async () => {
    const page = await call(`/u/${token}?lang=zh`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('顺丰速运');
    expect(page.text).toContain(parcel.trackingNumber);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await call(`/u/${token}?lang=en`)).text).toContain('SF Express');
    const wrong = await call(`/u/${secret()}/status`);
    expect(wrong.status).toBe(404);
    expect(wrong.json.error.code).toBe('upload_link_invalid');
    expect(log.text()).not.toContain(token);
  });

  it('asks for consent before anything is stored', async () => {
    const before = await upload(token, { front: await cardPhoto(), back: await cardPhoto() });
    expect(before.status).toBe(409);
    expect(before.json.error.code).toBe('consent_required');
    const consent = await call(`/u/${token}/consent`, { method: 'POST', headers: json });
    expect(consent.status).toBe(201);
    expect((await pg.query('SELECT count(*)::int AS n FROM documents')).rows[0].n).toBe(0);
  });

  it('refuses bad uploads with specific zh/en reasons and stores nothing', async () => {
    const good = await cardPhoto();
    const cases: Array<[string, Record<string, Buffer>, Record<string, string>, number, string]> = [
      ['blurry', { front: await cardPhoto({ blur: 6 }), back: good }, {}, 422, 'blurry'],
      ['back missing', { front: good }, {}, 422, 'side_missing'],
      ['wrong magic', { front: tinyZip(), back: good }, {}, 422, 'wrong_file_type'],
      ['pixel bomb', { front: pixelBombPng(), back: good }, {}, 422, 'too_many_pixels'],
      ['truncated', { front: good.subarray(0, Math.floor(good.length / 2)), back: good }, {}, 422, 'corrupt'],
      [
        'bad checksum',
        { front: good, back: good },
        { idNumber: `${ID_NUMBER.slice(0, 17)}${ID_NUMBER[17] === '0' ? '1' : '0'}` },
        422,
        'id_number_checksum',
      ],
      ['expired card', { front: good, back: good }, { expiry: '2020-01-01' }, 422, 'card_expired'],
      ['other name', { front: good, back: good }, { name: '张三丰' }, 422, 'name_mismatch'],
    ];
    for (const [what, sides, typed, status, code] of cases) {
      const res = await upload(token, sides, typed);
      expect({ what, status: res.status }).toEqual({ what, status });
      const codes = (
        res.json.error.details.failures as Array<{ code: string; message: { zh: string; en: string } }>
      ).map((f) => f.code);
      expect({ what, codes }).toEqual({ what, codes: expect.arrayContaining([code]) });
      expect(res.json.error.details.failures[0].message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(res.text).not.toContain(ID_NUMBER.slice(0, 17));
    }
    const huge = await upload(token, {
      front: Buffer.concat([good, randomBytes(config.maxUploadBytes)]),
      back: good,
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('upload_too_large');
    expect((await pg.query('SELECT count(*)::int AS n FROM documents')).rows[0].n).toBe(0);
    expect((await pg.query('SELECT count(*)::int AS n FROM vault_blobs')).rows[0].n).toBe(0);
  }, 60_000);

  let documentId: string;

  it('stores a good upload sealed (no plaintext at rest), metadata stripped, and publishes ids only', async () => {
    const withGps = await sharp(await cardPhoto())
      .withExif({ IFD0: { Copyright: NAME } })
      .jpeg()
      .toBuffer();
    const res = await upload(
      token,
      { front: withGps, back: await cardPhoto() },
      { idNumber: ID_NUMBER, name: NAME, expiry: '长期' },
    );
    expect(res.status).toBe(201);
    documentId = res.json.documentId;
    const blobs = await pg.query('SELECT bytes FROM vault_blobs');
    expect(blobs.rows.length).toBe(3); // front, back, typed fields
    for (const b of blobs.rows as Array<{ bytes: Buffer }>) {
      expect(b.bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
      expect(b.bytes.toString('utf8')).not.toContain(ID_NUMBER);
    }
    // The link is one-time.
    expect((await upload(token, { front: withGps, back: withGps })).json.error.code).toBe('upload_link_used');
    const events = await vaultEvents((e) => e.some((x) => x.event.case === 'documentSubmitted'));
    const kinds = events.map((e) => e.event.case);
    expect(kinds).toEqual(
      expect.arrayContaining(['uploadRequested', 'documentChecksFailed', 'documentSubmitted']),
    );
  }, 60_000);

  it('lets only the property’s stewards see it, through a short-lived audited link', async () => {
    const stranger = await call(`/v1/documents/${documentId}/view-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await steward([`prop_other_${run}`])}` },
      body: { part: 'front' },
    });
    expect(stranger.status).toBe(403);
    const link = await call(`/v1/documents/${documentId}/view-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await steward()}` },
      body: { part: 'front' },
    });
    expect(link.status).toBe(201);
    const image = await call(link.json.url);
    expect(image.status).toBe(200);
    expect(image.headers.get('cache-control')).toBe('no-store');
    const meta = await sharp(image.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    const { rows } = await pg.query(`SELECT action, details->>'event' AS event FROM audit_log ORDER BY seq`);
    expect(rows.map((r) => r.event)).toEqual(
      expect.arrayContaining(['document.view_link_issued', 'document.viewed']),
    );
  });

  it('relays on approval, without a manual step: signed push, watermarked copy, limited grant', async () => {
    const approved = await call(`/v1/documents/${documentId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await steward()}` },
    });
    expect(approved.status).toBe(201);
    await waitFor(() => pushes.length > 0, { timeoutMs: 20_000, description: 'the relay push' });
    const push = pushes[0]!;
    const payload = new Webhook(relaySecret).verify(push.body, push.headers) as {
      data: { grantId: string; downloadUrl: string; maxUses: number; trackingNumber: string };
    };
    expect(push.headers['webhook-id']).toBe(payload.data.grantId);
    expect(payload.data.trackingNumber).toBe(parcel.trackingNumber);
    expect(push.body).not.toContain(ID_NUMBER);
    expect(push.body).not.toContain(NAME);
    expect(payload.data.downloadUrl.startsWith(`${config.publicBaseUrl}/v1/relay-grants/`)).toBe(true);
    const grantUrl = new URL(payload.data.downloadUrl).pathname;
    const copy = await call(grantUrl);
    expect(copy.status).toBe(200);
    const original = await sharp(await cardPhoto()).metadata();
    expect((await sharp(copy.bytes).metadata()).format).toBe('jpeg');
    expect(original.format).toBe('jpeg');
    for (let i = 1; i < payload.data.maxUses; i++) expect((await call(grantUrl)).status).toBe(200);
    const exhausted = await call(grantUrl);
    expect(exhausted.status).toBe(410);
    expect(exhausted.json.error.code).toBe('grant_exhausted');
    const events = await vaultEvents((e) => e.some((x) => x.event.case === 'documentRelayed'));
    expect(events.map((e) => e.event.case)).toEqual(
      expect.arrayContaining(['documentApproved', 'documentRelayed']),
    );
  }, 60_000);

  it('purges at once when the resident withdraws consent: keys shredded, blobs gone, event published', async () => {
    const res = await call(`/u/${token}/withdraw`, { method: 'POST', headers: json });
    expect(res.status).toBe(201);
    expect(res.json.purged).toBe(1);
    // Crypto-shredded: the version's key row stays as a tombstone without its wrapped key.
    expect(
      (await pg.query('SELECT count(*)::int AS n FROM document_keys WHERE wrapped_key IS NOT NULL')).rows[0]
        .n,
    ).toBe(0);
    expect((await pg.query('SELECT count(*)::int AS n FROM vault_blobs')).rows[0].n).toBe(0);
    const events = await vaultEvents((e) => e.some((x) => x.event.case === 'documentPurged'));
    expect(events.some((e) => e.event.case === 'documentPurged')).toBe(true);
  }, 60_000);

  it('never wrote the seeded ID number or name to its log', () => {
    expect(log.text()).not.toContain(ID_NUMBER);
    expect(log.text()).not.toContain(NAME);
  });
});
