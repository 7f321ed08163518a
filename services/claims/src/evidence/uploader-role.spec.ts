import { uploaderRoleOf } from './evidence.service';

describe('uploader role kept with an evidence item', () => {
  const person = (roles: Array<'steward' | 'manager' | 'operator'>) =>
    ({ kind: 'person', subject: 'usr_1', roles, tenantId: 'ten_1', propertyIds: [] }) as const;

  it('names the strongest role of a person, and property systems and services by kind', () => {
    expect(uploaderRoleOf(person(['steward']))).toBe('steward');
    expect(uploaderRoleOf(person(['steward', 'manager']))).toBe('manager');
    expect(uploaderRoleOf(person(['manager', 'operator']))).toBe('operator');
    expect(uploaderRoleOf({ kind: 'property-system', tenantId: 'ten_1', keyId: 'k1', scopes: ['claims:evidence'] })).toBe(
      'property_system',
    );
    expect(uploaderRoleOf({ kind: 'service', name: 'notification' })).toBe('service');
  });
});
