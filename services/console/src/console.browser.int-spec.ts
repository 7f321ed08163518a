// The steward console in a real browser (Debian's Chromium through playwright-core), against the
// console running as a process from its build (real Postgres, real Kafka) and SIMULATED upstream
// APIs (test-support/simulated-*.ts: notification, clearance, id-vault, claims, carrier-ingestion — the real ones need
// the whole customs chain to create a task; the simulators answer in the real controllers' shapes). Live updates come through the real broker: an OutreachTaskCreated on
// notification.outreach.v1 must put the task in the steward's inbox within 2 s without a reload.
// Screenshots land in test-artifacts/console/ for a person to look at.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { create } from '@bufbuild/protobuf';
import { NOTIFICATION_OUTREACH_TOPIC, CLEARANCE_CASE_TOPIC, notification, parcelId, type MessageView } from '@portico/contracts';
import { encodeEvent } from '@portico/messaging';
import { createTestDatabase, getTestKafka, type TestDatabase } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import { Kafka, logLevel } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { SimulatedCarrierIngestion } from './test-support/simulated-carrier-ingestion';
import { SimulatedClaims } from './test-support/simulated-claims';
import { SimulatedClearance, type SimulatedCase, type SimulatedFigures } from './test-support/simulated-clearance';
import { SimulatedNotification, type SimulatedTask } from './test-support/simulated-notification';
import { SimulatedVault } from './test-support/simulated-vault';

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
const STATUS_TOKEN = randomBytes(32).toString('base64url');
const UPLOAD_TOKEN = randomBytes(32).toString('base64url');
const VAULT_PUBLIC = 'https://vault.portico.test';
// the console's own INTERNAL_SERVICE_TOKEN, presented to carrier-ingestion as service `console`
const CONSOLE_TOKEN = randomBytes(24).toString('base64url');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function task(id: string, propertyId: string, residentName: string, deadlineHours: number): SimulatedTask {
  const text = `${residentName}您好！您的包裹需要清关证件，请联系 ${PHONE_A}。`;
  const trackingNumber = `PX${id.toUpperCase()}CN`;
  return {
    id,
    tenantId: TENANT,
    propertyId,
    caseId: `case_${id}`,
    parcelId: parcelId('demo-express', trackingNumber),
    carrierCode: 'demo-express',
    trackingNumber,
    kind: 'documents_requested',
    state: 'open',
    expedited: false,
    escalationLevel: 'steward',
    deadline: new Date(Date.now() + deadlineHours * 3_600_000).toISOString(),
    createdAt: new Date().toISOString(),
    closedAt: null,
    stewardId: propertyId === PROP_A ? `stf_a_${run}` : `stf_b_${run}`,
    stewardName: propertyId === PROP_A ? '王管家' : '李管家',
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

describe('steward console in Chromium (console process, real Kafka + Postgres, simulated upstream APIs)', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  let brokers: string[];
  let notificationApi: SimulatedNotification;
  let clearanceApi: SimulatedClearance;
  let vaultApi: SimulatedVault;
  let claimsApi: SimulatedClaims;
  let carrierApi: SimulatedCarrierIngestion;
  let console_: ServiceProcess;
  let browser: Browser;
  const consoleMessages: string[] = [];
  // Every URL any signed-in page requested or navigated to: search text must never be in one.
  const requestedUrls: string[] = [];
  const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function publishTaskCreated(t: SimulatedTask): Promise<void> {
    const value = create(notification.OutreachTaskCreatedSchema, {
      taskId: t.id,
      tenantId: t.tenantId,
      propertyId: t.propertyId,
      caseId: t.caseId,
      occurredAt: timestampFromDate(new Date()),
    });
    await publishOutreach(create(notification.OutreachEventSchema, { event: { case: 'outreachTaskCreated', value } }), `prc_${t.id}`, t.tenantId);
  }

  async function publishOutreach(message: notification.OutreachEvent, key: string, tenantId: string): Promise<void> {
    const record = encodeEvent({ schema: notification.OutreachEventSchema, message, key, tenantId });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: NOTIFICATION_OUTREACH_TOPIC.name, messages: [{ key: record.key, value: Buffer.from(record.value), headers: record.headers }] });
    await producer.disconnect();
  }

  async function signIn(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('console', (m) => consoleMessages.push(m.text()));
    page.on('request', (r) => requestedUrls.push(r.url()));
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
    const keys = { devKey: DEV_KEY, issuer: ISSUER, audience: AUDIENCE };
    notificationApi = new SimulatedNotification(keys);
    clearanceApi = new SimulatedClearance(keys);
    vaultApi = new SimulatedVault(keys);
    claimsApi = new SimulatedClaims(keys);
    carrierApi = new SimulatedCarrierIngestion(keys, CONSOLE_TOKEN);
    for (const api of [notificationApi, clearanceApi, vaultApi, claimsApi, carrierApi]) await api.start();
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
        CONSOLE_VAULT_URL: vaultApi.url,
        CONSOLE_CLEARANCE_URL: clearanceApi.url,
        CONSOLE_CLAIMS_URL: claimsApi.url,
        CONSOLE_CARRIER_INGESTION_URL: carrierApi.url,
        INTERNAL_SERVICE_TOKEN: CONSOLE_TOKEN,
        CONSOLE_VAULT_PUBLIC_URL: VAULT_PUBLIC,
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
    for (const api of [notificationApi, clearanceApi, vaultApi, claimsApi, carrierApi]) await api?.stop();
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

  it('slows password guessing down: after five failures for one user name, 429 with Retry-After and zh/en', async () => {
    const attempt = () =>
      fetch(`${console_.baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `guessed.${run}`, password: 'not the password' }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const throttled = await attempt();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await throttled.json()) as { error: { code: string; message: { en: string; zh: string } } };
    expect(body.error.code).toBe('login_throttled');
    expect(body.error.message.zh).toContain('登录失败次数过多');
    expect(body.error.message.en).toContain('Too many failed sign-ins');
    expect(throttled.headers.get('set-cookie')).toBeNull();
    // The throttle is per user name: the seeded stewards still sign in (the tests below do).
    expect(readFileSync(console_.logFile, 'utf8')).not.toContain(`guessed.${run}`);
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


  // ---- the parcel page, search, monthly review and resident status ----

  const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
  let lateReceiptAt = '';
  const heldTask = task(`ot_held_${run}`, PROP_A, RESIDENT_A, 30);
  const otherTask = task(`ot_other_${run}`, PROP_B, RESIDENT_B, 30);
  const LOST_TRACKING = `LX${run.toUpperCase()}77CN`;
  const lostParcel = parcelId('demo-express', LOST_TRACKING);

  function clearanceCase(t: SimulatedTask, state: string): SimulatedCase {
    return {
      id: t.caseId,
      tenantId: TENANT,
      parcelId: t.parcelId,
      carrierCode: t.carrierCode,
      trackingNumber: t.trackingNumber,
      holdReason: 'id_documents_required',
      state,
      open: true,
      requiredDocuments: [{ type: 'resident_id_card', sides: ['front', 'back'] }],
      deadline: t.deadline!,
      expedited: false,
      propertyId: t.propertyId,
      openedAt: hours(-5),
      updatedAt: hours(-1),
      closedAt: null,
      history: [
        { from: null, to: 'opened', at: hours(-5), cause: 'customs_hold', causeEventId: 'evt_1' },
        { from: 'opened', to: 'awaiting_documents', at: hours(-5), cause: 'customs_hold', causeEventId: 'evt_1' },
        { from: 'awaiting_documents', to: 'documents_received', at: hours(-1), cause: 'documents_submitted', causeEventId: 'evt_2' },
      ],
    };
  }

  const figures = (cases: number, median: number, minutes: number): SimulatedFigures => ({
    cases,
    cleared: cases - 1,
    holdToClearanceHours: { median, p90: median * 2 },
    stewardMinutesPerCase: minutes,
    secureChannelShare: 0.95,
    firstPassAcceptance: 0.8,
    escalations: 1,
    ackSlaBreaches: 0,
    missedDeadlines: 1,
  });

  const thisMonth = () => new Date().toISOString().slice(0, 7);
  const monthBefore = (n: number) => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - n);
    return d.toISOString().slice(0, 7);
  };

  it('seeds the other upstreams', async () => {
    heldTask.createdAt = hours(-5);
    otherTask.createdAt = hours(-4);
    heldTask.unitLabel = '12-03';
    otherTask.unitLabel = '7-01';
    const scan = (status: string, at: string, late = false) => ({
      status,
      holdReason: status === 'customs_hold' ? 'id_documents_required' : null,
      exceptionReason: null,
      location: { countryCode: 'CN', region: 'Guangdong', city: 'Shenzhen', postalCode: '', description: 'Shenzhen Airport Hub' },
      occurredAt: at,
      receivedAt: at,
      late,
      carrierCode: 'demo-express',
      carrierStatus: { code: status.toUpperCase(), description: status },
    });
    // three scans: two pages of the simulator's two, one arriving late
    carrierApi.events.set(heldTask.parcelId, [scan('in_transit', hours(-30)), scan('customs_hold', hours(-5)), scan('info_received', hours(-40), true)]);
    carrierApi.events.set(otherTask.parcelId, [scan('customs_hold', hours(-4))]);
    const message = (id: string, over: Omit<MessageView, 'id' | 'taskId' | 'caseId' | 'parcelId' | 'tenantId' | 'propertyId' | 'language' | 'deliveredAt' | 'failedAt' | 'lastErrorCode'> & Partial<MessageView>): MessageView => ({
      id,
      taskId: heldTask.id,
      caseId: heldTask.caseId,
      parcelId: heldTask.parcelId,
      tenantId: TENANT,
      propertyId: PROP_A,
      language: 'zh' as const,
      deliveredAt: null,
      failedAt: null,
      lastErrorCode: null,
      ...over,
    });
    lateReceiptAt = hours(-4.5);
    notificationApi.messages.push(
      message(`msg_res_${run}`, {
        recipientRole: 'resident',
        templateRef: 'resident-documents-requested@1',
        status: 'sent',
        channel: 'email',
        channelPlan: ['sms', 'email'],
        failedOverFrom: ['sms'],
        attempts: 2,
        queuedAt: hours(-4.9),
        sentAt: hours(-4.8),
        attemptLog: [
          { attempt: 1, channel: 'sms', startedAt: hours(-4.9), finishedAt: hours(-4.85), outcome: 'failed', errorCode: 'isv.MOBILE_NUMBER_ILLEGAL' },
          { attempt: 2, channel: 'email', startedAt: hours(-4.82), finishedAt: hours(-4.8), outcome: 'sent', errorCode: null },
        ],
      }),
      message(`msg_stf_${run}`, {
        recipientRole: 'steward',
        templateRef: 'steward-new-task@1',
        status: 'delivered',
        channel: 'wecom',
        channelPlan: ['wecom'],
        failedOverFrom: [],
        attempts: 1,
        queuedAt: hours(-4.95),
        sentAt: hours(-4.94),
        deliveredAt: hours(-4.94),
        attemptLog: [{ attempt: 1, channel: 'wecom', startedAt: hours(-4.95), finishedAt: hours(-4.94), outcome: 'sent', errorCode: null }],
      }),
      // the reminder's SMS was accepted, then its SmsReport failed it late (no channel left)
      message(`msg_late_${run}`, {
        recipientRole: 'resident',
        templateRef: 'resident-deadline-reminder@1',
        status: 'failed',
        channel: 'sms',
        channelPlan: ['sms'],
        failedOverFrom: [],
        attempts: 1,
        queuedAt: hours(-4.6),
        sentAt: hours(-4.59),
        failedAt: lateReceiptAt,
        lastErrorCode: 'SMS_DR_MK:0001',
        attemptLog: [{ attempt: 1, channel: 'sms', startedAt: hours(-4.6), finishedAt: hours(-4.59), outcome: 'sent', errorCode: null, receipt: { outcome: 'failed', code: 'MK:0001', at: lateReceiptAt } }],
      }),
    );
    notificationApi.tasks.set(heldTask.id, heldTask);
    notificationApi.tasks.set(otherTask.id, otherTask);
    clearanceApi.cases.set(heldTask.caseId, clearanceCase(heldTask, 'documents_received'));
    // Same tenant, and clearance has not learned the case's property yet: its case list hands a case
    // without property to every steward of the tenant, so steward A gets it from clearance.
    clearanceApi.cases.set(otherTask.caseId, { ...clearanceCase(otherTask, 'awaiting_documents'), propertyId: null });
    const card = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#c9d6e3' } })
      .composite([{ input: Buffer.from('<svg width="640" height="400"><rect x="20" y="20" width="600" height="360" rx="24" fill="none" stroke="#12263f" stroke-width="6"/><text x="40" y="90" font-size="40" fill="#12263f">SIMULATED CARD</text></svg>') }])
      .jpeg()
      .toBuffer();
    vaultApi.documents.set(`doc_${run}`, {
      id: `doc_${run}`,
      requestId: `ur_${run}`,
      caseId: heldTask.caseId,
      tenantId: TENANT,
      propertyId: PROP_A,
      documentType: 'resident_id_card',
      sides: ['front', 'back'],
      status: 'submitted',
      attempt: 1,
      checks: { front: { width: 640, height: 400, sharpness: 231 }, back: { width: 640, height: 400, sharpness: 198 } },
      hasTypedFields: false,
      submittedAt: hours(-1),
      reviewedAt: null,
      rejectionReason: null,
    });
    vaultApi.images.set(`doc_${run}:front`, card);
    vaultApi.images.set(`doc_${run}:back`, card);
    claimsApi.claims.set(`clm_${run}`, {
      id: `clm_${run}`,
      tenantId: TENANT,
      parcelId: lostParcel,
      carrierCode: 'demo-express',
      trackingNumber: LOST_TRACKING,
      propertyId: PROP_A,
      lane: 'domestic',
      reason: 'no_scan',
      origin: 'rule',
      state: 'awaiting_customer_decision',
      openedAt: hours(-48),
      closedAt: null,
      lastScanAt: hours(-120),
      decision: null,
      decisionDefaulted: false,
      allowedActions: ['file', 'settle', 'found', 'withdraw', 'cancel'],
      history: [
        { from: null, to: 'detected', at: hours(-48), cause: 'no_scan_rule', actorId: null },
        { from: 'detected', to: 'awaiting_customer_decision', at: hours(-24), cause: 'await_decision', actorId: `stf_a_${run}` },
      ],
      log: [],
    });
    for (const [n, [a, b]] of [[5, [4, 6]], [4, [7, 5]], [3, [6, 3]], [2, [9, 4]], [1, [8, 2]], [0, [10, 3]]] as const) {
      clearanceApi.reviews.set(
        `${TENANT}|${n === 0 ? thisMonth() : monthBefore(n)}`,
        new Map([
          [PROP_A, figures(a, 60 - n * 8, 40 - n * 4)],
          [PROP_B, figures(b, 99, 99)],
        ]),
      );
    }
    expect(notificationApi.tasks.size).toBeGreaterThanOrEqual(4);
  });

  it('finds a parcel by resident name or unit with the text in no URL, and not another property\'s', async () => {
    const page = await signIn('steward.a');
    await page.getByRole('link', { name: '查找包裹' }).click();
    await page.getByRole('heading', { name: '查找包裹' }).waitFor();
    const searches: { method: string; body: string | null }[] = [];
    page.on('request', (r) => r.url().endsWith('/api/search') && searches.push({ method: r.method(), body: r.postData() }));
    await page.getByLabel('运单号、房号或住户姓名').fill(RESIDENT_A.slice(0, 2));
    const taskListsBefore = notificationApi.requests.filter((r) => r === 'GET /v1/outreach/tasks').length;
    await page.getByRole('button', { name: '查找' }).click();
    await page.locator(`[data-parcel-id="${heldTask.parcelId}"]`).waitFor();
    expect(searches).toEqual([expect.objectContaining({ method: 'POST' })]);
    expect(searches[0]!.body).toContain(RESIDENT_A.slice(0, 2));
    expect(page.url()).toBe(`${console_.baseUrl}/search`);
    // notification matched (server-side, text in the request body); the console scanned no task list
    expect(notificationApi.searches).toEqual([expect.objectContaining({ text: RESIDENT_A.slice(0, 2) })]);
    expect(notificationApi.requests.filter((r) => r === 'GET /v1/outreach/tasks').length).toBe(taskListsBefore);
    // the steward filter was filled from notification's stewards of the person's properties
    await expect(page.getByLabel('管家').locator('option').allTextContents()).resolves.toContain('王管家');
    await shot(page, '08-search-by-resident');

    // By unit, typed without the dash: the unit is shown on the hit.
    await page.getByLabel('运单号、房号或住户姓名').fill('1203');
    await page.getByRole('button', { name: '查找' }).click();
    const byUnit = page.locator(`[data-parcel-id="${heldTask.parcelId}"]`);
    await byUnit.getByText('房号匹配').waitFor();
    await expect(byUnit.textContent()).resolves.toContain('房号: 12-03');
    await shot(page, '08b-search-by-unit');
    // the other property's unit finds nothing
    await page.getByLabel('运单号、房号或住户姓名').fill('7-01');
    await page.getByRole('button', { name: '查找' }).click();
    await page.getByText('没有找到包裹').waitFor();

    // Another property's resident finds nothing, also through the API.
    await page.getByLabel('运单号、房号或住户姓名').fill(RESIDENT_B);
    await page.keyboard.press('Enter'); // keyboard only: Enter in the field submits the search
    await page.getByText('没有找到包裹').waitFor();
    // (the field holds what was typed; the results and the API answer must not know the parcel)
    await expect(page.locator('section[aria-labelledby="results-title"]').textContent()).resolves.not.toContain(RESIDENT_B);
    const api = (await page.evaluate(
      `fetch('/api/me').then((r) => r.json()).then((me) => fetch('/api/search', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ text: '${RESIDENT_B}' }) })).then((r) => r.json())`,
    )) as { items: unknown[] };
    expect(api.items).toEqual([]);

    // Tracking number with a carrier: the parcel with only a claim (no task) is found by its parcel id.
    await page.getByLabel('运单号、房号或住户姓名').fill(LOST_TRACKING.toLowerCase());
    await page.getByLabel(/承运商代码/).fill('demo-express');
    await page.getByRole('button', { name: '查找' }).click();
    await page.locator(`[data-parcel-id="${lostParcel}"]`).waitFor();
    await page.close();
  });

  it('shows one parcel timeline across the services and records the one-click actions', async () => {
    const page = await signIn('steward.a');
    await page.goto(`${console_.baseUrl}/parcels/${heldTask.parcelId}`);
    const timeline = page.getByRole('list', { name: '处理记录' });
    await timeline.locator('li').first().waitFor();
    const lines = await timeline.locator('li').allTextContents();
    expect(lines.some((l) => l.includes('物流') && l.includes('海关扣留'))).toBe(true); // the carrier scan
    // carrier-ingestion's whole history (both pages), with the place and the late scan marked
    expect(lines.filter((l) => l.includes('物流扫描'))).toHaveLength(3);
    expect(lines.some((l) => l.includes('运输中') && l.includes('Shenzhen Airport Hub'))).toBe(true);
    expect(lines.some((l) => l.includes('已揽收信息') && l.includes('迟到的扫描'))).toBe(true);
    expect(carrierApi.requests.filter((r) => r.includes(heldTask.parcelId))).toHaveLength(2);
    // messages and their delivery: the failover, the send, the steward's delivered notice
    expect(lines.some((l) => l.includes('一次发送失败') && l.includes('短信') && l.includes('isv.MOBILE_NUMBER_ILLEGAL'))).toBe(true);
    expect(lines.some((l) => l.includes('消息已发出') && l.includes('请住户上传证件') && l.includes('邮件'))).toBe(true);
    expect(lines.some((l) => l.includes('消息已送达') && l.includes('企业微信'))).toBe(true);
    const residentRow = page.locator(`tr[data-message-id="msg_res_${run}"]`);
    await expect(residentRow.textContent()).resolves.toMatch(/请住户上传证件.*住户.*短信 → 邮件.*已发出.*暂无回执.*2/);
    // WeCom reports no delivery: no "none yet" that would never change
    await expect(page.locator(`tr[data-message-id="msg_stf_${run}"] div.receipt-cell`).textContent()).resolves.toBe('—');
    // a late failure in words, with the attempt, the provider's code and the time (not colour only)
    const lateRow = page.locator(`tr[data-message-id="msg_late_${run}"]`);
    const lateReceipt = await lateRow.locator('li[data-receipt-attempt="1"]').textContent();
    expect(lateReceipt).toMatch(/^回执：发出后未送达 · 短信 · 第 1 次 · MK:0001 · \S/);
    await expect(lateRow.locator('time').getAttribute('datetime')).resolves.toBe(lateReceiptAt);
    expect(lines.some((l) => l.includes('清关') && l.includes('证件已收到'))).toBe(true); // case step
    expect(lines.some((l) => l.includes('通知') && l.includes('需要证件'))).toBe(true); // the task
    expect(lines.some((l) => l.includes('证件') && l.includes('证件提交'))).toBe(true); // the upload
    // the document side by side with its check results, the image through the console
    const image = page.getByRole('img', { name: '居民身份证 正面' });
    await expect(image.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).resolves.toBe(640);
    await page.getByText('清晰度 231').waitFor();
    await shot(page, '09-parcel-timeline');
    await page.setViewportSize({ width: 1280, height: 900 }); // wide: documents beside checks, timeline beside them
    await shot(page, '09b-parcel-timeline-wide');
    await page.setViewportSize({ width: 390, height: 844 });

    // notification confirms the resident's e-mail delivered: its MessageDelivered on the real topic
    // updates the messages table without a reload. No task or case in the event (as for messages
    // outside a task): the page matches on the parcel id.
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    const index = notificationApi.messages.findIndex((m) => m.id === `msg_res_${run}`);
    const deliveredAt = new Date().toISOString();
    const sentMessage = notificationApi.messages[index]!;
    notificationApi.messages[index] = {
      ...sentMessage,
      status: 'delivered',
      deliveredAt,
      // the e-mail's DSN said delivered
      attemptLog: sentMessage.attemptLog.map((a) => (a.attempt === 2 ? { ...a, receipt: { outcome: 'delivered' as const, code: '2.0.0', at: deliveredAt } } : a)),
    };
    const delivered = create(notification.MessageDeliveredSchema, {
      tenantId: TENANT,
      propertyId: PROP_A,
      parcel: { parcelId: heldTask.parcelId, carrierCode: heldTask.carrierCode, trackingNumber: heldTask.trackingNumber },
      messageId: `msg_res_${run}`,
      attempt: 2,
      occurredAt: timestampFromDate(new Date()),
    });
    const publishedAt = Date.now();
    await publishOutreach(create(notification.OutreachEventSchema, { event: { case: 'messageDelivered', value: delivered } }), heldTask.parcelId, TENANT);
    await residentRow.getByText('已送达', { exact: true }).waitFor({ timeout: 2_000 });
    await expect(residentRow.locator('li[data-receipt-attempt="2"]').textContent()).resolves.toMatch(/^回执：已送达 · 邮件 · 第 2 次 · 2\.0\.0 · /);
    process.stdout.write(`message delivered shown on the open parcel page ${Date.now() - publishedAt} ms after publishing\n`);
    expect(navigations).toBe(0);
    await shot(page, '09c-parcel-message-delivered-live');
    // the receipts in English, then back to Chinese for the steps below
    await page.getByRole('button', { name: '切换为英文' }).click();
    await expect(residentRow.locator('li[data-receipt-attempt="2"]').textContent()).resolves.toMatch(/^Receipt: delivered · Email · attempt 2 · 2\.0\.0 · /);
    await expect(page.locator(`tr[data-message-id="msg_late_${run}"] li[data-receipt-attempt="1"]`).textContent()).resolves.toMatch(/^Receipt: failed after sending · SMS · attempt 1 · MK:0001 · /);
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    await page.getByRole('heading', { name: '消息与送达' }).waitFor();

    // Send script: record that it went out on WeCom.
    await page.getByLabel('发送渠道').selectOption('wecom');
    await page.getByRole('button', { name: '已发送话术' }).click();
    await page.getByRole('button', { name: '已记录发送' }).waitFor();
    expect(notificationApi.actions.filter((a) => a.taskId === heldTask.id)).toEqual([
      expect.objectContaining({ action: 'contacted', channel: 'wecom', subject: `stf_a_${run}`, idempotencyKey: expect.any(String) }),
    ]);
    await timeline.getByText('已联系住户').waitFor(); // the timeline shows the action after the reload

    // Reject with a reason: the request for a new upload.
    await page.getByLabel('退回原因').selectOption('unreadable');
    await page.getByRole('button', { name: '退回并要求重新上传' }).click();
    await page.locator(`[data-document-id="doc_${run}"]`).getByText('已退回').first().waitFor();
    expect(vaultApi.decisions).toEqual([{ documentId: `doc_${run}`, decision: 'rejected', reason: 'unreadable', subject: `stf_a_${run}` }]);
    await timeline.getByText('证件审核').waitFor();
    await shot(page, '10-parcel-after-actions');

    await page.close();
  });

  it('records a claim decision from the parcel page', async () => {
    const page = await signIn('steward.a');
    await page.goto(`${console_.baseUrl}/parcels/${lostParcel}`);
    await page.getByLabel('客户决定').selectOption('refund');
    await page.getByRole('button', { name: '记录决定' }).click();
    await page.getByText('已记录决定').waitFor();
    expect(claimsApi.decisions).toEqual([{ claimId: `clm_${run}`, decision: 'refund', subject: `stf_a_${run}` }]);
    const lines = await page.getByRole('list', { name: '处理记录' }).locator('li').allTextContents();
    expect(lines.some((l) => l.includes('最后一次扫描'))).toBe(true);
    await shot(page, '11-claim-decision');
    await page.close();
  });

  it("keeps another steward's parcel invisible, even where an upstream does not filter by property", async () => {
    const pageA = await signIn('steward.a');
    const answer = (await pageA.evaluate(`fetch('/api/parcels/${otherTask.parcelId}').then(async (r) => ({ status: r.status, body: await r.json() }))`)) as {
      status: number;
      body: { error: { code: string; message: { zh: string; en: string } } };
    };
    expect(clearanceApi.requests).toContain('GET /v1/cases'); // clearance was asked and handed the case over
    // carrier-ingestion, which knows no properties, was never asked about the invisible parcel
    expect(carrierApi.requests.filter((r) => r.includes(otherTask.parcelId))).toEqual([]);
    expect(answer).toEqual({ status: 404, body: { error: expect.objectContaining({ code: 'parcel_not_found', message: { zh: expect.any(String), en: expect.any(String) } }) } });
    await pageA.goto(`${console_.baseUrl}/parcels/${otherTask.parcelId}`);
    await pageA.getByRole('alert').waitFor();
    await expect(pageA.content()).resolves.not.toContain(RESIDENT_B);
    await shot(pageA, '12-other-property-parcel');
    const pageB = await signIn('steward.b');
    const fromB = (await pageB.evaluate(`fetch('/api/parcels/${heldTask.parcelId}').then((r) => r.status)`)) as number;
    expect(fromB).toBe(404);
    await pageA.close();
    await pageB.close();
  });

  it('shows the monthly review with charts and their tables, own properties only', async () => {
    const page = await signIn('steward.a');
    await page.getByRole('link', { name: '月度复盘' }).click();
    const card = page.locator(`[data-property-id="${PROP_A}"]`);
    await card.waitFor();
    expect(await page.locator(`[data-property-id="${PROP_B}"]`).count()).toBe(0);
    await card.getByRole('row', { name: /管家每案耗时/ }).getByText('40').waitFor();
    await expect(card.getByRole('img', { name: '扣留到清关中位数（小时）趋势' }).locator('rect').count()).resolves.toBe(6);
    const table = card.locator('table.chart-table').first();
    await expect(table.locator('tbody tr').count()).resolves.toBe(6);
    await shot(page, '13-monthly-review');
    await page.getByRole('button', { name: '切换为英文' }).click();
    await page.getByRole('heading', { name: 'Monthly review' }).waitFor();
    await shot(page, '14-monthly-review-en');
    await page.close();
  });

  it('shows the resident status page by token, without login, zh and en, with the upload link', async () => {
    clearanceApi.statusViews.set(STATUS_TOKEN, {
      reference: heldTask.caseId,
      language: 'zh',
      parcel: { carrierCode: 'demo-express', trackingNumberLast4: heldTask.trackingNumber.slice(-4) },
      holdReason: { code: 'id_documents_required', label: { zh: '海关要求提供身份证明', en: 'Customs needs proof of identity' } },
      state: 'rejected',
      open: true,
      steps: [
        { code: 'held_by_customs', status: 'done', label: { zh: '海关扣留', en: 'Held by customs' } },
        { code: 'documents_needed', status: 'current', label: { zh: '需要提交证件', en: 'Documents needed' } },
        { code: 'documents_received', status: 'upcoming', label: { zh: '证件已收到', en: 'Documents received' } },
        { code: 'review', status: 'upcoming', label: { zh: '审核', en: 'Review' } },
        { code: 'sent_to_carrier', status: 'upcoming', label: { zh: '已提交承运商清关', en: 'Sent to the carrier for clearance' } },
        { code: 'cleared', status: 'upcoming', label: { zh: '已清关放行', en: 'Cleared by customs' } },
      ],
      nextAction: {
        code: 'upload_again',
        text: { zh: '您上次提交的证件未通过审核。请重新上传以下证件的清晰、完整照片：居民身份证（正面和背面）。', en: 'The documents you sent could not be accepted. Please upload new, clear and complete photos: resident ID card, front and back.' },
        documents: [{ type: 'resident_id_card', sides: ['front', 'back'], label: { zh: '居民身份证（正面和背面）', en: 'resident ID card, front and back' } }],
        deadline: heldTask.deadline,
      },
      deadline: heldTask.deadline,
      expedited: false,
      updatedAt: hours(-1),
      linkExpiresAt: hours(200),
    });
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('console', (m) => consoleMessages.push(m.text()));
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(`${console_.baseUrl}/s#t=${STATUS_TOKEN}&u=${UPLOAD_TOKEN}`);
    await page.getByRole('heading', { name: '海关要求提供身份证明' }).waitFor();
    await page.getByText('您上次提交的证件未通过审核').waitFor();
    expect(await page.locator('[aria-current="step"]').textContent()).toContain('需要提交证件');
    const upload = page.getByRole('link', { name: '打开安全上传页面' });
    await expect(upload.getAttribute('href')).resolves.toBe(`${VAULT_PUBLIC}/u/${UPLOAD_TOKEN}`);
    const contrast = new Function(`return (${CONTRAST})`)() as (el: unknown) => number;
    expect(await upload.evaluate(contrast)).toBeGreaterThanOrEqual(4.5);
    expect(await page.locator('[aria-current="step"]').evaluate(contrast)).toBeGreaterThanOrEqual(4.5);
    expect((await context.cookies()).length).toBe(0); // no login, no session
    // The token went as a bearer header, never in a URL the browser requested.
    expect(clearanceApi.statusCalls.at(-1)!.authorization).toBe(`Bearer ${STATUS_TOKEN}`);
    expect(urls.some((u) => u.includes(STATUS_TOKEN) && !u.includes('#'))).toBe(false);
    await shot(page, '15-resident-status-zh');
    await page.getByRole('button', { name: '切换为英文' }).click();
    await page.getByRole('heading', { name: 'Customs needs proof of identity' }).waitFor();
    await shot(page, '16-resident-status-en');

    // A link that does not work: clearance's zh message, nothing else.
    await page.goto(`${console_.baseUrl}/s#${randomBytes(32).toString('base64url')}`);
    await page.reload();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('此状态链接无效');
    await shot(page, '17-resident-status-invalid');
    await context.close();
  });

  it('put no personal data in the browser console, URLs or the console service log', async () => {
    const log = console_.logText();
    const urls = requestedUrls.join('\n');
    for (const secret of [RESIDENT_A, RESIDENT_B, PHONE_A, PASSWORD, STATUS_TOKEN, UPLOAD_TOKEN]) {
      expect(consoleMessages.join('\n')).not.toContain(secret);
      expect(log).not.toContain(secret);
      expect(urls).not.toContain(secret);
      expect(urls).not.toContain(encodeURIComponent(secret));
    }
    expect(urls).not.toContain(encodeURIComponent(RESIDENT_A.slice(0, 2))); // the search text
    expect(log).toContain('steward action done'); // the log was written (the scan is not of an empty file)
    expect(log).toContain('parcel viewed');
  });
});
