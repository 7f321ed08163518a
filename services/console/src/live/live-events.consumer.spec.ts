import { create } from '@bufbuild/protobuf';
import { common, notification } from '@portico/contracts';
import type { EventContext } from '@portico/messaging';
import type { LiveFanout } from './live-fanout';
import { LiveEventsConsumer } from './live-events.consumer';
import type { LiveUpdate } from './live-scope';
import { ssePayload } from './live.controller';

const PARCEL = 'prc_0123456789abcdef0123456789abcdef';

function consumer() {
  const sent: LiveUpdate[] = [];
  const fanout = { broadcast: async (u: LiveUpdate) => void sent.push(u) } as unknown as LiveFanout;
  return { sent, consumer: new LiveEventsConsumer(fanout) };
}
const ctx = { tenantId: 'ten_1', manager: {} } as unknown as EventContext;

describe('LiveEventsConsumer: message status events', () => {
  it("passes on a message's parcel and message ids, never its recipient, address or error text", async () => {
    const { sent, consumer: c } = consumer();
    const parcel = create(common.ParcelRefSchema, { parcelId: PARCEL, carrierCode: 'sf-express', trackingNumber: 'SF1234567890' });
    const base = { tenantId: 'ten_1', propertyId: 'prop_a', parcel, messageId: 'msg_1' };
    await c.onMessageSent(create(notification.MessageSentSchema, { ...base, taskId: 'ot_1', caseId: 'case_1', recipientId: 'res_secret_1' }), ctx);
    await c.onMessageDelivered(create(notification.MessageDeliveredSchema, { ...base, taskId: 'ot_1', caseId: 'case_1' }), ctx);
    // a message of no task or case (a closing notice): the parcel is what the page can match on
    await c.onMessageFailed(create(notification.MessageFailedSchema, { ...base, errorCode: 'SMTP_550' }), ctx);
    expect(sent.map((u) => [u.type, u.taskId, u.caseId, u.parcelId, u.messageId, u.propertyId])).toEqual([
      ['MessageSent', 'ot_1', 'case_1', PARCEL, 'msg_1', 'prop_a'],
      ['MessageDelivered', 'ot_1', 'case_1', PARCEL, 'msg_1', 'prop_a'],
      ['MessageFailed', '', '', PARCEL, 'msg_1', 'prop_a'],
    ]);
    const browserSees = JSON.stringify(sent.map(ssePayload));
    for (const leak of ['res_secret_1', 'SF1234567890', 'SMTP_550', 'ten_1']) expect(browserSees).not.toContain(leak);
  });

  it('leaves parcel and message empty for task events', async () => {
    const { sent, consumer: c } = consumer();
    await c.onOutreachTaskCreated(create(notification.OutreachTaskCreatedSchema, { taskId: 'ot_2', tenantId: 'ten_1', propertyId: 'prop_a' }), ctx);
    expect(sent[0]).toMatchObject({ type: 'OutreachTaskCreated', taskId: 'ot_2', parcelId: '', messageId: '' });
  });
});
