// The resident's upload page in a real browser (Debian's Chromium through playwright-core), on a
// phone-sized screen, against the real service (real Kafka + Postgres, see test-support/vault-harness):
// the case arrives as clearance publishes it, notification asks for the link, and the page is then
// used as a resident would: read, consent, a blurry photo refused at once, a good one accepted,
// English, keyboard only, and without JavaScript. Screenshots of every step land in
// test-artifacts/id-vault-upload-page/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parcelRef } from '@portico/contracts';
import { REPO_ROOT } from '@portico/testing/platform';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { CHECK_MESSAGES } from '../checks/check-messages';
import { cardPhoto } from '../checks/fixtures/synthetic-images';
import { focusedElement, launchChromium, PHONE_CONTEXT } from '@portico/testing/browser';
import { startVault, type VaultHarness } from '../test-support/vault-harness';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'id-vault-upload-page');
const run = randomBytes(4).toString('hex');
const parcel = parcelRef('sf-express', `SF${run.toUpperCase()}77`);
const caseId = `cc_browser_${run}`;

const PHONE = PHONE_CONTEXT;

describe('id-vault resident upload page in Chromium (real Kafka + Postgres)', () => {
  let vault: VaultHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let link: string;
  let files: { dir: string; blurry: string; front: string; back: string };
  const contexts: BrowserContext[] = [];
  /** Every page load in the main tab, as "METHOD path": shows how the page got where it is. */
  const loads: string[] = [];

  /** The whole page, or with `screen` only what is on the phone's screen at that moment. */
  const shot = (p: Page, name: string, o: { screen?: boolean } = {}) =>
    p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: !o.screen });

  async function newPhone(options: BrowserContextOptions = {}): Promise<Page> {
    const c = await browser.newContext({ ...PHONE, ...options });
    contexts.push(c);
    return c.newPage();
  }

  const focused = focusedElement;

  /** Wholly on screen, without scrolling: what a resident sees right after pressing send. */
  async function inViewport(p: Page, l: Locator): Promise<boolean> {
    const box = await l.boundingBox();
    const screen = p.viewportSize();
    return !!box && !!screen && box.y >= 0 && box.y + box.height <= screen.height;
  }

  const samePage = (p: Page) => p.evaluate<boolean>('window.__samePage === true');

  async function tabOrder(p: Page, count: number): Promise<string[]> {
    const order: string[] = [];
    for (let i = 0; i < count; i++) {
      await p.keyboard.press('Tab');
      order.push(await focused(p));
    }
    return order;
  }

  beforeAll(async () => {
    // First, so a machine without the browser fails at once with what to install.
    browser = await launchChromium();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'vault-browser-'));
    files = {
      dir,
      blurry: join(dir, 'blurry.jpg'),
      front: join(dir, 'front.jpg'),
      back: join(dir, 'back.jpg'),
    };
    writeFileSync(files.blurry, await cardPhoto({ blur: 6 }));
    writeFileSync(files.front, await cardPhoto());
    writeFileSync(files.back, await cardPhoto({ angle: 4 }));

    vault = await startVault({ run });
    await vault.openCase({
      caseId,
      tenantId: `ten_browser_${run}`,
      propertyId: `prop_${run}`,
      parcel,
      recipientName: '欧阳清岚',
    });
    const res = await vault.requestLink(caseId, { language: 'zh' });
    expect(res.status).toBe(201);
    // The link is built from VAULT_PUBLIC_URL; the browser reaches this test's server at its own port.
    link = `${vault.service.url}${new URL(res.json.uploadUrl!).pathname}`;

    context = await browser.newContext(PHONE);
    contexts.push(context);
    page = await context.newPage();
    page.on('request', (r) => {
      if (r.resourceType() === 'document')
        loads.push(`${r.method()} ${new URL(r.url()).pathname.replace(/\/u\/[^/]+/, '/u/…')}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await vault?.stop();
    if (files) rmSync(files.dir, { recursive: true, force: true });
  }, 60_000);

  it('opens on the consent form, saying who sees the document, for which parcel and carrier, for how long', async () => {
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    await shot(page, '01-consent-zh');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('上传清关证件');
    const body = await page.locator('main').innerText();
    expect(body).toContain(`您的顺丰速运包裹（运单号 ${parcel.trackingNumber}）`);
    expect(body).toContain('谁会看到：只有您所在物业的管家（审核）和承运商及其报关代理（清关）');
    expect(body).toContain(`清关结束后最多保存 ${vault.config.purgeAfterDays} 天`);
    expect(await page.getByRole('heading', { name: '使用同意' }).isVisible()).toBe(true);
    expect(body).toContain('提供给顺丰速运及其报关代理');
    // No upload form before consent.
    expect(await page.locator('input[type=file]').count()).toBe(0);
  });

  it('reaches the consent button by keyboard alone', async () => {
    const order = await tabOrder(page, 2);
    await shot(page, '02-consent-keyboard-focus', { screen: true });
    expect(order).toEqual(['a:English', 'button:我已阅读并同意']);
    expect(await page.locator(':focus').innerText()).toBe('我已阅读并同意');
  });

  it('accepts consent with a plain form POST and then shows the labelled upload form', async () => {
    const before = loads.length;
    await Promise.all([
      page.waitForURL((u) => u.pathname === new URL(link).pathname && u.search === '?lang=zh'),
      page.getByRole('button', { name: '我已阅读并同意' }).click(),
    ]);
    // Post/redirect/get: the form answer is a 303 to the page itself, so a reload never re-sends it.
    expect(loads.slice(before)).toEqual(['POST /u/…/consent', 'GET /u/…']);
    await shot(page, '03-upload-form-zh');
    const front = page.getByLabel('正面（有照片的一面）');
    const back = page.getByLabel('背面（有签发机关的一面）');
    expect(await front.getAttribute('type')).toBe('file');
    expect(await front.getAttribute('capture')).toBe('environment');
    expect(await back.getAttribute('capture')).toBe('environment');
    expect(await page.getByLabel('证件号码（可选，便于核对）').isVisible()).toBe(true);
    expect(await page.getByLabel(/^有效期至/).isVisible()).toBe(true);
    expect(await page.getByLabel('证件上的姓名（可选）').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: '提交' }).isVisible()).toBe(true);
  });

  it('reaches every upload control by keyboard, in reading order', async () => {
    // A fresh document (where the consent's redirect led): the focus starts at its top.
    const order = await tabOrder(page, 8);
    await page.getByLabel('正面（有照片的一面）').focus();
    await shot(page, '04-upload-keyboard-focus', { screen: true });
    expect(order).toEqual([
      'a:English',
      'input#front',
      'input#back',
      'input#idNumber',
      'input#expiry',
      'input#name',
      'button:提交',
      'button:撤回同意并删除我的证件',
    ]);
  });

  it('refuses a blurry front at once, in Chinese, without reloading the page (the XHR path)', async () => {
    await page.evaluate('window.__samePage = true');
    await page.getByLabel('正面（有照片的一面）').setInputFiles(files.blurry);
    await page.getByLabel('背面（有签发机关的一面）').setInputFiles(files.back);
    const answer = page.waitForResponse(
      (r) => r.url().includes('/documents') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: '提交' }).click();
    expect((await answer).status()).toBe(422);
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible', timeout: 10_000 });
    await shot(page, '05-blurry-instant-feedback-zh', { screen: true });
    await shot(page, '05b-blurry-instant-feedback-zh-full');
    const said = await alert.innerText();
    expect(said).toContain('照片未能通过检查');
    expect(said).toContain(CHECK_MESSAGES.blurry.zh);
    expect(await samePage(page)).toBe(true);
    // The script moves the focus to the reasons (and so onto the screen).
    expect(await page.locator(':focus').getAttribute('role')).toBe('alert');
    expect(await inViewport(page, alert)).toBe(true);
  });

  it('without JavaScript, the plain form POST re-renders the page with the reasons', async () => {
    const plain = await newPhone({ javaScriptEnabled: false });
    await plain.goto(link);
    await plain.getByLabel('正面（有照片的一面）').setInputFiles(files.blurry);
    await plain.getByLabel('背面（有签发机关的一面）').setInputFiles(files.back);
    const answer = plain.waitForResponse(
      (r) => r.request().resourceType() === 'document' && r.request().method() === 'POST',
    );
    await plain.getByRole('button', { name: '提交' }).click();
    expect((await answer).status()).toBe(422);
    await plain.waitForLoadState('load');
    await shot(plain, '06-no-js-error-list-zh');
    expect(new URL(plain.url()).pathname).toMatch(/\/documents$/);
    const said = await plain.getByRole('alert').innerText();
    expect(said).toContain('照片未能通过检查');
    expect(said).toContain(CHECK_MESSAGES.blurry.zh);
    // Still the upload form, to try again.
    expect(await plain.getByLabel('正面（有照片的一面）').isVisible()).toBe(true);
  });

  it('accepts two good photos and shows the received state after the reload', async () => {
    await page.getByLabel('正面（有照片的一面）').setInputFiles(files.front);
    await page.getByLabel('背面（有签发机关的一面）').setInputFiles(files.back);
    const answer = page.waitForResponse(
      (r) => r.url().includes('/documents') && r.request().method() === 'POST',
    );
    const before = loads.length;
    await page.getByRole('button', { name: '提交' }).click();
    expect((await answer).status()).toBe(201);
    await page
      .getByText('已收到您的证件，管家审核后会通知您。')
      .waitFor({ state: 'visible', timeout: 10_000 });
    await shot(page, '07-received-zh');
    // The script loads the page afresh (a GET of its own address), never re-sending a form.
    expect(loads.slice(before)).toEqual(['GET /u/…']);
    expect(await page.locator('main').innerText()).toContain('居民身份证：等待审核');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('input[type=file]').count()).toBe(0);
    expect((await vault.pg.query('SELECT count(*)::int AS n FROM documents')).rows[0].n).toBe(1);
  });

  it('switches to English through the language link', async () => {
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en$/);
    await shot(page, '08-received-en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Upload customs documents');
    const body = await page.locator('main').innerText();
    expect(body).toContain(`Your SF Express parcel (waybill ${parcel.trackingNumber})`);
    expect(body).toContain('Who will see it: only your property steward');
    expect(body).toContain(`kept at most ${vault.config.purgeAfterDays} days`);
    expect(body).toContain('We have your documents.');
    expect(body).toContain('Resident ID card: Waiting for review');
    expect(await page.getByRole('link', { name: '中文' }).isVisible()).toBe(true);
  });

  it('never wrote the link secret to the log', () => {
    expect(vault.log.text()).not.toContain(new URL(link).pathname.split('/u/')[1]);
  });
});
