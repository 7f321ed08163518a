// OIDC sign-in against a REAL OpenID provider (oidc-provider 9 in its own process:
// test-support/oidc-provider-process.mjs) and the console as a process from its build, real Postgres
// and Kafka. The browser is an HTTP cookie jar that follows the redirects by hand, so each test can
// stop at the callback and tamper with it the way an attacker would. Upstream notification is the
// SIMULATED one of the browser test (it verifies the person token the console mints and scopes by
// its property ids), which shows the mapped properties reaching the other services.
// The console runs as in production (docs/adr/0006): no development key; it signs the person tokens
// with CONSOLE_TOKEN_SIGNING_KEYS and the simulated notification verifies them with libs/auth's
// verifier against the console's real HTTP JWKS (AUTH_JWKS_URL), as every service does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthError, parseSigningKeys, PersonTokenSigner, PersonTokenVerifier, signDevToken } from '@portico/auth';
import { createTestDatabase, getTestKafka, type TestDatabase } from '@portico/testing';
import { launchChromium } from '@portico/testing/browser';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import { HttpBrowser } from '../test-support/http-browser';
import { SimulatedNotification, type SimulatedTask } from '../test-support/simulated-notification';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console-oidc');
const run = randomBytes(4).toString('hex');
const AUDIENCE = 'portico-api';
/** Private JWKs, newest first: the console signs with the first and publishes both. */
const signingJwk = (kid: string, type: 'ec' | 'ed25519') => {
  const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { ...privateKey.export({ format: 'jwk' }), kid };
};
const SIGNING_KEYS = [signingJwk(`k2-${run}`, 'ec'), signingJwk(`k1-${run}`, 'ed25519')];
const TENANT = `ten_oidc_${run}`;
const PROP_A = `prop_a_${run}`;
const PROP_B = `prop_b_${run}`;
const CLIENT_ID = `portico-console-${run}`;
const CLIENT_SECRET = randomBytes(24).toString('base64url');
// The provider's subjects are e-mail addresses here (as many IdPs' are) and its claims carry names
// and phones: none of it may reach the console's log.
const MANAGER_SUB = `zhang.wei.${run}@corp.example`;
const STEWARD_SUB = `li.na.${run}@corp.example`;
const UNMAPPED_SUB = `wang.fang.${run}@corp.example`;
const PROVIDER_ACCOUNTS = {
  [MANAGER_SUB]: { name: '张伟', email: MANAGER_SUB, phone_number: '13800001111' },
  [STEWARD_SUB]: { name: '李娜', email: STEWARD_SUB, phone_number: '13800002222' },
  [UNMAPPED_SUB]: { name: '王芳', email: UNMAPPED_SUB, phone_number: '13800003333' },
};
const PERSONAL = [
  MANAGER_SUB,
  STEWARD_SUB,
  UNMAPPED_SUB,
  '张伟',
  '李娜',
  '王芳',
  '13800001111',
  '13800002222',
  '13800003333',
];

function task(id: string, propertyId: string): SimulatedTask {
  return {
    id,
    tenantId: TENANT,
    propertyId,
    caseId: `case_${id}`,
    parcelId: `prc_${randomBytes(16).toString('hex')}`,
    carrierCode: 'demo-express',
    trackingNumber: `PX${id.toUpperCase()}`,
    kind: 'documents_requested',
    state: 'open',
    expedited: false,
    escalationLevel: 'steward',
    deadline: null,
    createdAt: new Date().toISOString(),
    closedAt: null,
    stewardId: null,
    residentName: '住户',
    script: { text: 's', zh: 's', en: 's', language: 'zh', templateRef: 'documents-requested@1' },
  };
}

