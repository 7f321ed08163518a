// Evidence uploads, the bundle's manifest and PDF, and verification against the real broker and
// Postgres. The PDF is rendered to PNG with poppler's pdftoppm (deploy/local/lib.sh installs
// poppler-utils) and its text read back with pdftotext; the pages land in
// test-artifacts/claims-evidence/ for a person to look at.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { create } from '@bufbuild/protobuf';
import { carrier, common } from '@portico/contracts';
import { pixelBombPng, tinyZip } from '@portico/testing/images';
import { REPO_ROOT } from '@portico/testing/platform';
import sharp from 'sharp';
import { ClaimsHarness } from '../test-support/claims-harness';
import { invoicePdf, phonePhotoWithExif, SEEDED_CAMERA, SEEDED_GPS } from '../test-support/synthetic-evidence';

jest.setTimeout(120_000);

const run = promisify(execFile);
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'claims-evidence');
const MAX_UPLOAD_BYTES = 2_000_000;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('claims evidence: uploads, bundle manifest and PDF, verification (real Kafka + Postgres)', () => {
  let h: ClaimsHarness;
  let claimId: string;
  let steward: Record<string, string>;
  let photo: Buffer;
  const stored: Record<string, { id: string; sha256: string }> = {};
  let bundle: { id: string; manifestSha256: string };

  beforeAll(async () => {
    h = await ClaimsHarness.start('evidence', { CLAIMS_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
    await h.startInstance();
    steward = await h.asPerson(['steward']);
    const ref = h.parcel('evd');
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(new Date(Date.now() - 3 * 3_600_000)),
      location: create(common.LocationSchema, { countryCode: 'CN', city: '上海', description: '浦东转运中心' }),
    });
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.EXCEPTION,
      exceptionReason: carrier.ExceptionReason.DAMAGED,
      occurredAt: timestampFromDate(new Date(Date.now() - 3_600_000)),
    });
    const [claim] = await h.query<{ id: string }>(`SELECT id FROM claims_claims WHERE parcel_id = $1`, [ref.parcelId]);
    claimId = claim!.id;
    await h.request('POST', `/v1/claims/${claimId}/damage-assessment`, { headers: steward, body: { severity: 'major' } });
    photo = await phonePhotoWithExif(600, 400);
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function upload(
    bytes: Buffer,
    fields: Record<string, string>,
    headers: Record<string, string> = steward,
    id = claimId,
    fileName = 'IMG_0001.jpg',
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    // The declared type is a lie on purpose for some calls: only the bytes decide.
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), fileName);
    const res = await fetch(`${h.url}/v1/claims/${id}/evidence`, { method: 'POST', headers, body: form });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const itemCount = async () =>
    Number((await h.query<{ n: string }>(`SELECT count(*) AS n FROM claims_evidence_items WHERE claim_id = $1`, [claimId]))[0]!.n);

  it('stores a phone photo upright, re-encoded, with EXIF (GPS, camera) gone, and serves exactly that', async () => {
    const res = await upload(photo, { kind: 'photo', subject: 'damage' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'photo', subject: 'damage', contentType: 'image/jpeg', sourceType: 'jpeg', width: 400, height: 600, uploadedByRole: 'steward' });
    stored.photo = res.body;
    const [row] = await h.query<{ bytes: Buffer; sha256: string; tenant_id: string; uploaded_by_role: string }>(
      `SELECT bytes, sha256, tenant_id, uploaded_by_role FROM claims_evidence_items WHERE id = $1`,
      [res.body.id],
    );
    expect(row).toMatchObject({ tenant_id: h.tenant, uploaded_by_role: 'steward', sha256: sha256(row!.bytes) });
    const meta = await sharp(row!.bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 400, height: 600 });
    expect(meta.exif).toBeUndefined();
    expect(row!.bytes.toString('latin1')).not.toContain(SEEDED_CAMERA);

    const download = await fetch(`${h.url}/v1/claims/${claimId}/evidence/${res.body.id}/content`, { headers: steward });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${res.body.id}.jpg"`);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(row!.sha256);
  });

  it('keeps a PDF invoice as value proof, and lists both items', async () => {
    const pdf = await invoicePdf();
    const res = await upload(pdf, { kind: 'value_proof', subject: 'invoice' }, steward, claimId, 'invoice.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ contentType: 'application/pdf', sourceType: 'pdf', sha256: sha256(pdf), width: null });
    stored.invoice = res.body;
    const list = await h.request('GET', `/v1/claims/${claimId}/evidence`, { headers: steward });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([stored.photo!.id, stored.invoice!.id]);
  });

  it.each([
    ['a PNG pixel bomb (header claims 100000 x 100000)', () => pixelBombPng(100_000, 100_000), 'photo', 422, 'evidence_too_many_pixels'],
    ['a polyglot (JPEG with a ZIP appended)', async () => Buffer.concat([photo, tinyZip()]), 'photo', 415, 'evidence_wrong_file_type'],
    ['an HTML page named .jpg', () => Buffer.from('<!doctype html><script>alert(1)</script>'), 'photo', 415, 'evidence_wrong_file_type'],
    ['a truncated JPEG', async () => photo.subarray(0, Math.floor(photo.length * 0.6)), 'photo', 422, 'evidence_corrupt'],
    ['a PDF sent as a photo', () => invoicePdf(), 'photo', 415, 'evidence_pdf_not_value_proof'],
    [
      'an oversized body (JPEG magic, over the cap)',
      async () => Buffer.concat([photo.subarray(0, 4), Buffer.alloc(MAX_UPLOAD_BYTES + 1_000, 0x41)]),
      'photo',
      413,
      'evidence_too_large',
    ],
  ])('refuses %s with its own code, zh/en message, and stores nothing', async (_name, bytes, kind, status, code) => {
    const before = await itemCount();
    const res = await upload(await bytes(), { kind, subject: 'damage' });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.en).toMatch(/\w/);
    expect(res.body.error.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(await itemCount()).toBe(before);
  });

  it('refuses a malformed form and a subject that does not fit the kind', async () => {
    expect((await upload(photo, { subject: 'damage' })).body.error.code).toBe('evidence_upload_malformed');
    expect((await upload(photo, { kind: 'selfie' })).body.error.code).toBe('evidence_upload_malformed');
    expect((await upload(photo, { kind: 'photo', subject: 'invoice' })).body.error.code).toBe('evidence_subject_mismatch');
    expect(await itemCount()).toBe(2);
  });

  it("keeps another tenant's caller out: their claim is not found, for uploads, lists, downloads and bundles", async () => {
    const other = await h.asPerson(['manager'], 'ten_someone_else');
    const res = await upload(photo, { kind: 'photo' }, other);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('claim_not_found');
    for (const path of [
      `/v1/claims/${claimId}/evidence`,
      `/v1/claims/${claimId}/evidence/${stored.photo!.id}/content`,
      `/v1/claims/${claimId}/evidence-bundles`,
    ]) {
      const r = await h.request('GET', path, { headers: other });
      expect([r.status, r.body.error.code]).toEqual([404, 'claim_not_found']);
    }
    expect((await h.request('POST', `/v1/claims/${claimId}/evidence-bundles`, { headers: other })).status).toBe(404);
    expect((await upload(photo, { kind: 'photo' }, {})).status).toBe(401);
    expect(await itemCount()).toBe(2);
  });

  it('assembles a bundle whose manifest lists every item by the hash of what is served', async () => {
    const res = await h.request('POST', `/v1/claims/${claimId}/evidence-bundles`, { headers: steward });
    expect(res.status).toBe(201);
    bundle = res.body;
    const manifest = await fetch(`${h.url}/v1/claims/${claimId}/evidence-bundles/${bundle.id}/manifest.json`, { headers: steward });
    const text = await manifest.text();
    // the bytes downloaded hash to the recorded SHA-256 (what ClaimFiled carries for filed bundles)
    expect(sha256(text)).toBe(bundle.manifestSha256);
    const parsed = JSON.parse(text);
    expect(parsed.items).toEqual([
      expect.objectContaining({ id: stored.photo!.id, sha256: stored.photo!.sha256, kind: 'photo' }),
      expect.objectContaining({ id: stored.invoice!.id, sha256: stored.invoice!.sha256, kind: 'value_proof' }),
    ]);
    expect(parsed.trackingHistory.entries).toHaveLength(2);
    expect(parsed.decisionHistory.entries[0]).toMatchObject({ from: null, to: 'detected' });
    expect(parsed.communicationLog.entries.map((e: { kind: string }) => e.kind)).toContain('damage_assessment');
  });

  it('renders the bundle PDF: poppler draws non-blank pages with the Chinese text, the photo and the hashes', async () => {
    const res = await fetch(`${h.url}/v1/claims/${claimId}/evidence-bundles/${bundle.id}/bundle.pdf`, { headers: steward });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('x-content-sha256')).toBe(sha256(pdf));

    const dir = mkdtempSync(join(tmpdir(), 'claims-evidence-pdf-'));
    try {
      writeFileSync(join(dir, 'bundle.pdf'), pdf);
      const { stdout: info } = await run('pdfinfo', [join(dir, 'bundle.pdf')]);
      const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
      expect(pages).toBeGreaterThanOrEqual(4);
      const { stdout: text } = await run('pdftotext', ['-layout', join(dir, 'bundle.pdf'), '-']);
      for (const expected of ['理赔证据包', '物流轨迹', '沟通记录', '处理记录', '照片', '价值证明文件', '承运商报破损', claimId, bundle.manifestSha256, stored.photo!.sha256, stored.invoice!.sha256]) {
        expect(text).toContain(expected);
      }
      await run('pdftoppm', ['-r', '60', '-png', join(dir, 'bundle.pdf'), join(dir, 'page')]);
      const pngs = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
      expect(pngs).toHaveLength(pages);
      mkdirSync(ARTIFACTS, { recursive: true });
      for (const f of pngs) copyFileSync(join(dir, f), join(ARTIFACTS, f));
      copyFileSync(join(dir, 'bundle.pdf'), join(ARTIFACTS, 'bundle.pdf'));

      // The cover is not blank: dark text on white, in a measurable share of the page.
      const cover = await sharp(readFileSync(join(dir, pngs[0]!))).greyscale().raw().toBuffer({ resolveWithObject: true });
      const dark = cover.data.filter((v) => v < 128).length / cover.data.length;
      expect(dark).toBeGreaterThan(0.01);
      expect(dark).toBeLessThan(0.5);
      // The photo page shows the upright photo: red above blue.
      const photoPage = pngs.find((_, i) => text.split('\f')[i]?.includes('Photos'))!;
      const { channels } = await sharp(readFileSync(join(dir, photoPage))).stats();
      expect(channels[0]!.max).toBeGreaterThan(200);
      expect(channels[2]!.max).toBeGreaterThan(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // kept once rendered: the second download is the same file
    const again = await fetch(`${h.url}/v1/claims/${claimId}/evidence-bundles/${bundle.id}/bundle.pdf`, { headers: steward });
    expect(sha256(Buffer.from(await again.arrayBuffer()))).toBe(sha256(pdf));
    const [row] = await h.query<{ pdf_sha256: string }>(`SELECT pdf_sha256 FROM claims_evidence_bundles WHERE id = $1`, [bundle.id]);
    expect(row!.pdf_sha256).toBe(sha256(pdf));
  });

  it('verifies the bundle, and finds a tampered item (HTTP and the verify-evidence command)', async () => {
    const path = `/v1/claims/${claimId}/evidence-bundles/${bundle.id}/verification`;
    const intact = await h.request('GET', path, { headers: steward });
    expect(intact.body).toMatchObject({ ok: true, manifest: { ok: true } });

    const command = (ids: string[]) =>
      run(
        process.execPath,
        ['-r', join(REPO_ROOT, 'libs/messaging/src/test-support/ts-require-hook.js'), join(REPO_ROOT, 'services/claims/src/verify-evidence.ts'), ...ids],
        { env: { ...process.env, DATABASE_URL: h.config.databaseUrl, LOG_LEVEL: 'error' } },
      ).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    expect(await command([bundle.id])).toMatchObject({ code: 0, stdout: expect.stringContaining(`${bundle.id}: intact (2 items`) });

    await h.query(`UPDATE claims_evidence_items SET bytes = bytes || '\\x00'::bytea WHERE id = $1`, [stored.photo!.id]);
    const tampered = await h.request('GET', path, { headers: steward });
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.items).toEqual([
      expect.objectContaining({ id: stored.photo!.id, status: 'mismatch', expected: stored.photo!.sha256 }),
      expect.objectContaining({ id: stored.invoice!.id, status: 'ok' }),
    ]);
    const failed = await command([bundle.id]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${bundle.id}: item ${stored.photo!.id}: sha256 `);
  });

  it('counts uploads by code and renders, traces check and render with ids only, and logs no file contents', async () => {
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const count = (labels: string) =>
      Number(new RegExp(`portico_claims_evidence_uploads_total\\{${labels}[^}]*\\} (\\d+)`).exec(metrics)?.[1]);
    expect(count('kind="photo",outcome="accepted"')).toBe(1);
    expect(count('kind="value_proof",outcome="accepted"')).toBe(1);
    expect(count('kind="photo",outcome="too_many_pixels"')).toBe(1);
    expect(count('kind="photo",outcome="wrong_file_type"')).toBe(2);
    expect(count('kind="unknown",outcome="too_large"')).toBe(1);
    expect(metrics).toMatch(/portico_claims_evidence_bundle_renders_total\{outcome="rendered"[^}]*\} 1/);
    expect(metrics).toMatch(/portico_claims_evidence_verifications_total\{outcome="tampered"[^}]*\} 1/);

    const spans = h.spans.getFinishedSpans();
    const checks = spans.filter((s) => s.name === 'claims.evidence.check');
    expect(checks.length).toBeGreaterThanOrEqual(7);
    expect(checks.map((s) => s.attributes['portico.claims.evidence_outcome'])).toEqual(
      expect.arrayContaining(['accepted', 'too_many_pixels', 'corrupt', 'wrong_file_type']),
    );
    const render = spans.find((s) => s.name === 'claims.evidence.render')!;
    expect(render.attributes).toMatchObject({ 'portico.claim_id': claimId, 'portico.claims.evidence_bundle_id': bundle.id });
    const emitted = [h.log.text(), JSON.stringify(spans.map((s) => s.attributes))].join('\n');
    for (const secret of [SEEDED_CAMERA, SEEDED_GPS.latitude, 'IMG_0001.jpg', 'invoice.pdf', 'INVOICE 2026-1130-007']) {
      expect(emitted).not.toContain(secret);
    }
    expect(h.log.text()).toContain('"msg":"evidence item stored"');
  });
});
