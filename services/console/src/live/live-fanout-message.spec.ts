import { decodeLiveMessage, encodeLiveMessage } from './live-fanout-message';
import type { LiveUpdate } from './live-scope';

const update: LiveUpdate = {
  topic: 'notification.outreach.v1',
  type: 'OutreachTaskCreated',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'case_1',
  taskId: 'ot_1',
  parcelId: '',
  messageId: '',
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

  it("carry a message event's parcel and message ids; a payload of the previous version decodes with empty ones", () => {
    const message: LiveUpdate = { ...update, type: 'MessageFailed', taskId: '', caseId: '', parcelId: 'prc_0123', messageId: 'msg_1' };
    expect(decodeLiveMessage(encodeLiveMessage(message, {}))?.update).toEqual(message);
    const { parcelId: _p, messageId: _m, ...previous } = update;
    expect(decodeLiveMessage(JSON.stringify({ ...previous, trace: {} }))?.update).toEqual(update);
  });

  it('ignores what is not one of them', () => {
    expect(decodeLiveMessage(undefined)).toBeNull();
    expect(decodeLiveMessage('not json')).toBeNull();
    expect(decodeLiveMessage(JSON.stringify({ ...update, extra: 1 }))).toBeNull();
    expect(decodeLiveMessage(JSON.stringify({ ...update, taskId: 7 }))).toBeNull();
  });
});
