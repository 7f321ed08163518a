import { Controller, Get, Logger, Module, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { InMemoryApiKeyRepository } from '../api-keys/api-key.repository';
import { ApiKeyService } from '../api-keys/api-key.service';
import { signDevToken } from '../people/dev-token';
import { PersonTokenVerifier } from '../people/person-token.verifier';
import type { PersonPrincipal, Principal } from '../principal';
import { serviceAuthHeaders, ServiceTokenVerifier } from '../services/service-token.verifier';
import { assertTenantAccess } from '../tenancy';
import { Access } from './access';
import { AccessAudit } from './access-audit';
import { AuthModule } from './auth.module';
import { CurrentPrincipal } from './current-principal';

const DEV_KEY = 'http-int-spec-dev-key-0123456789-abcdef';
const ISS = 'http://127.0.0.1/portico-dev';
const AUD = 'portico-api';
const NOTIFICATION_TOKEN = 'notification-token-0123456789-abcdef';

@Controller('directory')
class DirectoryController {
  @Get('health')
  @Access.public()
  health() {
    return { ok: true };
  }

  @Get('me')
  @Access.people('steward', 'manager')
  me(@CurrentPrincipal('person') me: PersonPrincipal) {
    return { subject: me.subject, roles: me.roles };
  }

  @Post('units')
  @Access.propertySystem('directory:write')
  @Access.people('operator')
  importUnits(@CurrentPrincipal() caller: Principal) {
    assertTenantAccess(caller, { tenantId: 't1' });
    return { caller: caller.kind };
  }

  @Post('upload-links')
  @Access.service('notification')
  uploadLink(@CurrentPrincipal('service') caller: Principal) {
    return { caller };
  }

  @Get('forgotten')
  forgotten() {
    return { leaked: true };
  }
}

describe('AuthGuard over HTTP (Fastify)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let apiKey: string;
  let otherTenantKey: string;
  const errors: string[] = [];
  const token = (roles: string[], tenantId: string | null = 't1') =>
    signDevToken({ subject: 'u1', roles, tenantId }, { key: DEV_KEY, issuer: ISS, audience: AUD });

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation((msg: unknown) => void errors.push(String(msg)));
    const apiKeys = new ApiKeyService(new InMemoryApiKeyRepository(), {
      peppers: [{ id: 'p', secret: 'y'.repeat(32) }],
      environment: 'test',
    });
    apiKey = (await apiKeys.issue({ tenantId: 't1', name: 'PMS', scopes: ['directory:write'] })).apiKey;
    otherTenantKey = (await apiKeys.issue({ tenantId: 't2', name: 'PMS', scopes: ['directory:write'] }))
      .apiKey;

    @Module({
      imports: [
        AuthModule.forRootAsync({
          useFactory: async () => ({
            people: new PersonTokenVerifier({ issuer: ISS, audience: AUD, keys: { devKey: DEV_KEY } }),
            services: new ServiceTokenVerifier({ notification: [NOTIFICATION_TOKEN] }),
            apiKeys,
          }),
        }),
      ],
      controllers: [DirectoryController],
    })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/directory/${path}`, { method, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  it('serves a public endpoint without credentials', async () => {
    expect(await call('GET', 'health')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('refuses an undeclared endpoint to everyone and reports it at start-up', async () => {
    const r = await call('GET', 'forgotten', { authorization: `Bearer ${await token(['operator'], null)}` });
    expect(r).toMatchObject({ status: 403, body: { error: { code: 'access_undeclared' } } });
    expect(app.get(AccessAudit).undeclaredEndpoints()).toEqual(['DirectoryController.forgotten']);
    expect(errors.some((e) => e.includes('DirectoryController.forgotten'))).toBe(true);
  });

  it('answers 401 with a code, en/zh messages and WWW-Authenticate', async () => {
    const r = await call('GET', 'me');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="portico"');
    expect(r.body).toEqual({
      error: {
        code: 'credentials_missing',
        message: { en: expect.stringContaining('Authorization'), zh: expect.stringContaining('身份验证') },
      },
    });
    const expired = await signDevToken(
      { subject: 'u1', roles: ['steward'], tenantId: 't1' },
      { key: DEV_KEY, issuer: ISS, audience: AUD, expiresInSec: -120 },
    );
    const e = await call('GET', 'me', { authorization: `Bearer ${expired}` });
    expect(e).toMatchObject({ status: 401, body: { error: { code: 'token_expired' } } });
    expect(JSON.stringify(e.body)).not.toContain(expired.split('.')[1]);
  });

  it('admits a steward (200) and refuses a role that is not listed (403)', async () => {
    expect(await call('GET', 'me', { authorization: `Bearer ${await token(['steward'])}` })).toMatchObject({
      status: 200,
      body: { subject: 'u1', roles: ['steward'] },
    });
    expect(
      await call('GET', 'me', { authorization: `Bearer ${await token(['operator'], null)}` }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
  });

  it('admits a property system with the scope, checks its tenant in the handler', async () => {
    expect(await call('POST', 'units', { authorization: `Bearer ${apiKey}` })).toMatchObject({
      status: 201,
      body: { caller: 'property-system' },
    });
    expect(await call('POST', 'units', { authorization: `Bearer ${otherTenantKey}` })).toMatchObject({
      status: 403,
      body: { error: { code: 'tenant_mismatch' } },
    });
    const bad = await call('POST', 'units', { authorization: `Bearer ${apiKey.slice(0, -4)}AAAA` });
    expect(bad).toMatchObject({ status: 401, body: { error: { code: 'api_key_invalid' } } });
    expect(JSON.stringify(bad.body)).not.toContain(apiKey.slice(8, -4));
  });

  it('admits the named internal service with its token only', async () => {
    expect(
      await call('POST', 'upload-links', serviceAuthHeaders('notification', NOTIFICATION_TOKEN)),
    ).toMatchObject({
      status: 201,
      body: { caller: { kind: 'service', name: 'notification' } },
    });
    expect(
      await call('POST', 'upload-links', serviceAuthHeaders('notification', `${NOTIFICATION_TOKEN}-old`)),
    ).toMatchObject({
      status: 401,
      body: { error: { code: 'service_token_invalid' } },
    });
    expect(await call('POST', 'upload-links', { authorization: `Bearer ${apiKey}` })).toMatchObject({
      status: 403,
    });
  });
});
