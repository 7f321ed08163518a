import { decodeLiveMessage, encodeLiveMessage } from './live-fanout-message';
import type { LiveUpdate } from './live-scope';

const update: LiveUpdate = {
  topic: 'notification.outreach.v1',
  type: 'OutreachTaskCreated',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'case_1',
  taskId: 'ot_1',
};

describe('live fan-out messages', () => {
  it('carry the update’s ids and the trace context there and back, and nothing else', () => {
    const payload = encodeLiveMessage({ ...update, residentName: '欧阳明哲' } as LiveUpdate, {
      traceparent: '00-abc-def-01',
    });
    expect(payload).not.toContain('欧阳明哲');
    expect(Buffer.byteLength(payload)).toBeLessThan(8000); // NOTIFY's payload limit
    expect(decodeLiveMessage(payload)).toEqual({ update, trace: { traceparent: '00-abc-def-01' } });
  });

  it('ignores what is not one of them', () => {
    expect(decodeLiveMessage(undefined)).toBeNull();
    expect(decodeLiveMessage('not json')).toBeNull();
    expect(decodeLiveMessage(JSON.stringify({ ...update, extra: 1 }))).toBeNull();
    expect(decodeLiveMessage(JSON.stringify({ ...update, taskId: 7 }))).toBeNull();
  });
});
