import { newWebhookSecret } from '@portico/auth';
import { Webhook } from 'standardwebhooks';
import { signDelivery } from './webhook-signing';

// The official `standardwebhooks` package verifies as a subscriber would.
describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({ type: 'clearance.case.opened', data: { caseId: 'case_1' } });
  const id = 'msg_0193a0c0000070008000000000000001';

  it('produces headers the reference verifier accepts', () => {
    const secret = newWebhookSecret();
    const now = new Date();
    const headers = signDelivery([new Webhook(secret)], id, now, body);
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs with both secrets during a rotation, so the old and the new one verify', () => {
    const previous = newWebhookSecret();
    const current = newWebhookSecret();
    const headers = signDelivery([new Webhook(current), new Webhook(previous)], id, new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow();
  });

  it('does not verify a changed body or a stale timestamp', () => {
    const secret = newWebhookSecret();
    const headers = signDelivery([new Webhook(secret)], id, new Date(), body);
    expect(() => new Webhook(secret).verify(body.replace('case_1', 'case_2'), { ...headers })).toThrow();
    const old = signDelivery([new Webhook(secret)], id, new Date(Date.now() - 10 * 60_000), body);
    expect(() => new Webhook(secret).verify(body, { ...old })).toThrow(/timestamp/i);
  });

  it('refuses to send unsigned', () => {
    expect(() => signDelivery([], id, new Date(), body)).toThrow();
  });
});
