import { mayReceive, type LiveUpdate } from './live-scope';

const update = (tenantId: string, propertyId: string): LiveUpdate => ({
  topic: 'notification.outreach.v1',
  type: 'OutreachTaskCreated',
  tenantId,
  propertyId,
  caseId: 'case_1',
  taskId: 'ot_1',
  parcelId: '',
  messageId: '',
});
const steward = { roles: ['steward'] as const, tenantId: 'ten_1', propertyIds: ['prop_a'] };

describe('mayReceive', () => {
  it("gives a steward their own property's updates", () => {
    expect(mayReceive(steward, update('ten_1', 'prop_a'))).toBe(true);
  });

  it("hides another property's and another tenant's updates", () => {
    expect(mayReceive(steward, update('ten_1', 'prop_b'))).toBe(false);
    expect(mayReceive(steward, update('ten_2', 'prop_a'))).toBe(false);
    expect(mayReceive(steward, update('', 'prop_a'))).toBe(false);
    expect(mayReceive(steward, update('ten_1', ''))).toBe(false);
  });

  it('gives operators everything and nobody without a tenant but operators', () => {
    expect(mayReceive({ roles: ['operator'], tenantId: null, propertyIds: [] }, update('ten_9', 'prop_z'))).toBe(true);
    expect(mayReceive({ roles: ['steward'], tenantId: null, propertyIds: [] }, update('ten_9', 'prop_z'))).toBe(false);
  });
});
