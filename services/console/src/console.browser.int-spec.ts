// The steward console in a real browser (Debian's Chromium through playwright-core), against the
// console running as a process from its build (real Postgres, real Kafka) and a SIMULATED
// notification API (test-support/simulated-notification.ts: the real one needs the whole customs
// chain to create a task). Live updates come through the real broker: an OutreachTaskCreated on
// notification.outreach.v1 must put the task in the steward's inbox within 2 s without a reload.
// Screenshots land in test-artifacts/console/ for a person to look at.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { create } from '@bufbuild/protobuf';
import { NOTIFICATION_OUTREACH_TOPIC, CLEARANCE_CASE_TOPIC, notification } from '@portico/contracts';
import { encodeEvent } from '@portico/messaging';
import { createTestDatabase, getTestKafka, type TestDatabase } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import { Kafka, logLevel } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SimulatedNotification, type SimulatedTask } from './test-support/simulated-notification';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console');
const run = randomBytes(4).toString('hex');
const DEV_KEY = `console-browser-${randomBytes(24).toString('base64url')}`;
const ISSUER = 'http://127.0.0.1:8080/portico-dev';
const AUDIENCE = 'portico-api';
const TENANT = `ten_console_${run}`;
const PROP_A = `prop_a_${run}`;
const PROP_B = `prop_b_${run}`;
const PASSWORD = `correct horse ${run}`;
// Personal data that must never reach the browser console or the console's log.
const RESIDENT_A = '欧阳明哲';
const PHONE_A = '13912345678';
const RESIDENT_B = '司马静怡';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function task(id: string, propertyId: string, residentName: string, deadlineHours: number): SimulatedTask {
  const text = `${residentName}您好！您的包裹需要清关证件，请联系 ${PHONE_A}。`;
  return {
    id,
    tenantId: TENANT,
    propertyId,
    caseId: `case_${id}`,
    carrierCode: 'demo-express',
    trackingNumber: `PX${id.toUpperCase()}CN`,
    kind: 'documents_requested',
    state: 'open',
    expedited: false,
    escalationLevel: 'steward',
    deadline: new Date(Date.now() + deadlineHours * 3_600_000).toISOString(),
    createdAt: new Date().toISOString(),
    residentName,
    script: { text, zh: text, en: text, language: 'zh', templateRef: 'documents-requested@1' },
  };
}

/** Contrast ratio of an element's text against its background (WCAG relative luminance). */
const CONTRAST = `(el) => {
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const s = getComputedStyle(el);
  const a = lum(rgb(s.color)), b = lum(rgb(s.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}`;

