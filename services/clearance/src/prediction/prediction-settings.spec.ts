import { AuthError, type Principal } from '@portico/auth';
import { ZodError } from 'zod';
import { TenantRequiredError } from './prediction-errors';
import { getSettingsQuery, putSettingsBody, settingsView, targetTenantOf } from './prediction-settings';

const manager: Principal = {
  kind: 'person',
  subject: 'm1',
  roles: ['manager'],
  tenantId: 'ten_a',
  propertyIds: [],
};
const operator: Principal = {
  kind: 'person',
  subject: 'o1',
  roles: ['operator'],
  tenantId: null,
  propertyIds: [],
};

describe('putSettingsBody', () => {
  it('accepts a threshold, enabled, or both, with an optional tenant', () => {
    expect(putSettingsBody.parse({ threshold: 0.7 })).toEqual({ threshold: 0.7 });
    expect(putSettingsBody.parse({ enabled: false, tenantId: 'ten_a' })).toEqual({
      enabled: false,
      tenantId: 'ten_a',
    });
    expect(putSettingsBody.parse({ threshold: 1, enabled: true })).toEqual({ threshold: 1, enabled: true });
  });

  it.each([
    [{}, 'threshold'],
    [{ threshold: 0 }, 'threshold'],
    [{ threshold: 1.5 }, 'threshold'],
    [{ threshold: '0.5' }, 'threshold'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ threshold: 0.5, extra: 1 }, ''],
    [{ threshold: 0.5, tenantId: 'ten a' }, 'tenantId'],
  ])('refuses %j (issue at "%s")', (body, path) => {
    const result = putSettingsBody.safeParse(body);
    expect(result.success).toBe(false);
    expect((result.error as ZodError).issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('refuses unknown query parameters', () => {
    expect(getSettingsQuery.safeParse({ tenant: 'ten_a' }).success).toBe(false);
    expect(getSettingsQuery.parse({})).toEqual({});
  });
});

describe('targetTenantOf', () => {
  it("is the caller's own tenant, or an operator's named one", () => {
    expect(targetTenantOf(manager, undefined)).toBe('ten_a');
    expect(targetTenantOf(manager, 'ten_a')).toBe('ten_a');
    expect(targetTenantOf(operator, 'ten_b')).toBe('ten_b');
  });

  it('refuses a manager naming another tenant, and an operator naming none', () => {
    expect(() => targetTenantOf(manager, 'ten_b')).toThrow(AuthError);
    expect(() => targetTenantOf(operator, undefined)).toThrow(TenantRequiredError);
    const e = new TenantRequiredError();
    expect([e.status, e.code]).toEqual([400, 'tenant_required']);
    expect(e.localized.zh).toMatch(/租户/);
  });
});

describe('settingsView', () => {
  it('shows the default for a tenant without its own row', () => {
    expect(settingsView('ten_a', undefined, 0.5)).toEqual({
      tenantId: 'ten_a',
      threshold: 0.5,
      enabled: true,
      source: 'default',
      updatedAt: null,
    });
    const at = new Date('2026-11-24T06:00:00Z');
    expect(settingsView('ten_a', { threshold: 0.8, enabled: false, updatedAt: at }, 0.5)).toEqual({
      tenantId: 'ten_a',
      threshold: 0.8,
      enabled: false,
      source: 'tenant',
      updatedAt: at.toISOString(),
    });
  });
});
