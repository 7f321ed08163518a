import { accountInput, oidcAccountInput } from './account';
import { PasswordHasher } from './password-hasher';

describe('accountInput', () => {
  const valid = { username: 'Steward.A', password: 'long enough password', subject: 'stf_1', roles: ['steward'], tenantId: 'ten_1', propertyIds: ['prop_a'] };

  it('lower-cases the username and accepts a steward of a tenant', () => {
    expect(accountInput.parse(valid).username).toBe('steward.a');
  });

  it('refuses short passwords, unknown roles and tenant-less non-operators', () => {
    expect(accountInput.safeParse({ ...valid, password: 'short' }).success).toBe(false);
    expect(accountInput.safeParse({ ...valid, roles: ['admin'] }).success).toBe(false);
    expect(accountInput.safeParse({ ...valid, tenantId: null }).success).toBe(false);
    expect(accountInput.safeParse({ ...valid, roles: ['operator'], tenantId: null }).success).toBe(true);
  });
});

describe('oidcAccountInput', () => {
  const valid = { username: 'Manager.A', subject: 'stf_m', roles: ['manager'], tenantId: 'ten_1', propertyIds: ['prop_a'], oidcIssuer: 'https://idp.example', oidcSubject: 'zhang.wei@corp.example' };

  it('maps a provider subject to roles and properties, without a password', () => {
    expect(oidcAccountInput.parse(valid)).toMatchObject({ username: 'manager.a', oidcSubject: 'zhang.wei@corp.example' });
  });

  it('refuses a password, a non-URL issuer, an empty subject and tenant-less non-operators', () => {
    expect(oidcAccountInput.safeParse({ ...valid, password: 'long enough password' }).success).toBe(false);
    expect(oidcAccountInput.safeParse({ ...valid, oidcIssuer: 'idp' }).success).toBe(false);
    expect(oidcAccountInput.safeParse({ ...valid, oidcSubject: '' }).success).toBe(false);
    expect(oidcAccountInput.safeParse({ ...valid, tenantId: null }).success).toBe(false);
  });
});

describe('PasswordHasher', () => {
  it('hashes with argon2id and verifies only the right password; a malformed hash is a refusal', async () => {
    const hasher = new PasswordHasher();
    const encoded = await hasher.hash('correct horse battery');
    expect(encoded.startsWith('$argon2id$')).toBe(true);
    await expect(hasher.verify(encoded, 'correct horse battery')).resolves.toBe(true);
    await expect(hasher.verify(encoded, 'wrong')).resolves.toBe(false);
    await expect(hasher.verify('not-a-hash', 'x')).resolves.toBe(false);
  });
});
