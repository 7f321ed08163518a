import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { InMemoryApiKeyRepository } from '../api-keys/api-key.repository';
import { ApiKeyService } from '../api-keys/api-key.service';
import { AuthError } from '../auth-error';
import { signDevToken } from '../people/dev-token';
import { PersonTokenVerifier } from '../people/person-token.verifier';
import type { Principal } from '../principal';
import { ServiceTokenVerifier } from '../services/service-token.verifier';
import { Access, decideAccess, type AccessRule } from './access';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { principalOf } from './current-principal';

const DEV_KEY = 'guard-spec-dev-key-0123456789-abcdef';
const ISS = 'https://idp.test/';
const AUD = 'portico-api';
const SVC_TOKEN = 'notification-token-0123456789-abcdef';

@Access.people('manager')
class Directory {
  inherits() {}
  @Access.public() health() {}
  @Access.people('steward', 'manager') stewardOrManager() {}
  @Access.propertySystem('directory:write') @Access.people('operator') importUnits() {}
  @Access.service('notification') uploadLink() {}
  @Access.people() anyPerson() {}
}

class Undeclared {
  forgotten() {}
}

const steward: Principal = {
  kind: 'person',
  subject: 's',
  roles: ['steward'],
  tenantId: 't1',
  propertyIds: [],
};
const pms: Principal = { kind: 'property-system', tenantId: 't1', keyId: 'k', scopes: ['directory:read'] };
const svc: Principal = { kind: 'service', name: 'claims' };

describe('decideAccess', () => {
  const people = (...roles: ('operator' | 'manager' | 'steward')[]): AccessRule => ({
    kind: 'person',
    roles,
  });
  it.each([
    [
      'no rules -> 403 undeclared',
      undefined,
      steward,
      { allow: false, status: 403, code: 'access_undeclared' },
    ],
    ['empty rules -> 403 undeclared', [], null, { allow: false, status: 403, code: 'access_undeclared' }],
    ['public without caller', [{ kind: 'public' }], null, { allow: true }],
    [
      'people rule without caller -> 401',
      [people('steward')],
      null,
      { allow: false, status: 401, code: 'credentials_missing' },
    ],
    ['role matches', [people('manager', 'steward')], steward, { allow: true }],
    ['role does not match', [people('operator')], steward, { allow: false, status: 403, code: 'forbidden' }],
    [
      'wrong kind',
      [{ kind: 'service', names: ['claims'] }],
      steward,
      { allow: false, status: 403, code: 'forbidden' },
    ],
    [
      'scope missing',
      [{ kind: 'property-system', scopes: ['directory:write'] }],
      pms,
      { allow: false, status: 403, code: 'scope_missing' },
    ],
    ['scope present', [{ kind: 'property-system', scopes: ['directory:read'] }], pms, { allow: true }],
    [
      'service named',
      [people('operator'), { kind: 'service', names: ['notification', 'claims'] }],
      svc,
      { allow: true },
    ],
    [
      'service not named',
      [{ kind: 'service', names: ['notification'] }],
      svc,
      { allow: false, status: 403, code: 'forbidden' },
    ],
  ] as const)('%s', (_name, rules, principal, expected) => {
    expect(decideAccess(rules as readonly AccessRule[] | undefined, principal)).toEqual(expected);
  });
});

