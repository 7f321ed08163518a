import { createHmac } from 'node:crypto';
import { customsHoldScenario, signedNativeWebhook } from '@portico/testing/platform';
import { Webhook } from 'standardwebhooks';
import { WebhookRejectedError } from '../webhook-adapter';
import { PorticoNativeAdapter } from './portico-native.adapter';

const secret = 'whsec_' + Buffer.from('portico-native-test-secret-32-bytes!').toString('base64');
const oldSecret = 'whsec_' + Buffer.from('the-previous-secret-before-rotation').toString('base64');

function signed(body: object, opts: { secret?: string; at?: Date; id?: string } = {}) {
  const raw = Buffer.from(JSON.stringify(body));
  const id = opts.id ?? 'msg_2fQ1';
  const at = opts.at ?? new Date();
  const signature = new Webhook(opts.secret ?? secret).sign(id, at, raw);
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
  return { raw, headers };
}

const hold = {
  type: 'tracking.updated',
  timestamp: '2026-11-23T01:00:00Z',
  data: {
    events: [
      {
        carrier: 'sf-express',
        trackingNumber: 'SF1234567890',
        status: 'customs_hold',
        customsHoldReason: 'id_documents_required',
        occurredAt: '2026-11-23T00:59:00+08:00',
        carrierStatusCode: 'CUSTOMS_ID',
        description: 'Held by customs: recipient ID required',
        recipient: { name: '张三', phone: '13800138000', postalCode: '200120', unit: '12-1801' },
      },
    ],
  },
};

describe('PorticoNativeAdapter', () => {
  const adapter = new PorticoNativeAdapter();

  it('accepts a correctly signed webhook and parses it into tracking updates', () => {
    const { raw, headers } = signed(hold);
    expect(() => adapter.verify(raw, headers, [secret])).not.toThrow();
    const parsed = adapter.parse(raw, headers);
    expect(parsed.providerEventId).toBe('msg_2fQ1');
    expect(parsed.updates).toHaveLength(1);
    expect(parsed.updates[0]).toMatchObject({
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
      status: 'customs_hold',
      customsHoldReason: 'id_documents_required',
      rawCode: 'CUSTOMS_ID',
    });
    expect(parsed.updates[0].occurredAt.toISOString()).toBe('2026-11-22T16:59:00.000Z');
  });

  it('accepts either secret during a rotation', () => {
    const { raw, headers } = signed(hold, { secret: oldSecret });
    expect(() => adapter.verify(raw, headers, [secret, oldSecret])).not.toThrow();
    expect(() => adapter.verify(raw, headers, [secret])).toThrow(WebhookRejectedError);
  });

  it('rejects a wrong signature and a tampered body', () => {
    const { raw, headers } = signed(hold);
    const tampered = Buffer.from(raw.toString().replace('SF1234567890', 'SF0000000000'));
    expect(() => adapter.verify(tampered, headers, [secret])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });

  it('rejects a timestamp outside the tolerance (replay)', () => {
    const { raw, headers } = signed(hold, { at: new Date(Date.now() - 10 * 60_000) });
    expect(() => adapter.verify(raw, headers, [secret])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' }),
    );
  });

  it('rejects missing headers', () => {
    expect(() => adapter.verify(Buffer.from('{}'), {}, [secret])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });

  it('rejects a wrong shape with paths but without echoing values', () => {
    const bad = structuredClone(hold) as typeof hold;
    delete (bad.data.events[0] as Partial<(typeof hold.data.events)[0]>).customsHoldReason;
    bad.data.events[0].recipient.phone = '13800138000'.repeat(10);
    const { raw, headers } = signed(bad);
    try {
      adapter.parse(raw, headers);
      throw new Error('expected a rejection');
    } catch (e) {
      expect(e).toBeInstanceOf(WebhookRejectedError);
      const err = e as WebhookRejectedError;
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.detail).toContain('customsHoldReason');
      expect(err.detail).not.toContain('13800138000');
    }
  });

  it('rejects a body that is not JSON', () => {
    expect(() => adapter.parse(Buffer.from([0xff, 0xfe, 0x00]), {})).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }),
    );
  });

  it('maps the customs deadline and the shipment facts clearance needs', () => {
    const withFacts = structuredClone(hold) as typeof hold & { data: { events: Record<string, unknown>[] } };
    Object.assign(withFacts.data.events[0]!, {
      customsDeadline: '2026-11-26T00:59:00+08:00',
      estimatedDelivery: '2026-11-28',
      shipment: {
        originCountry: 'jp',
        destinationCountry: 'CN',
        declaredValue: { amount: '1280.00', currency: 'CNY' },
        perishable: true,
      },
    });
    const { raw, headers } = signed(withFacts);
    const [update] = adapter.parse(raw, headers).updates;
    expect(update!.customsDeadline?.toISOString()).toBe('2026-11-25T16:59:00.000Z');
    expect(update!.estimatedDelivery).toBe('2026-11-28');
    expect(update!.shipment).toEqual({
      originCountry: 'JP',
      destinationCountry: 'CN',
      declaredValue: { amount: '1280.00', currency: 'CNY' },
      perishable: true,
    });
    expect(update!.sourcePath).toBe('data.events.0');
  });

  it('refuses declared values that are not exact decimals of the currency', () => {
    for (const declaredValue of [
      { amount: 1280, currency: 'CNY' },
      { amount: '12.345', currency: 'CNY' },
      { amount: '100', currency: 'yuan' },
    ]) {
      const bad = structuredClone(hold) as typeof hold & { data: { events: Record<string, unknown>[] } };
      Object.assign(bad.data.events[0]!, { shipment: { declaredValue } });
      const { raw, headers } = signed(bad);
      expect(() => adapter.parse(raw, headers)).toThrow(
        expect.objectContaining({
          code: 'WEBHOOK_PAYLOAD_INVALID',
          issues: [
            expect.objectContaining({
              path: expect.stringMatching(/^data\.events\.0\.shipment\.declaredValue\./),
            }),
          ],
        }),
      );
    }
  });

  it('gives structured issues (path and reason) for every problem', () => {
    const bad = structuredClone(hold) as typeof hold & { data: { events: Record<string, unknown>[] } };
    Object.assign(bad.data.events[0]!, { status: 'teleported', customsDeadline: 'tomorrow', extra: 1 });
    const { raw, headers } = signed(bad);
    try {
      adapter.parse(raw, headers);
      throw new Error('expected a rejection');
    } catch (e) {
      const paths = (e as WebhookRejectedError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['data.events.0.status', 'data.events.0.customsDeadline', 'data.events.0']),
      );
    }
  });

  it('accepts a delivery signed with plain node:crypto, as docs/webhooks/portico-native.md shows', () => {
    const body = JSON.stringify(hold);
    const id = 'msg_docs';
    const timestamp = Math.floor(Date.now() / 1000);
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
    };
    expect(() => adapter.verify(Buffer.from(body), headers, [secret])).not.toThrow();
  });

  it("accepts the walking skeleton's customs-hold and release updates (libs/testing's scenario)", () => {
    const scenario = customsHoldScenario('0a1b2c3d');
    const { body, headers } = signedNativeWebhook(secret, [scenario.customsHold(), scenario.released()]);
    expect(() => adapter.verify(Buffer.from(body), headers, [secret])).not.toThrow();
    const [hold, released] = adapter.parse(Buffer.from(body), headers).updates;
    expect(hold).toMatchObject({ status: 'customs_hold', customsDeadline: expect.any(Date) });
    expect(released!.status).toBe('customs_released');
  });
});