describe('console OIDC login (real oidc-provider, console process, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let provider: ChildProcess;
  let issuer: string;
  let notificationApi: SimulatedNotification;
  let console_: ServiceProcess;
  let consoleIssuer: string;
  let jwksUrl: string;

  /** Starts a sign-in in `browser`: the provider's authorization URL the console redirected to. */
  async function startLogin(browser: HttpBrowser): Promise<URL> {
    const response = await browser.request(`${console_.baseUrl}/api/auth/oidc/login`);
    expect(response.status).toBe(302);
    const binding = HttpBrowser.setCookieOf(response, 'portico_oidc');
    expect(binding).toMatch(/HttpOnly/i);
    expect(binding).toMatch(/SameSite=Lax/i);
    return new URL(response.headers.get('location')!);
  }

  /** The person `sub` signs in at the provider: answers the callback URL the provider sends back to the console. */
  async function atProvider(browser: HttpBrowser, authorizationUrl: URL, sub: string): Promise<URL> {
    const url = new URL(authorizationUrl);
    url.searchParams.set('login_hint', sub);
    return new URL(await browser.followUntil(url.toString(), console_.baseUrl));
  }

  async function callback(browser: HttpBrowser, url: URL): Promise<{ response: Response; body: string }> {
    const response = await browser.request(url.toString());
    return { response, body: await response.text() };
  }

  async function signIn(sub: string): Promise<{ browser: HttpBrowser; me: Record<string, unknown> }> {
    const browser = new HttpBrowser();
    const back = await atProvider(browser, await startLogin(browser), sub);
    const { response } = await callback(browser, back);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/inbox');
    const me = await browser.request(`${console_.baseUrl}/api/me`);
    expect(me.status).toBe(200);
    return { browser, me: (await me.json()) as Record<string, unknown> };
  }

  function expectRefusal(
    result: { response: Response; body: string },
    status: number,
    code: string,
    browser: HttpBrowser,
  ): void {
    expect(result.response.status).toBe(status);
    expect(result.response.headers.get('x-error-code')).toBe(code);
    expect(result.response.headers.get('content-type')).toMatch(/text\/html/);
    expect(result.body).toContain(`data-error-code="${code}"`);
    expect(result.body).toContain('登录未完成');
    expect(result.body).toContain('Sign-in not completed');
    expect(HttpBrowser.setCookieOf(result.response, 'portico_session')).toBeUndefined();
    expect(browser.cookies(console_.baseUrl).has('portico_oidc')).toBe(false);
  }

  beforeAll(async () => {
    db = await createTestDatabase('console');
    const { brokers } = await getTestKafka();
    const consolePort = await freePort();
    const providerPort = await freePort();
    const redirectUrl = `http://127.0.0.1:${consolePort}/api/auth/oidc/callback`;
    consoleIssuer = `http://127.0.0.1:${consolePort}`;
    jwksUrl = `${consoleIssuer}/.well-known/jwks.json`;
    provider = spawn(
      process.execPath,
      [join(REPO_ROOT, 'services/console/src/test-support/oidc-provider-process.mjs')],
      {
        env: {
          ...process.env,
          OIDC_PORT: String(providerPort),
          OIDC_ACCOUNTS: JSON.stringify(PROVIDER_ACCOUNTS),
          OIDC_DEFAULT_LOGIN: STEWARD_SUB, // whoever clicks the button in Chromium
          OIDC_CLIENT: JSON.stringify({
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uris: [redirectUrl],
            post_logout_redirect_uris: [`http://127.0.0.1:${consolePort}/`],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    issuer = await new Promise<string>((resolve, reject) => {
      let out = '';
      provider.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      provider.once('exit', (code) => reject(new Error(`oidc-provider exited ${code}`)));
    });
    notificationApi = new SimulatedNotification({ jwksUrl, issuer: consoleIssuer, audience: AUDIENCE });
    await notificationApi.start();
    console_ = new ServiceProcess(
      'console',
      consolePort,
      {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_CONSUMER_GROUP: `console-oidc-${run}`,
        CONSOLE_TOKEN_SIGNING_KEYS: JSON.stringify(SIGNING_KEYS),
        AUTH_OIDC_ISSUER: consoleIssuer,
        AUTH_OIDC_AUDIENCE: AUDIENCE,
        CONSOLE_NOTIFICATION_URL: notificationApi.url,
        CONSOLE_OIDC_ISSUER: issuer,
        CONSOLE_OIDC_CLIENT_ID: CLIENT_ID,
        CONSOLE_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        CONSOLE_OIDC_REDIRECT_URL: redirectUrl,
        CONSOLE_OIDC_PROVIDER_NAME: 'Corp SSO',
        LOG_LEVEL: 'debug',
      },
      ARTIFACTS,
    );
    console_.migrate();
    // The mapping table: provider subject → platform subject, roles, tenant, properties.
    for (const [username, sub, subject, roles, propertyIds] of [
      ['manager.oidc', MANAGER_SUB, `stf_mgr_${run}`, ['manager'], [PROP_A, PROP_B]],
      ['steward.oidc', STEWARD_SUB, `stf_a_${run}`, ['steward'], [PROP_A]],
    ] as const) {
      const saved = spawnSync(
        process.execPath,
        [
          join(REPO_ROOT, 'services/console/dist/src/accounts.js'),
          JSON.stringify({
            username,
            subject,
            roles,
            tenantId: TENANT,
            propertyIds,
            oidcIssuer: issuer,
            oidcSubject: sub,
          }),
        ],
        { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' },
      );
      expect(saved.stderr).toBe('');
      expect(saved.status).toBe(0);
    }
    await console_.start();
    notificationApi.tasks.set(`ot_a_${run}`, task(`ot_a_${run}`, PROP_A));
    notificationApi.tasks.set(`ot_b_${run}`, task(`ot_b_${run}`, PROP_B));
  });

  afterAll(async () => {
    await console_?.stop();
    await notificationApi?.stop();
    provider?.kill('SIGTERM');
    await db?.drop();
  });

  it('offers the provider on the login page', async () => {
    const response = await fetch(`${console_.baseUrl}/api/auth/providers`);
    await expect(response.json()).resolves.toEqual({
      local: true,
      oidc: { name: 'Corp SSO', loginUrl: '/api/auth/oidc/login' },
    });
  });

  it('shows "Sign in with <provider>" in Chromium, and the click ends in the inbox with a session', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(`${console_.baseUrl}/`);
      const button = page.getByRole('link', { name: '通过 Corp SSO 登录' });
      await button.waitFor();
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, '01-login-with-provider.png'), fullPage: true });
      await button.click();
      await page.getByRole('heading', { name: '待办任务' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/inbox');
      await page.screenshot({ path: join(ARTIFACTS, '02-inbox-after-oidc.png'), fullPage: true });
      const session = (await context.cookies()).find((c) => c.name === 'portico_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    } finally {
      await browser.close();
    }
  });

  it('sends the browser to the provider with code flow, PKCE S256, state and nonce', async () => {
    const url = await startLogin(new HttpBrowser());
    expect(url.origin).toBe(new URL(issuer).origin);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(CLIENT_ID);
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('nonce')).not.toBe(p.get('state'));
  });

  it('signs a mapped manager in through the full code flow: session cookie, CSRF, mapped roles and properties', async () => {
    const browser = new HttpBrowser();
    const back = await atProvider(browser, await startLogin(browser), MANAGER_SUB);
    expect(back.pathname).toBe('/api/auth/oidc/callback');
    expect(back.searchParams.get('code')).toBeTruthy();
    const { response } = await callback(browser, back);
    expect(response.status).toBe(303);
    const cookie = HttpBrowser.setCookieOf(response, 'portico_session')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(browser.cookies(console_.baseUrl).has('portico_oidc')).toBe(false); // the pending login is used up

    const me = (await (await browser.request(`${console_.baseUrl}/api/me`)).json()) as Record<
      string,
      unknown
    >;
    expect(me).toMatchObject({
      username: 'manager.oidc',
      subject: `stf_mgr_${run}`,
      roles: ['manager'],
      tenantId: TENANT,
      propertyIds: [PROP_A, PROP_B],
    });
    // Sessions and CSRF exactly as for local accounts: a write without the token is refused.
    const noToken = await browser.request(`${console_.baseUrl}/api/tasks/ot_a_${run}/acknowledge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('csrf_token_invalid');
    expect(notificationApi.acknowledgements).toHaveLength(0);
  });

  it('maps roles and scopes properties: the steward sees property A only, the manager both (through the minted token)', async () => {
    const steward = await signIn(STEWARD_SUB);
    expect(steward.me).toMatchObject({ roles: ['steward'], propertyIds: [PROP_A], subject: `stf_a_${run}` });
    const manager = await signIn(MANAGER_SUB);
    const ids = async (browser: HttpBrowser) => {
      const response = await browser.request(`${console_.baseUrl}/api/tasks?state=open`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: Array<{ id: string }> }).items.map((t) => t.id).sort();
    };
    await expect(ids(steward.browser)).resolves.toEqual([`ot_a_${run}`]);
    await expect(ids(manager.browser)).resolves.toEqual([`ot_a_${run}`, `ot_b_${run}`]);
    const otherProperty = await steward.browser.request(`${console_.baseUrl}/api/tasks?propertyId=${PROP_B}`);
    expect(otherProperty.status).toBe(403);
  });

  it("publishes its public signing keys as a cacheable JWKS without private parts", async () => {
    const response = await fetch(jwksUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const text = await response.text();
    const { keys } = JSON.parse(text) as { keys: Array<Record<string, string>> };
    expect(keys.map((k) => [k['kid'], k['alg'], k['use']])).toEqual([
      [`k2-${run}`, 'ES256', 'sig'],
      [`k1-${run}`, 'EdDSA', 'sig'],
    ]);
    expect(text).not.toContain('"d"');
    for (const k of SIGNING_KEYS) expect(text).not.toContain(String(k.d));
  });

  it("the console's upstream token for an OIDC sign-in passes libs/auth's verifier on the console's JWKS; another key's token does not", async () => {
    const steward = await signIn(STEWARD_SUB);
    const before = notificationApi.tokens.length;
    expect((await steward.browser.request(`${console_.baseUrl}/api/tasks?state=open`)).status).toBe(200);
    const token = notificationApi.tokens.slice(before).at(-1)!;
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    expect(header).toMatchObject({ alg: 'ES256', kid: `k2-${run}` }); // the newest key signs

    // what a real service builds from AUTH_JWKS_URL / AUTH_OIDC_ISSUER / AUTH_OIDC_AUDIENCE
    const service = new PersonTokenVerifier({ issuer: consoleIssuer, audience: AUDIENCE, keys: { jwksUrl } });
    await expect(service.verify(token)).resolves.toEqual({
      kind: 'person',
      subject: `stf_a_${run}`,
      roles: ['steward'],
      tenantId: TENANT,
      propertyIds: [PROP_A],
    });
    const refusedCode = async (forged: string) =>
      service.verify(forged).then(
        () => 'accepted',
        (e: unknown) => (e instanceof AuthError ? e.code : String(e)),
      );
    const person = { subject: `stf_mgr_${run}`, roles: ['operator' as const], tenantId: null, propertyIds: [] };
    // another key under the console's own kid, and under a kid the console does not publish
    for (const kid of [`k2-${run}`, `k9-${run}`]) {
      const other = new PersonTokenSigner({
        keyring: parseSigningKeys(JSON.stringify([signingJwk(kid, 'ec')])),
        issuer: consoleIssuer,
        audience: AUDIENCE,
        ttlSec: 60,
      });
      await expect(refusedCode(await other.sign(person))).resolves.toBe('token_invalid');
    }
    // an HS256 token, as the development key would sign it
    const hs = await signDevToken(person, { key: randomBytes(32).toString('base64url'), issuer: consoleIssuer, audience: AUDIENCE });
    await expect(refusedCode(hs)).resolves.toBe('token_invalid');
    // and the simulated notification (the same verifier) answers such a token 401
    const forged = await new PersonTokenSigner({
      keyring: parseSigningKeys(JSON.stringify([signingJwk(`k2-${run}`, 'ec')])),
      issuer: consoleIssuer,
      audience: AUDIENCE,
      ttlSec: 60,
    }).sign(person);
    const direct = await fetch(`${notificationApi.url}/v1/outreach/tasks?state=open`, { headers: { authorization: `Bearer ${forged}` } });
    expect(direct.status).toBe(401);
  });

  it('refuses a callback whose state is not the browser’s (400), and the pending login is then used up', async () => {
    const browser = new HttpBrowser();
    const back = await atProvider(browser, await startLogin(browser), MANAGER_SUB);
    const forged = new URL(back);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    expectRefusal(await callback(browser, forged), 400, 'oidc_state_mismatch', browser);
    expectRefusal(await callback(browser, back), 400, 'oidc_login_expired', browser);
  });

  it('refuses a callback in a browser that did not start the sign-in (no login CSRF)', async () => {
    const attacker = new HttpBrowser();
    const back = await atProvider(attacker, await startLogin(attacker), MANAGER_SUB);
    const victim = new HttpBrowser();
    expectRefusal(await callback(victim, back), 400, 'oidc_login_expired', victim);
  });

  it('refuses a replayed code: once more in the same browser, and with a fresh pending login (the provider says no)', async () => {
    const first = new HttpBrowser();
    const back = await atProvider(first, await startLogin(first), MANAGER_SUB);
    expect((await callback(first, back)).response.status).toBe(303);
    const again = new HttpBrowser();
    // the replay carries the used code with the state of a new pending login, so only the code is wrong
    const fresh = await startLogin(again);
    const replay = new URL(back);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    expectRefusal(await callback(again, replay), 401, 'oidc_provider_refused', again);
    expectRefusal(await callback(first, back), 400, 'oidc_login_expired', first);
    expect(again.cookies(console_.baseUrl).has('portico_session')).toBe(false);
  });

  it('refuses an ID token whose nonce is not the pending login’s (code injected from another authorization request)', async () => {
    const attacker = new HttpBrowser();
    const attackerUrl = await startLogin(attacker);
    const victim = new HttpBrowser();
    const victimUrl = await startLogin(victim);
    // The attacker's authorization request (its nonce) dressed with the victim's state and PKCE
    // challenge: state and verifier then pass, and only the nonce check can catch the swap.
    const injected = new URL(attackerUrl);
    injected.searchParams.set('state', victimUrl.searchParams.get('state')!);
    injected.searchParams.set('code_challenge', victimUrl.searchParams.get('code_challenge')!);
    const back = await atProvider(attacker, injected, MANAGER_SUB);
    expectRefusal(await callback(victim, back), 401, 'oidc_token_invalid', victim);
  });

  it('answers a person the provider knows but the console does not map with a zh/en 403 page', async () => {
    const browser = new HttpBrowser();
    const back = await atProvider(browser, await startLogin(browser), UNMAPPED_SUB);
    const result = await callback(browser, back);
    expectRefusal(result, 403, 'oidc_account_not_mapped', browser);
    expect(result.body).toContain('尚未开通 Portico 控制台权限');
    expect(result.body).toContain('no Portico console access is set up for you');
    expect((await browser.request(`${console_.baseUrl}/api/me`)).status).toBe(401);
  });

  it('logs out locally and at the provider (RP-initiated logout)', async () => {
    const { browser, me } = await signIn(STEWARD_SUB);
    const out = await browser.request(`${console_.baseUrl}/api/session`, {
      method: 'DELETE',
      headers: { 'x-csrf-token': String(me['csrfToken']) },
    });
    expect(out.status).toBe(200);
    const { endSessionUrl } = (await out.json()) as { endSessionUrl: string };
    const end = new URL(endSessionUrl);
    expect(`${end.origin}${end.pathname}`).toBe(`${new URL(issuer).origin}/session/end`);
    expect(end.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${console_.baseUrl}/`);
    expect((await browser.request(`${console_.baseUrl}/api/me`)).status).toBe(401);
    // the provider accepts it (its confirmation page, with the console as a known client)
    const atProviderEnd = await browser.request(endSessionUrl);
    expect(atProviderEnd.status).toBe(200);
  });

  it('leaves no personal data of the provider (subjects, names, phones) in the console log', () => {
    const log = readFileSync(console_.logFile, 'utf8');
    expect(log).toContain('signed in');
    expect(log).toContain('oidc login refused');
    for (const value of PERSONAL) expect(log).not.toContain(value);
  });
});
