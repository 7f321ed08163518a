import { signedAfterShipWebhook } from '@portico/testing/platform';
import {
  adapterFixtures,
  bodySigner,
  expectPublishable,
  expectRejected,
  parserOfOne,
  rejection,
  utf8,
  type Json,
} from '../shared/adapter-spec-support';
import { AFTERSHIP_SUBTAGS, AFTERSHIP_TAGS } from './aftership-status-map';
import { AfterShipAdapter } from './aftership.adapter';

// AfterShip shows the secret in its admin (Settings > Webhooks); it is used as UTF-8 bytes.
const secret = 'aftership-test-webhook-secret-0123456789';
const oldSecret = 'aftership-previous-webhook-secret-before-rotation';

const { bytes: fixture, json, names: fixtureNames } = adapterFixtures(__dirname);

/** AfterShip's signature (libs/testing's signer) with the API version header AfterShip sends along. */
function sign(raw: Buffer, key = secret): Record<string, string> {
  return { ...signedAfterShipWebhook(key, utf8(raw)).headers, 'as-webhook-version': '2026-07' };
}

const signed = bodySigner(sign, secret);

/** A tracking_update whose newest checkpoint has this tag, subtag and message. */
function withLatest(tag: string, subtag: string | null, message: string): Json {
  const body = json('in-transit');
  const checkpoints = body.msg.checkpoints as Json[];
  Object.assign(checkpoints[checkpoints.length - 1]!, { tag, subtag, message });
  Object.assign(body.msg, { tag, subtag });
  return body;
}