describe('AuthGuard', () => {
  let guard: AuthGuard;
  let apiKey: string;
  let readOnlyKey: string;
  const tokenFor = (roles: string[]) =>
    signDevToken({ subject: 'u1', roles, tenantId: 't1' }, { key: DEV_KEY, issuer: ISS, audience: AUD });

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const apiKeys = new ApiKeyService(new InMemoryApiKeyRepository(), {
      peppers: [{ id: 'p', secret: 'x'.repeat(32) }],
      environment: 'test',
    });
    apiKey = (await apiKeys.issue({ tenantId: 't1', name: 'PMS', scopes: ['directory:write'] })).apiKey;
    readOnlyKey = (await apiKeys.issue({ tenantId: 't1', name: 'PMS', scopes: ['directory:read'] })).apiKey;
    const authenticator = new Authenticator({
      people: new PersonTokenVerifier({ issuer: ISS, audience: AUD, keys: { devKey: DEV_KEY } }),
      services: new ServiceTokenVerifier({ notification: [SVC_TOKEN] }),
      apiKeys,
    });
    guard = new AuthGuard(new Reflector(), authenticator);
  });

  function call(controller: new () => object, method: string, headers: Record<string, string> = {}) {
    const request = { headers };
    const responseHeaders: Record<string, string> = {};
    const response = { header: (n: string, v: string) => (responseHeaders[n] = v) };
    const handler = (controller.prototype as Record<string, () => void>)[method]!;
    const ctx = new ExecutionContextHost([request, response], controller as never, handler);
    return guard.canActivate(ctx).then(
      (ok) => ({
        ok,
        status: 200,
        code: null as string | null,
        principal: principalOf(request),
        responseHeaders,
        body: null as unknown,
      }),
      (e: unknown) => {
        if (!(e instanceof AuthError)) throw e;
        return {
          ok: false,
          status: e.getStatus(),
          code: e.code,
          principal: undefined,
          responseHeaders,
          body: e.getResponse(),
        };
      },
    );
  }

  it('fails closed: an endpoint without a declaration is refused even for an operator', async () => {
    const r = await call(Undeclared, 'forgotten', {
      authorization: `Bearer ${await tokenFor(['operator'])}`,
    });
    expect(r).toMatchObject({ ok: false, status: 403, code: 'access_undeclared' });
  });

  it('lets anyone reach a public endpoint without looking at credentials', async () => {
    expect(await call(Directory, 'health')).toMatchObject({ ok: true });
    expect(await call(Directory, 'health', { authorization: 'Bearer garbage' })).toMatchObject({ ok: true });
  });

  it('uses the controller declaration for handlers without their own', async () => {
    expect(
      await call(Directory, 'inherits', { authorization: `Bearer ${await tokenFor(['manager'])}` }),
    ).toMatchObject({ ok: true });
    expect(
      await call(Directory, 'inherits', { authorization: `Bearer ${await tokenFor(['steward'])}` }),
    ).toMatchObject({ status: 403 });
  });

  it('answers 401 with WWW-Authenticate when credentials are missing or bad', async () => {
    const missing = await call(Directory, 'stewardOrManager');
    expect(missing).toMatchObject({
      status: 401,
      code: 'credentials_missing',
      responseHeaders: { 'www-authenticate': 'Bearer realm="portico"' },
    });
    expect(await call(Directory, 'stewardOrManager', { authorization: 'Basic dXNlcjpwYXNz' })).toMatchObject({
      status: 401,
      code: 'credentials_invalid',
    });
    expect(
      await call(Directory, 'stewardOrManager', { authorization: 'Bearer eyJ.bad.token' }),
    ).toMatchObject({ status: 401, code: 'token_invalid' });
  });

  it('admits people by role and attaches the principal', async () => {
    const r = await call(Directory, 'stewardOrManager', {
      authorization: `Bearer ${await tokenFor(['steward'])}`,
    });
    expect(r).toMatchObject({ ok: true, principal: { kind: 'person', subject: 'u1', roles: ['steward'] } });
    expect(
      await call(Directory, 'anyPerson', { authorization: `Bearer ${await tokenFor(['operator'])}` }),
    ).toMatchObject({ ok: true });
    expect(
      await call(Directory, 'importUnits', { authorization: `Bearer ${await tokenFor(['steward'])}` }),
    ).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
  });

  it('combines declarations: a property system with the scope or an operator', async () => {
    expect(await call(Directory, 'importUnits', { authorization: `Bearer ${apiKey}` })).toMatchObject({
      ok: true,
      principal: { kind: 'property-system', tenantId: 't1' },
    });
    expect(
      await call(Directory, 'importUnits', { authorization: `Bearer ${await tokenFor(['operator'])}` }),
    ).toMatchObject({ ok: true });
    expect(await call(Directory, 'importUnits', { authorization: `Bearer ${readOnlyKey}` })).toMatchObject({
      status: 403,
      code: 'scope_missing',
    });
    expect(await call(Directory, 'uploadLink', { authorization: `Bearer ${apiKey}` })).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
  });

  it('admits a named internal service only with its token', async () => {
    const ok = await call(Directory, 'uploadLink', {
      authorization: `Bearer ${SVC_TOKEN}`,
      'x-portico-service': 'notification',
    });
    expect(ok).toMatchObject({ ok: true, principal: { kind: 'service', name: 'notification' } });
    expect(
      await call(Directory, 'uploadLink', {
        authorization: `Bearer ${SVC_TOKEN}x`,
        'x-portico-service': 'notification',
      }),
    ).toMatchObject({
      status: 401,
      code: 'service_token_invalid',
    });
    expect(await call(Directory, 'uploadLink', { authorization: `Bearer ${SVC_TOKEN}` })).toMatchObject({
      status: 401,
      code: 'token_invalid',
    });
  });

  it('never echoes the presented credential and speaks en + zh', async () => {
    const presented = `${apiKey.slice(0, -3)}zzz`;
    const r = await call(Directory, 'importUnits', { authorization: `Bearer ${presented}` });
    expect(r.body).toEqual({
      error: { code: 'api_key_invalid', message: { en: 'The API key is not valid.', zh: 'API 密钥无效。' } },
    });
    expect(JSON.stringify(r)).not.toContain(presented.slice(8));
  });

  it('refuses credential kinds the service is not configured for', async () => {
    const bare = new AuthGuard(new Reflector(), new Authenticator({}));
    const handler = Directory.prototype.importUnits;
    const ctx = new ExecutionContextHost(
      [{ headers: { authorization: `Bearer ${apiKey}` } }, {}],
      Directory as never,
      handler,
    );
    await expect(bare.canActivate(ctx)).rejects.toMatchObject({ code: 'method_not_configured' });
  });

  it('leaves non-HTTP contexts (Kafka handlers) alone', async () => {
    const ctx = new ExecutionContextHost([{}], Undeclared as never, Undeclared.prototype.forgotten);
    ctx.setType('rpc');
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
  });
});
