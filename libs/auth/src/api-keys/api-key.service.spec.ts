import { AuthError } from '../auth-error';
import { formatApiKey, parseApiKey } from './api-key-format';
import { InMemoryApiKeyRepository } from './api-key.repository';
import { ApiKeyService, ApiKeyValidationError, type ApiKeyServiceOptions } from './api-key.service';

const PEPPER_A = { id: 'a', secret: 'pepper-a-0123456789-0123456789-0123' };
const PEPPER_B = { id: 'b', secret: 'pepper-b-0123456789-0123456789-0123' };

function setup(overrides: Partial<ApiKeyServiceOptions> = {}) {
  let now = new Date('2026-11-23T10:00:00Z');
  const repo = new InMemoryApiKeyRepository();
  const options: ApiKeyServiceOptions = {
    peppers: [PEPPER_A],
    environment: 'live',
    clock: () => now,
    ...overrides,
  };
  const service = new ApiKeyService(repo, options);
  return {
    repo,
    service,
    options,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    now: () => now,
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AuthError);
  return (e as AuthError).code;
}

describe('ApiKeyService', () => {
  it('issues a key once and stores only an HMAC of it', async () => {
    const { service, repo } = setup();
    const { apiKey, info } = await service.issue({
      tenantId: 't1',
      name: ' PMS ',
      scopes: ['directory:write', 'events:read', 'directory:write'],
      createdBy: 'u1',
    });
    const parsed = parseApiKey(apiKey)!;
    expect(parsed.keyId).toBe(info.keyId);
    expect(info).toMatchObject({
      tenantId: 't1',
      name: 'PMS',
      scopes: ['directory:write', 'events:read'],
      environment: 'live',
      createdBy: 'u1',
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(info).not.toHaveProperty('secretHash');
    const stored = repo.rows.get(info.keyId)!;
    expect(stored.secretHash).toHaveLength(32);
    expect(stored.pepperId).toBe('a');
    expect(
      JSON.stringify({ ...stored, secretHash: Buffer.from(stored.secretHash).toString('hex') }),
    ).not.toContain(parsed.secret);
  });

  it('verifies a key into a property-system principal and records use at most once a minute', async () => {
    const { service, repo, advance, now } = setup();
    const { apiKey, info } = await service.issue({
      tenantId: 't1',
      name: 'PMS',
      scopes: ['directory:write'],
    });
    await expect(service.verify(apiKey)).resolves.toEqual({
      kind: 'property-system',
      tenantId: 't1',
      keyId: info.keyId,
      scopes: ['directory:write'],
    });
    const firstUse = now();
    expect(repo.rows.get(info.keyId)!.lastUsedAt).toEqual(firstUse);
    advance(30_000);
    await service.verify(apiKey);
    expect(repo.rows.get(info.keyId)!.lastUsedAt).toEqual(firstUse);
    advance(31_000);
    await service.verify(apiKey);
    expect(repo.rows.get(info.keyId)!.lastUsedAt).toEqual(now());
  });

  it('refuses a wrong secret, an unknown key id, malformed input and a key of the other environment', async () => {
    const { service } = setup();
    const { apiKey } = await service.issue({ tenantId: 't1', name: 'PMS', scopes: ['directory:write'] });
    const parsed = parseApiKey(apiKey)!;
    const flipped = parsed.secret.slice(0, -1) + (parsed.secret.endsWith('a') ? 'b' : 'a');
    expect(await codeOf(service.verify(formatApiKey({ ...parsed, secret: flipped })))).toBe(
      'api_key_invalid',
    );
    expect(await codeOf(service.verify(formatApiKey({ ...parsed, keyId: 'ZZZZZZZZZZZZZZZZ' })))).toBe(
      'api_key_invalid',
    );
    expect(await codeOf(service.verify('pk_live_nope'))).toBe('api_key_invalid');
    expect(await codeOf(service.verify(formatApiKey({ ...parsed, environment: 'test' })))).toBe(
      'api_key_invalid',
    );
  });

  it('never puts the presented key in the error', async () => {
    const { service } = setup();
    const { apiKey } = await service.issue({ tenantId: 't1', name: 'PMS', scopes: ['directory:write'] });
    const bad = apiKey.slice(0, -1) + (apiKey.endsWith('x') ? 'y' : 'x');
    const err = (await service.verify(bad).catch((e: unknown) => e)) as AuthError;
    expect(JSON.stringify(err.getResponse()) + err.message).not.toContain(bad.slice(8));
  });

  it('revokes within the tenant only, idempotently, effective on the next verify', async () => {
    const { service, advance } = setup();
    const { apiKey, info } = await service.issue({
      tenantId: 't1',
      name: 'PMS',
      scopes: ['directory:write'],
    });
    await expect(service.revoke('t2', info.keyId)).resolves.toBeNull();
    await service.verify(apiKey);
    const revoked = await service.revoke('t1', info.keyId);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    advance(1000);
    expect((await service.revoke('t1', info.keyId))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await codeOf(service.verify(apiKey))).toBe('api_key_revoked');
  });

  it('refuses an expired key', async () => {
    const { service, advance, now } = setup();
    const { apiKey } = await service.issue({
      tenantId: 't1',
      name: 'PMS',
      scopes: ['a:b'],
      expiresAt: new Date(now().getTime() + 1000),
    });
    await service.verify(apiKey);
    advance(1000);
    expect(await codeOf(service.verify(apiKey))).toBe('api_key_expired');
  });

  it("lists a tenant's keys without secret material", async () => {
    const { service } = setup();
    const a = await service.issue({ tenantId: 't1', name: 'A', scopes: ['a:b'] });
    await service.issue({ tenantId: 't2', name: 'B', scopes: ['a:b'] });
    const list = await service.list('t1');
    expect(list.map((k) => k.keyId)).toEqual([a.info.keyId]);
    expect(Object.keys(list[0]!).sort()).toEqual(
      [
        'createdAt',
        'createdBy',
        'environment',
        'expiresAt',
        'keyId',
        'lastUsedAt',
        'name',
        'revokedAt',
        'scopes',
        'tenantId',
      ].sort(),
    );
  });

  it('keeps verifying keys hashed with an older pepper after rotation, and stops when it is removed', async () => {
    const { repo, options } = setup();
    const old = new ApiKeyService(repo, options);
    const { apiKey } = await old.issue({ tenantId: 't1', name: 'PMS', scopes: ['a:b'] });
    const rotated = new ApiKeyService(repo, { ...options, peppers: [PEPPER_B, PEPPER_A] });
    await expect(rotated.verify(apiKey)).resolves.toMatchObject({ tenantId: 't1' });
    const fresh = await rotated.issue({ tenantId: 't1', name: 'PMS2', scopes: ['a:b'] });
    expect(repo.rows.get(fresh.info.keyId)!.pepperId).toBe('b');
    const retired = new ApiKeyService(repo, { ...options, peppers: [PEPPER_B] });
    expect(await codeOf(retired.verify(apiKey))).toBe('api_key_invalid');
    await expect(retired.verify(fresh.apiKey)).resolves.toMatchObject({ tenantId: 't1' });
  });

  it('validates what it issues', async () => {
    const { service } = setup({ knownScopes: ['directory:write'] });
    await expect(service.issue({ tenantId: 't1', name: 'x', scopes: [] })).rejects.toThrow(
      ApiKeyValidationError,
    );
    await expect(service.issue({ tenantId: 't1', name: 'x', scopes: ['Directory Write'] })).rejects.toThrow(
      /resource:action/,
    );
    await expect(service.issue({ tenantId: 't1', name: 'x', scopes: ['events:read'] })).rejects.toThrow(
      /unknown scope/,
    );
    await expect(service.issue({ tenantId: ' ', name: 'x', scopes: ['directory:write'] })).rejects.toThrow(
      /tenantId/,
    );
    await expect(
      service.issue({ tenantId: 't', name: 'x', scopes: ['directory:write'], expiresAt: new Date(0) }),
    ).rejects.toThrow(/future/);
  });

  it('refuses weak configuration', () => {
    const repo = new InMemoryApiKeyRepository();
    expect(() => new ApiKeyService(repo, { peppers: [], environment: 'live' })).toThrow(/pepper/);
    expect(
      () => new ApiKeyService(repo, { peppers: [{ id: 'a', secret: 'short' }], environment: 'live' }),
    ).toThrow(/at least 32/);
  });
});