describe('AfterShipAdapter', () => {
  const adapter = new AfterShipAdapter();
  const now = new Date('2026-11-21T00:00:00Z');

  const parseOne = parserOfOne(adapter, signed, [secret], now);

  it('is an aggregator (updates of any carrier) and has its signature header archived', () => {
    expect(adapter.carriers).toBe('many');
    expect(adapter.signatureHeaders).toEqual(['aftership-hmac-sha256']);
  });

  describe('verify', () => {
    it('accepts the base64 HMAC-SHA256 of the raw body in aftership-hmac-sha256', () => {
      const raw = fixture('in-transit');
      expect(() => adapter.verify(raw, sign(raw), [secret], now)).not.toThrow();
    });

    it('rejects a signature made with another secret', () => {
      const raw = fixture('in-transit');
      expectRejected(
        () => adapter.verify(raw, sign(raw, 'not-the-secret'), [secret], now),
        'WEBHOOK_SIGNATURE_INVALID',
      );
    });

    it('accepts the previous secret while both are active (rotation), and not after', () => {
      const raw = fixture('in-transit');
      const headers = sign(raw, oldSecret);
      expect(() => adapter.verify(raw, headers, [secret, oldSecret], now)).not.toThrow();
      expectRejected(() => adapter.verify(raw, headers, [secret], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('rejects a tampered body', () => {
      const raw = fixture('in-transit');
      const headers = sign(raw);
      const tampered = Buffer.from(raw.toString('utf8').replace('SF1000000000001', 'SF1000000000002'));
      expectRejected(() => adapter.verify(tampered, headers, [secret], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('rejects a missing, empty or malformed header, and an account without secrets', () => {
      const raw = fixture('in-transit');
      for (const headers of [{}, { 'aftership-hmac-sha256': '' }, { 'aftership-hmac-sha256': 'abc' }]) {
        expectRejected(() => adapter.verify(raw, headers, [secret], now), 'WEBHOOK_SIGNATURE_INVALID');
      }
      expectRejected(() => adapter.verify(raw, sign(raw), [], now), 'WEBHOOK_SIGNATURE_INVALID');
      expectRejected(() => adapter.verify(raw, sign(raw, ''), [''], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('has no timestamp tolerance: an old delivery verifies (the intake deduplicates on event_id)', () => {
      const raw = fixture('in-transit');
      expect(() => adapter.verify(raw, sign(raw), [secret], new Date('2030-01-01T00:00:00Z'))).not.toThrow();
    });
  });

  describe('parse', () => {
    it('maps an in-transit checkpoint with location, estimate, recipient and shipment facts', () => {
      const { raw, headers } = signed(fixture('in-transit'));
      const parsed = adapter.parse(raw, headers);
      expect(parsed.providerEventId).toBe('7bba0f1d-fc16-4fe8-a385-1f378f717bbf');
      expect(parsed.updates).toEqual([
        {
          carrierCode: 'sf-express',
          trackingNumber: 'SF1000000000001',
          status: 'in_transit',
          location: {
            country: 'CN',
            region: 'Shanghai',
            city: 'Shanghai',
            postalCode: '201207',
            description: 'Pudong, Shanghai, CN',
          },
          occurredAt: new Date('2026-11-20T22:15:00.000Z'),
          estimatedDelivery: '2026-11-25',
          rawCode: 'InTransit_003',
          rawDescription: '快件到达 【上海浦东集散中心】 Arrived at Shanghai Pudong sorting center',
          recipient: {
            name: '张三',
            phone: '+8613800138000',
            country: 'CN',
            region: '上海市',
            city: '上海市',
            postalCode: '200120',
          },
          shipment: { originCountry: 'JP', destinationCountry: 'CN' },
          sourcePath: 'msg.checkpoints.2',
        },
      ]);
    });

    it('maps a customs hold that needs the recipient’s ID documents', () => {
      const update = parseOne(fixture('customs-hold-id'));
      expect(update).toMatchObject({
        carrierCode: 'china-ems',
        trackingNumber: 'EA100000001JP',
        status: 'customs_hold',
        customsHoldReason: 'id_documents_required',
        rawCode: 'Exception_004',
        estimatedDelivery: '2026-11-28',
        recipient: { name: '张三', phone: '13800138000', postalCode: '200120' },
        shipment: { originCountry: 'JP', destinationCountry: 'CN' },
      });
      expect(update.rawDescription).toContain('身份证');
      expect(update.occurredAt.toISOString()).toBe('2026-11-23T02:20:00.000Z');
    });

    it('maps unpaid duties filed as "Held for payment", with 2024-10+ field names', () => {
      expect(parseOne(fixture('customs-duties'))).toMatchObject({
        carrierCode: 'dhl',
        status: 'customs_hold',
        customsHoldReason: 'duties_unpaid',
        rawCode: 'Exception_006',
        estimatedDelivery: '2026-11-27',
        location: { country: 'CN', city: 'Shanghai', description: 'SHANGHAI - CHINA MAINLAND' },
        recipient: { name: 'Test Resident', country: 'CN' },
        shipment: { originCountry: 'DE', destinationCountry: 'CN' },
      });
    });

    it('maps customs clearance completed to customs_released', () => {
      expect(parseOne(fixture('customs-released'))).toMatchObject({
        status: 'customs_released',
        rawCode: 'InTransit_005',
      });
    });

    it('maps a delivery; a checkpoint time without offset is read as UTC', () => {
      const update = parseOne(fixture('delivered'));
      expect(update).toMatchObject({
        carrierCode: 'usps',
        trackingNumber: '9400100000000000000001',
        status: 'delivered',
        rawCode: 'Delivered_001',
        rawDescription: 'Delivered, In/At Mailbox',
        estimatedDelivery: '2026-11-23',
        recipient: {
          name: 'Test Resident',
          phone: '+15555550100',
          country: 'US',
          region: 'CA',
          city: 'San Francisco',
          postalCode: '94107',
        },
      });
      expect(update.occurredAt.toISOString()).toBe('2026-11-23T14:05:00.000Z');
      expect(update.customsHoldReason).toBeUndefined();
    });

    it('maps returned to sender to an exception with its reason', () => {
      expect(parseOne(fixture('returned-to-sender'))).toMatchObject({
        carrierCode: 'yunexpress',
        status: 'exception',
        exceptionReason: 'returned_to_sender',
        rawCode: 'Exception_011',
        shipment: { originCountry: 'CN', destinationCountry: 'US' },
      });
    });

    it('maps an unknown tag and subtag to unknown, keeping the raw code', () => {
      const update = parseOne(fixture('unknown-code'));
      expect(update).toMatchObject({
        carrierCode: 'jd',
        status: 'unknown',
        rawCode: 'OnHold_001',
        rawDescription: '您的订单已暂停配送',
      });
      expect(update.exceptionReason).toBeUndefined();
      expect(update.customsHoldReason).toBeUndefined();
    });

    it('falls back to the tag for a subtag it does not list', () => {
      expect(parseOne(withLatest('InTransit', 'InTransit_012', 'In transit'))).toMatchObject({
        status: 'in_transit',
        rawCode: 'InTransit_012',
      });
      expect(parseOne(withLatest('Exception', 'Exception_015', 'Something happened'))).toMatchObject({
        status: 'exception',
        exceptionReason: 'other',
      });
    });

    it('parses edd_revise and tracking_pending_time to no updates (acknowledged, not retried)', () => {
      const { raw, headers } = signed(fixture('edd-revise'));
      expect(adapter.parse(raw, headers)).toEqual({
        providerEventId: '8d7c6b5a-4e3f-4a1b-9c2d-1e0f9a8b7c6d',
        updates: [],
      });
      const pending = { event: 'tracking_pending_time', event_id: 'evt-pending', msg: {}, ts: 1795348800 };
      expect(adapter.parse(signed(pending).raw, {}).updates).toEqual([]);
    });

    it('uses the tracking’s tag when there are no checkpoints, with ts as the time', () => {
      const body = json('in-transit');
      Object.assign(body.msg, {
        checkpoints: [],
        tag: 'Pending',
        subtag: 'Pending_001',
        subtag_message: 'Pending',
      });
      const { raw, headers } = signed(body);
      const parsed = adapter.parse(raw, headers);
      expect(parsed.updates[0]).toMatchObject({
        status: 'info_received',
        rawCode: 'Pending_001',
        rawDescription: 'Pending',
        sourcePath: 'msg',
      });
      expect(parsed.updates[0]!.occurredAt.toISOString()).toBe('2026-11-20T22:16:30.000Z');
      expect(parsed.updates[0]!.location).toBeUndefined();
    });

    it('uses the tracking’s tag when it has expired, even with checkpoints', () => {
      const body = json('in-transit');
      Object.assign(body.msg, { tag: 'Expired', subtag: 'Expired_001', subtag_message: 'Expired' });
      expect(parseOne(body)).toMatchObject({ status: 'expired', rawCode: 'Expired_001', sourcePath: 'msg' });
    });

    it('rejects a tracking without checkpoints and without any time', () => {
      const body = json('in-transit');
      Object.assign(body.msg, { checkpoints: null, updated_at: null });
      delete body.ts;
      const err = rejection(() => adapter.parse(signed(body).raw, {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues.map((i) => i.path)).toEqual(['ts']);
    });

    it('dedupes on event_id, or on the tracking id plus its newest checkpoint time without one', () => {
      const body = json('in-transit');
      delete body.event_id;
      const { raw, headers } = signed(body);
      expect(adapter.parse(raw, headers).providerEventId).toBe(
        '9f7a0eb64d1cdb8cef381cdb2ef5cfbb:2026-11-21T06:15:00+08:00',
      );
    });

    it('lowercases the slug (carrier code) and ignores fields it does not know', () => {
      const body = json('in-transit');
      body.msg.slug = 'SF-Express';
      body.msg.some_future_field = { nested: true };
      body.msg.checkpoints[2].another_new_field = 1;
      expect(parseOne(body).carrierCode).toBe('sf-express');
    });

    it('gives no country for an ISO3 code it does not list', () => {
      const body = json('in-transit');
      body.msg.checkpoints[2].country_iso3 = 'XKX';
      body.msg.origin_country_iso3 = null;
      const update = parseOne(body);
      expect(update.location?.country).toBeUndefined();
      expect(update.shipment).toEqual({ destinationCountry: 'CN' });
    });

    it('rejects a body that is not JSON', () => {
      const err = rejection(() => adapter.parse(Buffer.from([0xff, 0xfe, 0x00]), {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues).toEqual([{ path: '(root)', message: 'body is not valid JSON' }]);
    });

    it('rejects a wrong shape with paths, without echoing values (which may be personal data)', () => {
      const body = json('in-transit');
      const longName = '张三'.repeat(150);
      body.msg.tracking_number = 12345;
      body.msg.customers[0].name = longName;
      body.msg.checkpoints[2].checkpoint_time = 'yesterday 13800138000';
      const err = rejection(() => adapter.parse(signed(body).raw, {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining([
          'msg.tracking_number',
          'msg.customers.0.name',
          'msg.checkpoints.2.checkpoint_time',
        ]),
      );
      expect(err.detail).toContain('msg.tracking_number');
      for (const leaked of ['张三', '12345', '13800138000', 'yesterday']) {
        expect(err.detail).not.toContain(leaked);
        expect(JSON.stringify(err.issues)).not.toContain(leaked);
      }
    });

    it('rejects a body without event or msg', () => {
      expect(rejection(() => adapter.parse(signed({ msg: {} }).raw, {})).issues.map((i) => i.path)).toEqual([
        'event',
      ]);
      const err = rejection(() => adapter.parse(signed({ event: 'tracking_update' }).raw, {}));
      expect(err.issues.map((i) => i.path)).toEqual(['msg']);
    });
  });

  it.each(fixtureNames())('fixture %s maps onto a publishable TrackingEventRecorded', (name) => {
    const { raw, headers } = signed(fixture(name));
    for (const update of adapter.parse(raw, headers).updates) expectPublishable(update, now);
  });

  describe('customs holds named by the checkpoint message', () => {
    it.each([
      ['Exception', 'Exception_004', 'Customs clearance delay', 'customs_hold', 'other'],
      ['Exception', 'Exception_004', 'Parcel selected for customs inspection', 'customs_hold', 'inspection'],
      ['Exception', 'Exception_004', '海关查验', 'customs_hold', 'inspection'],
      ['Exception', 'Exception_018', 'Missing commercial invoice', 'customs_hold', 'other'],
      [
        'Exception',
        'Exception_018',
        'Recipient identity document missing',
        'customs_hold',
        'id_documents_required',
      ],
      ['InTransit', 'InTransit_006', 'Customs clearance started', 'in_transit', undefined],
      ['InTransit', 'InTransit_006', '海关要求收件人进行实名认证', 'customs_hold', 'id_documents_required'],
      [
        'InTransit',
        'InTransit_006',
        'Customs: recipient ID required',
        'customs_hold',
        'id_documents_required',
      ],
      ['Exception', 'Exception_001', 'Held by customs', 'customs_hold', 'other'],
      ['Exception', 'Exception_001', 'Shipment exception', 'exception', undefined],
      ['Exception', 'Exception_001', 'Recipient id required at the door', 'exception', undefined],
      ['Exception', 'Exception_006', 'Awaiting cash on delivery payment', 'exception', undefined],
      ['Exception', 'Exception_006', '待缴纳关税', 'customs_hold', 'duties_unpaid'],
      ['Exception', null, 'Held by customs pending duties', 'customs_hold', 'duties_unpaid'],
      ['InTransit', 'InTransit_001', 'Customs: recipient ID required', 'in_transit', undefined],
    ])('%s / %s "%s" -> %s %s', (tag, subtag, message, status, reason) => {
      const update = parseOne(withLatest(tag, subtag, message));
      expect(update.status).toBe(status);
      expect(update.customsHoldReason).toBe(reason);
    });
  });

  describe('the mapping tables', () => {
    // Written out independently of AFTERSHIP_SUBTAGS, so a changed entry fails here.
    const expectedSubtags: Record<string, [string, string?]> = {
      Delivered_001: ['delivered'],
      Delivered_002: ['delivered'],
      Delivered_003: ['delivered'],
      Delivered_004: ['delivered'],
      Delivered_005: ['delivered'],
      AvailableForPickup_001: ['available_for_pickup'],
      Exception_001: ['exception', 'other'],
      Exception_002: ['exception', 'address_issue'],
      Exception_003: ['exception', 'other'],
      Exception_004: ['customs_hold', 'other'],
      Exception_005: ['exception', 'other'],
      Exception_006: ['exception', 'other'],
      Exception_007: ['exception', 'address_issue'],
      Exception_008: ['exception', 'other'],
      Exception_009: ['exception', 'other'],
      Exception_010: ['exception', 'returned_to_sender'],
      Exception_011: ['exception', 'returned_to_sender'],
      Exception_012: ['exception', 'damaged'],
      Exception_013: ['exception', 'lost'],
      Exception_016: ['exception', 'other'],
      Exception_017: ['exception', 'other'],
      Exception_018: ['customs_hold', 'other'],
      Exception_019: ['exception', 'other'],
      Exception_020: ['exception', 'other'],
      Exception_021: ['exception', 'other'],
      AttemptFail_001: ['delivery_failed'],
      AttemptFail_002: ['delivery_failed'],
      AttemptFail_003: ['delivery_failed'],
      InTransit_001: ['in_transit'],
      InTransit_002: ['in_transit'],
      InTransit_003: ['in_transit'],
      InTransit_004: ['in_transit'],
      InTransit_005: ['customs_released'],
      InTransit_006: ['in_transit'],
      InTransit_007: ['in_transit'],
      InTransit_008: ['in_transit'],
      InTransit_009: ['in_transit'],
      InfoReceived_001: ['info_received'],
      OutForDelivery_001: ['out_for_delivery'],
      OutForDelivery_003: ['out_for_delivery'],
      OutForDelivery_004: ['out_for_delivery'],
      Pending_001: ['info_received'],
      Expired_001: ['expired'],
    };
    const expectedTags: Record<string, [string, string?]> = {
      Pending: ['info_received'],
      InfoReceived: ['info_received'],
      InTransit: ['in_transit'],
      OutForDelivery: ['out_for_delivery'],
      AttemptFail: ['delivery_failed'],
      Delivered: ['delivered'],
      AvailableForPickup: ['available_for_pickup'],
      Exception: ['exception', 'other'],
      Expired: ['expired'],
    };

    it('list exactly the documented codes', () => {
      expect(Object.keys(AFTERSHIP_SUBTAGS).sort()).toEqual(Object.keys(expectedSubtags).sort());
      expect(Object.keys(AFTERSHIP_TAGS).sort()).toEqual(Object.keys(expectedTags).sort());
    });

    it.each(Object.entries(expectedSubtags))('subtag %s -> %j', (subtag, [status, reason]) => {
      const tag = subtag.split('_')[0]!;
      // a neutral message, so the message heuristics leave the table's answer alone
      const body =
        tag === 'Expired' ? withLatest('InTransit', subtag, 'Update') : withLatest(tag, subtag, 'Update');
      const update = parseOne(body);
      expect(update.status).toBe(status);
      expect(update.rawCode).toBe(subtag);
      if (status === 'customs_hold') expect(update.customsHoldReason).toBe(reason);
      else expect(update.exceptionReason).toBe(reason);
    });

    it.each(Object.entries(expectedTags))('tag %s (no subtag) -> %j', (tag, [status, reason]) => {
      const body = json('in-transit');
      Object.assign(body.msg, { checkpoints: [], tag, subtag: null, subtag_message: null });
      const update = parseOne(body);
      expect(update.status).toBe(status);
      expect(update.exceptionReason).toBe(reason);
      expect(update.rawCode).toBe(tag);
    });
  });
});