describe('steward console in Chromium (console process, real Kafka + Postgres, simulated notification)', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  let brokers: string[];
  let notificationApi: SimulatedNotification;
  let console_: ServiceProcess;
  let browser: Browser;
  const consoleMessages: string[] = [];
  const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function publishTaskCreated(t: SimulatedTask): Promise<void> {
    const message = create(notification.OutreachEventSchema, {
      event: {
        case: 'outreachTaskCreated',
        value: create(notification.OutreachTaskCreatedSchema, {
          taskId: t.id,
          tenantId: t.tenantId,
          propertyId: t.propertyId,
          caseId: t.caseId,
          occurredAt: timestampFromDate(new Date()),
        }),
      },
    });
    const record = encodeEvent({ schema: notification.OutreachEventSchema, message, key: `prc_${t.id}`, tenantId: t.tenantId });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: NOTIFICATION_OUTREACH_TOPIC.name, messages: [{ key: record.key, value: Buffer.from(record.value), headers: record.headers }] });
    await producer.disconnect();
  }

  async function signIn(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('console', (m) => consoleMessages.push(m.text()));
    await page.goto(`${console_.baseUrl}/`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '待办任务' }).waitFor();
    return page;
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await createTestDatabase('console');
    ({ brokers } = await getTestKafka());
    kafka = new Kafka({ clientId: `console-browser-${run}`, brokers, logLevel: logLevel.NOTHING });
    notificationApi = new SimulatedNotification({ devKey: DEV_KEY, issuer: ISSUER, audience: AUDIENCE });
    await notificationApi.start();
    const group = `console-browser-${run}`;
    // A new group would replay both topics' whole history first; live updates only need what comes next.
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of [NOTIFICATION_OUTREACH_TOPIC.name, CLEARANCE_CASE_TOPIC.name])
      if ((await admin.listTopics()).includes(topic)) await admin.resetOffsets({ groupId: group, topic, earliest: false });
    await admin.disconnect();
    console_ = new ServiceProcess(
      'console',
      await freePort(),
      {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_CONSUMER_GROUP: group,
        AUTH_DEV_TOKEN_KEY: DEV_KEY,
        CONSOLE_NOTIFICATION_URL: notificationApi.url,
        CONSOLE_VAULT_URL: notificationApi.url,
        LOG_LEVEL: 'debug',
      },
      ARTIFACTS,
    );
    console_.migrate();
    for (const [username, subject, property] of [
      ['steward.a', `stf_a_${run}`, PROP_A],
      ['steward.b', `stf_b_${run}`, PROP_B],
    ] as const) {
      const seeded = spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'services/console/dist/src/accounts.js'), JSON.stringify({ username, subject, roles: ['steward'], tenantId: TENANT, propertyIds: [property] })],
        { input: PASSWORD, env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' },
      );
      expect(seeded.status).toBe(0);
    }
    await console_.start();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
    await notificationApi?.stop();
    await db?.drop();
  });

  it('refuses a wrong password with a clear zh message and no session', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${console_.baseUrl}/`);
    await page.getByLabel('用户名').fill('steward.a');
    await page.getByLabel('密码').fill('not the password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('用户名或密码不正确');
    await shot(page, '01-login-refused');
    expect((await context.cookies()).length).toBe(0);
    await context.close();
  });

  it('shows a new task without reload within 2 s, hides the other property, acknowledges by keyboard', async () => {
    const pageA = await signIn('steward.a');
    const pageB = await signIn('steward.b');
    const cookie = (await pageA.context().cookies())[0]!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await shot(pageA, '02-inbox-empty');
    await pageA.getByText('实时更新已连接').waitFor();
    await pageB.getByText('实时更新已连接').waitFor();

    const mine = task(`ot_a_${run}`, PROP_A, RESIDENT_A, 24);
    const theirs = task(`ot_b_${run}`, PROP_B, RESIDENT_B, 2);
    notificationApi.tasks.set(mine.id, mine);
    notificationApi.tasks.set(theirs.id, theirs);
    const navigations: string[] = [];
    pageA.on('framenavigated', (f) => navigations.push(f.url()));
    const published = Date.now();
    await publishTaskCreated(mine);
    await publishTaskCreated(theirs);
    await pageA.locator(`[data-task-id="${mine.id}"]`).waitFor({ timeout: 2_000 });
    const seenAfterMs = Date.now() - published;
    await pageB.locator(`[data-task-id="${theirs.id}"]`).waitFor({ timeout: 2_000 });
    expect(seenAfterMs).toBeLessThan(2_000);
    expect(navigations).toEqual([]); // no reload
    await shot(pageA, '03-task-arrived-live');
    await shot(pageB, '04-other-steward-inbox');

    // Another steward's property stays invisible, in the page and through the API.
    expect(await pageA.locator(`[data-task-id="${theirs.id}"]`).count()).toBe(0);
    await expect(pageA.content()).resolves.not.toContain(RESIDENT_B);
    const apiList = (await pageA.evaluate(`fetch('/api/tasks').then((r) => r.json())`)) as { items: { id: string }[] };
    expect(apiList.items.map((i) => i.id)).toEqual([mine.id]);

    // Contrast of the primary action and its text.
    const acknowledge = pageA.getByRole('button', { name: '确认接单' });
    expect(await acknowledge.evaluate(new Function(`return (${CONTRAST})`)() as (el: unknown) => number)).toBeGreaterThanOrEqual(4.5);

    // Keyboard only: Tab until the acknowledge button has the focus, then Enter. (A real function:
    // a string here is evaluated as an expression and never called with the element.)
    const hasFocus = (el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement;
    for (let i = 0; i < 20; i++) {
      await pageA.keyboard.press('Tab');
      if (await acknowledge.evaluate(hasFocus)) break;
    }
    await expect(acknowledge.evaluate(hasFocus)).resolves.toBe(true);
    await shot(pageA, '05-acknowledge-focused');
    await pageA.keyboard.press('Enter');
    await pageA.locator(`[data-task-id="${mine.id}"].acknowledged`).waitFor();
    expect(notificationApi.acknowledgements).toEqual([
      expect.objectContaining({ taskId: mine.id, subject: `stf_a_${run}`, idempotencyKey: expect.any(String) }),
    ]);
    await shot(pageA, '06-acknowledged');

    // English, the same page.
    await pageA.getByRole('button', { name: '切换为英文' }).click();
    await pageA.getByRole('heading', { name: 'Inbox' }).waitFor();
    await shot(pageA, '07-inbox-en');
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const page = await signIn('steward.a');
    const answer = (await page.evaluate(
      `fetch('/api/tasks/ot_a_${run}/acknowledge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(async (r) => ({ status: r.status, body: await r.json() }))`,
    )) as { status: number; body: { error: { code: string; message: { zh: string; en: string } } } };
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('csrf_token_invalid');
    expect(answer.body.error.message.zh).toBeTruthy();
    expect(notificationApi.acknowledgements).toHaveLength(1); // nothing new reached notification
  });

  it('put no personal data in the browser console, URLs or the console service log', async () => {
    const log = console_.logText();
    for (const secret of [RESIDENT_A, RESIDENT_B, PHONE_A, PASSWORD]) {
      expect(consoleMessages.join('\n')).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('task acknowledged'); // the log was written (the scan is not of an empty file)
  });
});
