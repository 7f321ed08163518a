// Residents' one-time evidence links against the real service (real Kafka + Postgres): issued by
// the front desk for a claim that still needs evidence, used without an account, stored hashed,
// ended by expiry, revocation, a newer link, the resident's "done" or the claim being filed; and
// the upload gate (CLAIMS_UPLOAD_CONCURRENCY) that staff's and residents' uploads share.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { carrier } from '@portico/contracts';
import { ClaimsHarness } from '../test-support/claims-harness';
import { invoicePdf, phonePhotoWithExif, SEEDED_CAMERA } from '../test-support/synthetic-evidence';

jest.setTimeout(120_000);

const QUEUE_TIMEOUT_MS = 400;
const tokenOf = (url: string) => new URL(url).pathname.split('/')[2]!;

describe('claims: resident evidence links and the upload gate (real Kafka + Postgres)', () => {
  let h: ClaimsHarness;
  let steward: Record<string, string>;
  let claimId: string;
  let photo: Buffer;

  const damagedClaim = async (suffix: string) =>
    (await h.claimFromException(suffix, carrier.ExceptionReason.DAMAGED)).id;

  const issue = (id: string, body: unknown = { language: 'zh' }, headers = steward) =>
    h.request('POST', `/v1/claims/${id}/evidence-links`, { headers, body });

  async function residentUpload(
    token: string,
    bytes: Buffer,
    fields: Record<string, string>,
    accept = 'application/json',
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)]), 'IMG_4711.jpg');
    const res = await fetch(`${h.url}/e/${token}/evidence`, {
      method: 'POST',
      headers: { accept },
      body: form,
      redirect: 'manual',
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: text.startsWith('{') ? JSON.parse(text) : undefined,
    };
  }

  const residentItems = (id: string) =>
    h.query<{ id: string; uploaded_by: string; uploaded_by_role: string; kind: string }>(
      `SELECT id, uploaded_by, uploaded_by_role, kind FROM claims_evidence_items WHERE claim_id = $1 AND uploaded_by_role = 'resident' ORDER BY created_at`,
      [id],
    );

  beforeAll(async () => {
    h = await ClaimsHarness.start('evidence-links', {
      CLAIMS_PUBLIC_URL: 'https://claims.portico.example/',
      CLAIMS_UPLOAD_CONCURRENCY: '1',
      CLAIMS_UPLOAD_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
      CLAIMS_EVIDENCE_LINK_MAX_UPLOADS: '3',
    });
    await h.startInstance();
    steward = await h.asPerson(['steward']);
    claimId = await damagedClaim('evl');
    photo = await phonePhotoWithExif(640, 480);
  });
  afterAll(async () => {
    await h?.stop();
  });

  let token: string;
  let linkId: string;

  it('issues a link for a claim that needs evidence, keeping only the SHA-256 of its secret', async () => {
    const res = await issue(claimId);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ claimId, maxUploads: 3, revokedLinkIds: [] });
    expect(res.body.url).toMatch(/^https:\/\/claims\.portico\.example\/e\/[A-Za-z0-9_-]{43}$/);
    token = tokenOf(res.body.url);
    linkId = res.body.linkId;
    const [row] = await h.query<{ token_hash: Buffer; expires_at: Date; created_at: Date }>(
      `SELECT token_hash, expires_at, created_at FROM claims_evidence_links WHERE id = $1`,
      [linkId],
    );
    expect(row!.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(row!.expires_at.getTime() - row!.created_at.getTime()).toBe(72 * 3_600_000);
    const dump = JSON.stringify(await h.query(`SELECT * FROM claims_evidence_links`));
    expect(dump).not.toContain(token);
  });

  it("refuses a bad body, another tenant's claim, and residents themselves (no token)", async () => {
    expect((await issue(claimId, { language: 'fr' })).status).toBe(400);
    expect((await issue(claimId, { language: 'zh', phone: '13800138000' })).status).toBe(400);
    const other = await h.asPerson(['steward'], 'ten_someone_else');
    const res = await issue(claimId, { language: 'zh' }, other);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('claim_not_found');
    expect((await issue(claimId, { language: 'zh' }, {})).status).toBe(401);
  });

  it('serves the page with a nonce CSP, no referrer, no caching, the camera capture and nothing personal', async () => {
    const res = await fetch(`${h.url}/e/${token}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).toContain('<html lang="zh">');
    expect(html).toContain('capture="environment"');
    expect(html).toContain('承运商报告破损');
    expect(html).toContain('<h1>补充理赔材料</h1>');
    const en = await (await fetch(`${h.url}/e/${token}?lang=en`)).text();
    expect(en).toContain('<h1>Add evidence to your claim</h1>');
  });

  it('answers an unknown or malformed token with the same 404, asking the database nothing for junk', async () => {
    for (const t of ['A'.repeat(43), 'not-a-token', `${token.slice(0, 42)}x`]) {
      const res = await fetch(`${h.url}/e/${t}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('此链接无效');
      const json = await residentUpload(t, photo, { kind: 'photo', subject: 'damage' });
      expect(json.status).toBe(404);
      expect(json.body.error.code).toBe('evidence_link_not_found');
    }
  });

  it("stores the resident's photo and value proof as evidence items, checked like any upload", async () => {
    const up = await residentUpload(token, photo, { kind: 'photo', subject: 'damage' });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ kind: 'photo', subject: 'damage' });
    // a form post goes back to the page (post/redirect/get)
    const form = await residentUpload(
      token,
      await invoicePdf(),
      { kind: 'value_proof', subject: 'invoice' },
      'text/html',
    );
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/e/${token}?lang=zh&added=value_proof`);
    const items = await residentItems(claimId);
    expect(items.map((i) => [i.kind, i.uploaded_by, i.uploaded_by_role])).toEqual([
      ['photo', linkId, 'resident'],
      ['value_proof', linkId, 'resident'],
    ]);
    // the staff list sees them like any other item
    const listed = await h.request('GET', `/v1/claims/${claimId}/evidence`, { headers: steward });
    expect(
      listed.body.items.filter((i: { uploadedByRole: string }) => i.uploadedByRole === 'resident'),
    ).toHaveLength(2);
    // and the page says what arrived
    const page = await (await fetch(`${h.url}/e/${token}?added=value_proof`)).text();
    expect(page).toContain('已收到您的价值证明，谢谢。');
    expect(page).toContain('照片 · 破损处');
    expect(page).toContain('还可以上传 1 个文件。');
  });

  it('refuses a bad file with the same codes as staff uploads, and stores nothing', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const json = await residentUpload(token, html, { kind: 'photo', subject: 'damage' });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('evidence_wrong_file_type');
    const pdfAsPhoto = await residentUpload(token, await invoicePdf(), { kind: 'photo', subject: 'damage' });
    expect(pdfAsPhoto.body.error.code).toBe('evidence_pdf_not_value_proof');
    // a form post re-renders the page with the zh reason and the same status
    const form = await residentUpload(token, html, { kind: 'photo', subject: 'damage' }, 'text/html');
    expect(form.status).toBe(415);
    expect(form.text).toContain('不支持该文件类型');
    expect(await residentItems(claimId)).toHaveLength(2);
    const [link] = await h.query<{ uploads: number }>(
      `SELECT uploads FROM claims_evidence_links WHERE id = $1`,
      [linkId],
    );
    expect(link!.uploads).toBe(2);
  });

  it('ends the link once it has taken its files (CLAIMS_EVIDENCE_LINK_MAX_UPLOADS)', async () => {
    expect((await residentUpload(token, photo, { kind: 'photo', subject: 'label' })).status).toBe(201);
    const full = await residentUpload(token, photo, { kind: 'photo', subject: 'parcel' });
    expect(full.status).toBe(410);
    expect(full.body.error.code).toBe('evidence_link_used');
    expect(await residentItems(claimId)).toHaveLength(3);
    const page = await (await fetch(`${h.url}/e/${token}`)).text();
    expect(page).toContain('已收到您的材料，谢谢。');
    expect(page).not.toContain('type="file"');
  });

  it('revokes: by a newer link, by staff, and both end the old token at once', async () => {
    const first = await issue(claimId);
    const second = await issue(claimId, { language: 'en' });
    expect(second.body.revokedLinkIds).toEqual([first.body.linkId]);
    const old = await residentUpload(tokenOf(first.body.url), photo, { kind: 'photo', subject: 'damage' });
    expect(old.status).toBe(410);
    expect(old.body.error.code).toBe('evidence_link_revoked');
    const t2 = tokenOf(second.body.url);
    expect(await (await fetch(`${h.url}/e/${t2}`)).text()).toContain('<html lang="en">');
    const revoked = await h.request(
      'POST',
      `/v1/claims/${claimId}/evidence-links/${second.body.linkId}/revoke`,
      {
        headers: steward,
      },
    );
    expect(revoked.body).toEqual({ linkId: second.body.linkId, revoked: true });
    const again = await h.request(
      'POST',
      `/v1/claims/${claimId}/evidence-links/${second.body.linkId}/revoke`,
      {
        headers: steward,
      },
    );
    expect(again.body.revoked).toBe(false);
    const page = await fetch(`${h.url}/e/${t2}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('This link can no longer be used.');
    const list = await h.request('GET', `/v1/claims/${claimId}/evidence-links`, { headers: steward });
    expect(list.body.items.map((l: { state: string }) => l.state)).toEqual(['full', 'revoked', 'revoked']);
    expect(
      (await h.request('POST', `/v1/claims/${claimId}/evidence-links/evl_nope/revoke`, { headers: steward }))
        .status,
    ).toBe(404);
  });

  it('expires at expires_at, and ends when the resident is done', async () => {
    const id = await damagedClaim('evl-exp');
    const a = await issue(id);
    await h.query(
      `UPDATE claims_evidence_links SET expires_at = now() - interval '1 millisecond' WHERE id = $1`,
      [a.body.linkId],
    );
    const expired = await residentUpload(tokenOf(a.body.url), photo, { kind: 'photo', subject: 'damage' });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('evidence_link_expired');

    const b = await issue(id);
    const tb = tokenOf(b.body.url);
    const done = await fetch(`${h.url}/e/${tb}/done`, { method: 'POST', redirect: 'manual' });
    expect(done.status).toBe(303);
    const after = await residentUpload(tb, photo, { kind: 'photo', subject: 'damage' });
    expect(after.body.error.code).toBe('evidence_link_used');
  });

  it('is refused for a claim past the point where evidence changes anything, and that ends open links', async () => {
    const id = await damagedClaim('evl-closed');
    const link = await issue(id);
    const close = await h.request('POST', `/v1/claims/${id}/close`, {
      headers: steward,
      body: { reason: 'withdrawn' },
    });
    expect(close.status).toBe(200);
    const refused = await issue(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('claim_evidence_not_needed');
    expect(refused.body.error.message.zh).toContain('只能在提交承运商之前');
    const up = await residentUpload(tokenOf(link.body.url), photo, { kind: 'photo', subject: 'damage' });
    expect(up.status).toBe(409);
    expect(up.body.error.code).toBe('claim_evidence_not_needed');
  });

  /** A staff upload whose body arrives only when `release` is called: it holds the one slot meanwhile. */
  function slowStaffUpload(id: string) {
    const boundary = 'portico-slow-upload';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nphoto\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(`${h.url}/v1/claims/${id}/evidence`);
    let release!: () => void;
    const done = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            ...steward,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': head.length + photo.length + tail.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write(head);
      req.write(photo.subarray(0, 1_000));
      release = () => {
        req.write(photo.subarray(1_000));
        req.end(tail);
      };
    });
    return { done, release: () => release() };
  }

  it('lets one upload in at a time (CLAIMS_UPLOAD_CONCURRENCY=1): the next waits, then gets 503 uploads_busy', async () => {
    const id = await damagedClaim('evl-gate');
    const link = await issue(id);
    const slow = slowStaffUpload(id);
    // The slot is taken once the slow request reached the controller; its body is still coming.
    await new Promise((r) => setTimeout(r, 150));
    const started = Date.now();
    const form = new FormData();
    form.append('kind', 'photo');
    form.append('file', new Blob([new Uint8Array(photo)]), 'b.jpg');
    const staff = await fetch(`${h.url}/v1/claims/${id}/evidence`, {
      method: 'POST',
      headers: steward,
      body: form,
    });
    const waited = Date.now() - started;
    expect(staff.status).toBe(503);
    expect(staff.headers.get('retry-after')).toBe('5');
    const body = (await staff.json()) as { error: { code: string; message: { zh: string; en: string } } };
    expect(body.error.code).toBe('uploads_busy');
    expect(body.error.message.zh).toContain('请几秒后重试');
    expect(waited).toBeGreaterThanOrEqual(QUEUE_TIMEOUT_MS - 50);
    // the residents' page shares the same slots
    const resident = await residentUpload(tokenOf(link.body.url), photo, {
      kind: 'photo',
      subject: 'damage',
    });
    expect(resident.status).toBe(503);
    expect(resident.body.error.code).toBe('uploads_busy');
    slow.release();
    expect(await slow.done).toBe(201);
    // with the slot free again, the next upload goes straight in
    expect(
      (await residentUpload(tokenOf(link.body.url), photo, { kind: 'photo', subject: 'damage' })).status,
    ).toBe(201);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/portico_claims_evidence_uploads_busy_total(\{[^}]*\})? 2/);
  });

  it('counts links, and keeps tokens, file names and photo metadata out of logs and spans', async () => {
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const count = (event: string) =>
      Number(
        new RegExp(`portico_claims_evidence_links_total\\{event="${event}"[^}]*\\} (\\d+)`).exec(
          metrics,
        )?.[1],
      );
    expect(count('issued')).toBe(7);
    expect(count('revoked')).toBe(2);
    expect(count('finished')).toBe(1);
    expect(count('item_added')).toBe(4);
    const spans = h.spans.getFinishedSpans();
    const checks = spans.filter(
      (s) =>
        s.name === 'claims.evidence.check' && s.attributes['portico.claims.uploader_role'] === 'resident',
    );
    expect(checks.length).toBeGreaterThanOrEqual(5);
    const emitted = [
      h.log.text(),
      JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes }))),
    ].join('\n');
    expect(emitted).toContain(linkId);
    expect(emitted).toContain('"msg":"evidence added through resident link"');
    for (const secret of [token, 'IMG_4711.jpg', SEEDED_CAMERA]) expect(emitted).not.toContain(secret);
  });
});
