// The resident's evidence page in a real browser (Debian's Chromium through playwright-core), on a
// phone-sized screen, against the real service (real Kafka + Postgres, test-support/claims-harness):
// a carrier reports the parcel damaged, the front desk issues a link, and the resident uses it as
// they would: read, add a photo from the camera input, a wrong file refused in Chinese, a PDF
// invoice, English, keyboard only, done. No script runs on the page (plain forms). Screenshots of
// every step land in test-artifacts/claims-evidence-page/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carrier } from '@portico/contracts';
import { focusedElement, launchChromium, PHONE_CONTEXT } from '@portico/testing/browser';
import { REPO_ROOT } from '@portico/testing/platform';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ClaimsHarness } from '../test-support/claims-harness';
import { invoicePdf, phonePhotoWithExif } from '../test-support/synthetic-evidence';

jest.setTimeout(120_000);

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'claims-evidence-page');

const PHONE = PHONE_CONTEXT;

describe('claims resident evidence page in Chromium (real Kafka + Postgres)', () => {
  let h: ClaimsHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let link: string;
  let token: string;
  let claimId: string;
  let trackingNumber: string;
  let files: { dir: string; photo: string; invoice: string; notes: string };
  /** Every page load, as "METHOD path": shows how the page got where it is. */
  const loads: string[] = [];
  /** Console errors other than answered statuses (the refused upload's 415, the absent favicon): a CSP violation is one. */
  const consoleErrors: string[] = [];

  const shot = (p: Page, name: string, o: { screen?: boolean } = {}) =>
    p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: !o.screen });

  const focused = focusedElement;

  beforeAll(async () => {
    browser = await launchChromium();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'claims-browser-'));
    files = {
      dir,
      photo: join(dir, 'IMG_2048.jpg'),
      invoice: join(dir, 'invoice.pdf'),
      notes: join(dir, 'notes.txt'),
    };
    writeFileSync(files.photo, await phonePhotoWithExif(1200, 900));
    writeFileSync(files.invoice, await invoicePdf());
    writeFileSync(files.notes, 'this is not a photo');

    h = await ClaimsHarness.start('evidence-page');
    await h.startInstance();
    const opened = await h.claimFromException('page', carrier.ExceptionReason.DAMAGED, 'sf-express');
    trackingNumber = opened.ref.trackingNumber;
    claimId = opened.id;
    const issued = await h.request('POST', `/v1/claims/${claimId}/evidence-links`, {
      headers: await h.asPerson(['steward']),
      body: { language: 'zh' },
    });
    expect(issued.status).toBe(201);
    // The link is built from CLAIMS_PUBLIC_URL; the browser reaches this test's server at its own port.
    const path = new URL(issued.body.url as string).pathname;
    token = path.split('/')[2]!;
    link = `${h.url}${path}`;

    context = await browser.newContext(PHONE);
    page = await context.newPage();
    page.on('request', (r) => {
      if (r.resourceType() === 'document')
        loads.push(`${r.method()} ${new URL(r.url()).pathname.replace(/\/e\/[^/]+/, '/e/…')}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        consoleErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await h?.stop();
    if (files) rmSync(files.dir, { recursive: true, force: true });
  }, 60_000);

  it('opens on the claim, the parcel by carrier and waybill, who sees the files, and the two upload forms', async () => {
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['referrer-policy']).toBe('no-referrer');
    await shot(page, '01-page-zh');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('补充理赔材料');
    const body = await page.locator('main').innerText();
    expect(body).toContain(`您的顺丰速运包裹（运单号 ${trackingNumber}）已登记理赔：承运商报告破损。`);
    expect(body).toContain('谁会看到：您所在物业的前台和理赔人员，以及处理理赔的承运商。');
    expect(body).toContain('还可以上传 10 个文件。');
    const photo = page.getByLabel('选择或拍摄照片');
    expect(await photo.getAttribute('capture')).toBe('environment');
    expect(await photo.getAttribute('accept')).toContain('image/jpeg');
    expect(await page.getByLabel('选择文件').getAttribute('accept')).toContain('application/pdf');
    expect(await page.locator('script').count()).toBe(0);
    // Mobile first: nothing wider than the phone's screen.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  });

  it('reaches every control by keyboard, in reading order', async () => {
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    await page.getByLabel('照片内容').focus();
    await shot(page, '02-keyboard-focus', { screen: true });
    expect(order).toEqual([
      'a:English',
      'select#photo-subject',
      'input#photo-file',
      'button:上传照片',
      'select#proof-subject',
      'input#proof-file',
      'button:上传价值证明',
      'button:完成，不再补充',
    ]);
  });

  it('adds a damage photo with a plain form POST, then shows it received (post/redirect/get)', async () => {
    await page.getByLabel('照片内容').selectOption('damage');
    await page.getByLabel('选择或拍摄照片').setInputFiles(files.photo);
    const before = loads.length;
    await Promise.all([
      page.waitForURL(/added=photo$/),
      page.getByRole('button', { name: '上传照片' }).click(),
    ]);
    expect(loads.slice(before)).toEqual(['POST /e/…/evidence', 'GET /e/…']);
    await page.getByText('已收到您的照片，谢谢。').waitFor({ state: 'visible' });
    await shot(page, '03-photo-received-zh');
    expect(await page.getByRole('status').innerText()).toBe('已收到您的照片，谢谢。');
    expect(await page.locator('main').innerText()).toContain('照片 · 破损处');
    const [item] = await h.query<{ uploaded_by_role: string; width: number; height: number }>(
      `SELECT uploaded_by_role, width, height FROM claims_evidence_items WHERE claim_id = $1`,
      [claimId],
    );
    expect(item).toMatchObject({ uploaded_by_role: 'resident' });
  });

  it('refuses a file that is not a photo, in Chinese, and keeps the forms to try again', async () => {
    await page.getByLabel('选择或拍摄照片').setInputFiles(files.notes);
    const answer = page.waitForResponse(
      (r) => r.request().resourceType() === 'document' && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: '上传照片' }).click();
    expect((await answer).status()).toBe(415);
    await page.waitForLoadState('load');
    await shot(page, '04-wrong-file-zh');
    expect(await page.getByRole('alert').innerText()).toContain('不支持该文件类型');
    expect(await page.getByLabel('选择或拍摄照片').isVisible()).toBe(true);
    expect(
      (await h.query(`SELECT id FROM claims_evidence_items WHERE claim_id = $1`, [claimId])).length,
    ).toBe(1);
  });

  it('adds a PDF invoice as proof of value', async () => {
    await page.goto(link);
    await page.getByLabel('材料类型').selectOption('invoice');
    await page.getByLabel('选择文件').setInputFiles(files.invoice);
    await Promise.all([
      page.waitForURL(/added=value_proof$/),
      page.getByRole('button', { name: '上传价值证明' }).click(),
    ]);
    await shot(page, '05-invoice-received-zh');
    expect(await page.getByRole('status').innerText()).toBe('已收到您的价值证明，谢谢。');
    const body = await page.locator('main').innerText();
    expect(body).toContain('价值证明 · 发票');
    expect(body).toContain('还可以上传 8 个文件。');
  });

  it('switches to English through the language link', async () => {
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en$/);
    await shot(page, '06-page-en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Add evidence to your claim');
    const body = await page.locator('main').innerText();
    expect(body).toContain(
      `A claim is open for your SF Express parcel (waybill ${trackingNumber}): reported damaged by the carrier.`,
    );
    expect(body).toContain('Proof of value · Invoice');
    expect(await page.getByLabel('Choose or take a photo').getAttribute('capture')).toBe('environment');
  });

  it('ends the link when the resident is done: a thank-you and no more forms', async () => {
    await Promise.all([
      page.waitForURL(/lang=en$/),
      page.getByRole('button', { name: "I'm done adding evidence" }).click(),
    ]);
    await shot(page, '07-done-en');
    expect(await page.getByRole('status').innerText()).toContain('We have your evidence, thank you.');
    expect(await page.locator('input[type=file]').count()).toBe(0);
    const [link] = await h.query<{ finished_at: Date | null }>(
      `SELECT finished_at FROM claims_evidence_links`,
    );
    expect(link!.finished_at).not.toBeNull();
  });

  it('raised no console error (no CSP violation) and never logged the link secret', () => {
    expect(consoleErrors).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    expect(h.log.text()).not.toContain(token);
  });
});
