import { signed17TrackWebhook } from '@portico/testing/platform';
import { dedupeKeyOf } from '../../webhook-intake.service';
import {
  adapterFixtures,
  expectNothingLeaked,
  expectRejected,
  publishableEvent,
  rejection,
  utf8,
} from '../shared/adapter-spec-support';
import { carrierCodeOf17TrackKey, SEVENTEEN_TRACK_CARRIERS } from './seventeen-track-carriers';
import {
  customsHoldReasonFrom17Track,
  mapSeventeenTrackStatus,
  SEVENTEEN_TRACK_MAIN_STATUSES,
  SEVENTEEN_TRACK_SUB_STATUSES,
} from './seventeen-track-status-map';
import { SeventeenTrackAdapter } from './seventeen-track.adapter';

const key = 'fake17trackSecurityKey0123456789';
const previousKey = 'previous17trackKeyBeforeRotation';
const now = new Date('2026-11-23T02:00:00Z');

const { bytes: fixture, json, names: fixtureNames } = adapterFixtures(__dirname);

/**
 * Signed as 17TRACK documents it, by libs/testing's signer (written independently of the adapter):
 * sha256 hex of `<body>/<key>`.
 */
function signed(body: Buffer | string, secret = key) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { raw, headers: signed17TrackWebhook(secret, utf8(raw)).headers };
}

describe('SeventeenTrackAdapter', () => {
  const adapter = new SeventeenTrackAdapter();

  it('is the 17track provider', () => {
    expect(adapter.provider).toBe('17track');
  });

  describe('verify', () => {
    it('accepts a body signed with the account key', () => {
      const { raw, headers } = signed(fixture('in-transit'));
      expect(() => adapter.verify(raw, headers, [key], now)).not.toThrow();
    });

    it('accepts the previous key while both are active (rotation), and only then', () => {
      const { raw, headers } = signed(fixture('in-transit'), previousKey);
      expect(() => adapter.verify(raw, headers, [key, previousKey], now)).not.toThrow();
      expectRejected(() => adapter.verify(raw, headers, [key], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('accepts an uppercase hex sign', () => {
      const { raw, headers } = signed(fixture('delivered'));
      expect(() => adapter.verify(raw, { sign: headers.sign.toUpperCase() }, [key], now)).not.toThrow();
    });

    it('rejects a wrong key, a tampered body, and a missing or malformed sign', () => {
      const { raw, headers } = signed(fixture('in-transit'));
      const tampered = Buffer.from(raw.toString('utf8').replace('RR123456789CN', 'RR000000000CN'));
      for (const [body, h] of [
        [raw, signed(raw, 'some-other-key').headers],
        [tampered, headers],
        [raw, {}],
        [raw, { sign: 'not-hex' }],
        [raw, { sign: headers.sign.slice(0, 63) }],
        [raw, { sign: `${headers.sign}00` }],
      ] as const) {
        expectRejected(() => adapter.verify(body, h, [key], now), 'WEBHOOK_SIGNATURE_INVALID');
      }
    });

    it('rejects every delivery when the account has no active key', () => {
      const { raw, headers } = signed(fixture('in-transit'));
      expectRejected(() => adapter.verify(raw, headers, [], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('checks the exact bytes: re-serialised JSON with the same content does not match', () => {
      const { headers } = signed(fixture('in-transit'));
      const reserialised = Buffer.from(JSON.stringify(json('in-transit')));
      expectRejected(() => adapter.verify(reserialised, headers, [key], now), 'WEBHOOK_SIGNATURE_INVALID');
    });
  });

  describe('parse', () => {
    it('maps an in-transit push to one update with time, location, estimate and shipment facts', () => {
      const parsed = adapter.parse(fixture('in-transit'), {});
      expect(parsed.providerEventId).toBeUndefined();
      expect(parsed.updates).toEqual([
        {
          carrierCode: 'china-post',
          trackingNumber: 'RR123456789CN',
          status: 'in_transit',
          location: {
            country: 'CN',
            region: 'Shanghai',
            city: 'Shanghai',
            description: 'SHANGHAI',
          },
          occurredAt: new Date('2026-11-20T10:05:00Z'),
          estimatedDelivery: '2026-12-02',
          rawCode: 'InTransit_Departure',
          rawDescription: 'Departed from the international office of exchange, Shanghai',
          recipient: { country: 'US', region: 'TX', city: 'SAN ANTONIO', postalCode: '78216' },
          shipment: { originCountry: 'CN', destinationCountry: 'US' },
          sourcePath: 'data.track_info.latest_event',
        },
      ]);
    });

    it('maps a customs hold needing the recipient ID (Chinese carrier text) to id_documents_required', () => {
      const [update] = adapter.parse(fixture('customs-hold-id'), {}).updates;
      expect(update).toMatchObject({
        carrierCode: 'china-ems',
        trackingNumber: 'EA123456785CN',
        status: 'customs_hold',
        customsHoldReason: 'id_documents_required',
        rawCode: 'InTransit_CustomsRequiringInformation',
        estimatedDelivery: '2026-11-28',
        shipment: { originCountry: 'JP', destinationCountry: 'CN' },
      });
      expect(update!.occurredAt.toISOString()).toBe('2026-11-23T01:41:00.000Z');
      expect(update!.exceptionReason).toBeUndefined();
    });

    it('maps a customs hold for unpaid duties to duties_unpaid', () => {
      const [update] = adapter.parse(fixture('customs-hold-duties'), {}).updates;
      expect(update).toMatchObject({
        carrierCode: 'ups',
        status: 'customs_hold',
        customsHoldReason: 'duties_unpaid',
      });
      expect(update!.estimatedDelivery).toBeUndefined();
    });

    it('maps a customs release', () => {
      const [update] = adapter.parse(fixture('customs-released'), {}).updates;
      expect(update).toMatchObject({
        carrierCode: 'china-ems',
        status: 'customs_released',
        rawCode: 'InTransit_CustomsReleased',
        rawDescription: '【上海浦东国际机场海关】进口清关完成，海关已放行',
      });
      expect(update!.customsHoldReason).toBeUndefined();
    });

    it('maps a delivery', () => {
      const [update] = adapter.parse(fixture('delivered'), {}).updates;
      expect(update).toMatchObject({
        carrierCode: 'sf-express',
        trackingNumber: 'SF1234567890123',
        status: 'delivered',
        rawCode: 'Delivered_Other',
        location: { country: 'CN', postalCode: '200120', description: '上海市浦东新区' },
      });
      expect(update!.occurredAt.toISOString()).toBe('2026-11-26T02:15:32.000Z');
    });

    it('maps a returned parcel to an exception returned_to_sender', () => {
      const [update] = adapter.parse(fixture('exception-returned'), {}).updates;
      expect(update).toMatchObject({
        status: 'exception',
        exceptionReason: 'returned_to_sender',
        rawCode: 'Exception_Returned',
      });
    });

    it('maps a status it does not know to unknown, keeping the raw code (never throws, never drops)', () => {
      const { updates } = adapter.parse(fixture('unknown-code'), {});
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({
        status: 'unknown',
        rawCode: 'Held_AwaitingCarrier',
        rawDescription: 'Item held at the office of exchange',
      });
    });

    it('gives TRACKING_STOPPED zero updates', () => {
      expect(adapter.parse(fixture('tracking-stopped'), {})).toEqual({ updates: [] });
    });

    it('gives a push without any event yet (NotFound, latest_event null) zero updates', () => {
      expect(adapter.parse(fixture('not-found'), {})).toEqual({ updates: [] });
    });

    it('prefers time_iso (with offset) and falls back to time_utc when time_iso has no zone', () => {
      const body = json('in-transit');
      body.data.track_info.latest_event.time_iso = '2026-11-20T18:05:00'; // no zone: ambiguous
      body.data.track_info.latest_event.time_utc = '2026-11-20T10:06:00Z';
      const [update] = adapter.parse(Buffer.from(JSON.stringify(body)), {}).updates;
      expect(update!.occurredAt.toISOString()).toBe('2026-11-20T10:06:00.000Z');

      body.data.track_info.latest_event.time_iso = '2026-11-20T18:05+0800';
      const [compact] = adapter.parse(Buffer.from(JSON.stringify(body)), {}).updates;
      expect(compact!.occurredAt.toISOString()).toBe('2026-11-20T10:05:00.000Z');
    });

    it('maps an unknown carrier key to 17track-<key>', () => {
      const body = json('in-transit');
      body.data.carrier = 987654;
      const [update] = adapter.parse(Buffer.from(JSON.stringify(body)), {}).updates;
      expect(update!.carrierCode).toBe('17track-987654');
    });

    it('leaves providerEventId undefined, so the intake deduplicates on the body hash', () => {
      const raw = fixture('delivered');
      const parsed = adapter.parse(raw, {});
      expect(parsed.providerEventId).toBeUndefined();
      expect(dedupeKeyOf(parsed.providerEventId, raw)).toMatch(/^body-sha256:[0-9a-f]{64}$/);
    });

    it('rejects a body that is not JSON or not UTF-8', () => {
      for (const raw of [Buffer.from('{"event":'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]) {
        const err = rejection(() => adapter.parse(raw, {}));
        expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
        expect(err.issues).toEqual([{ path: '(root)', message: expect.any(String) }]);
      }
    });

    it('rejects a wrong shape with the paths, never the values (which may be personal data)', () => {
      const body = json('customs-hold-id');
      const secretCity = '张三的小区 13800138000';
      delete body.data.number;
      body.data.carrier = 'China EMS';
      body.data.track_info.latest_status.status = 42;
      body.data.track_info.latest_event.time_iso = secretCity;
      body.data.track_info.latest_event.time_utc = null;
      body.data.track_info.shipping_info.recipient_address.country = secretCity;
      body.data.track_info.time_metrics.estimated_delivery_date.to = secretCity;
      const err = rejection(() => adapter.parse(Buffer.from(JSON.stringify(body)), {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining([
          'data.number',
          'data.carrier',
          'data.track_info.latest_status.status',
          'data.track_info.latest_event.time_iso',
          'data.track_info.shipping_info.recipient_address.country',
          'data.track_info.time_metrics.estimated_delivery_date.to',
        ]),
      );
      expectNothingLeaked(err, ['13800138000', '张三', 'China EMS']);
    });

    it('rejects an event type it does not know, at the path `event`', () => {
      const body = { event: 'TRACKING_TELEPORTED', data: { number: 'RR123456789CN', carrier: 3011 } };
      const err = rejection(() => adapter.parse(Buffer.from(JSON.stringify(body)), {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues.map((i) => i.path)).toEqual(['event']);
      expect(err.detail).not.toContain('TELEPORTED');
    });

    it('turns every fixture into updates the intake can publish (valid parcel reference)', () => {
      const names = fixtureNames();
      expect(names.length).toBeGreaterThanOrEqual(8);
      for (const name of names) {
        for (const update of adapter.parse(fixture(name), {}).updates) {
          const event = publishableEvent(update, {
            tenantId: 'ten_test',
            sourceEventId: '',
            receivedAt: now,
          });
          expect(event.parcel?.parcelId).toMatch(/^prc_[0-9a-f]{32}$/);
        }
      }
    });

    it('accepts fields 17TRACK adds later (loose objects)', () => {
      const body = json('delivered');
      body.data.track_info.latest_event.brand_new_field = { anything: true };
      body.data.something_new = 1;
      expect(adapter.parse(Buffer.from(JSON.stringify(body)), {}).updates).toHaveLength(1);
    });
  });
});

describe('17TRACK mapping tables', () => {
  const expectedSub: Record<string, [string, string?]> = {
    NotFound_Other: ['unknown'],
    NotFound_InvalidCode: ['unknown'],
    InfoReceived: ['info_received'],
    InTransit_PickedUp: ['in_transit'],
    InTransit_Other: ['in_transit'],
    InTransit_Departure: ['in_transit'],
    InTransit_Arrival: ['in_transit'],
    InTransit_CustomsProcessing: ['in_transit'],
    InTransit_CustomsReleased: ['customs_released'],
    InTransit_CustomsRequiringInformation: ['customs_hold'],
    Expired_Other: ['expired'],
    AvailableForPickup_Other: ['available_for_pickup'],
    OutForDelivery_Other: ['out_for_delivery'],
    DeliveryFailure_Other: ['delivery_failed'],
    DeliveryFailure_NoBody: ['delivery_failed'],
    DeliveryFailure_Security: ['delivery_failed'],
    DeliveryFailure_Rejected: ['delivery_failed'],
    DeliveryFailure_InvalidAddress: ['delivery_failed'],
    Delivered_Other: ['delivered'],
    Exception_Other: ['exception', 'other'],
    Exception_Returning: ['exception', 'returned_to_sender'],
    Exception_Returned: ['exception', 'returned_to_sender'],
    Exception_NoBody: ['exception', 'address_issue'],
    Exception_Security: ['exception', 'other'],
    Exception_Damage: ['exception', 'damaged'],
    Exception_Rejected: ['exception', 'other'],
    Exception_Delayed: ['exception', 'other'],
    Exception_Lost: ['exception', 'lost'],
    Exception_Destroyed: ['exception', 'other'],
    Exception_Cancel: ['exception', 'other'],
  };

  it('covers every sub-status 17TRACK documents, each as intended', () => {
    expect(Object.keys(SEVENTEEN_TRACK_SUB_STATUSES).sort()).toEqual(Object.keys(expectedSub).sort());
    for (const [sub, [status, reason]] of Object.entries(expectedSub)) {
      const main = sub.split('_')[0]!;
      const mapped = mapSeventeenTrackStatus(main, sub, 'Customs: recipient identity documents required');
      expect({ sub, status: mapped.status, exceptionReason: mapped.exceptionReason }).toEqual({
        sub,
        status,
        exceptionReason: reason,
      });
      if (status === 'customs_hold') expect(mapped.customsHoldReason).toBe('id_documents_required');
      else expect(mapped.customsHoldReason).toBeUndefined();
    }
  });

  it('maps every main status, used for sub-statuses not in the table yet', () => {
    const expectedMain: Record<string, string> = {
      NotFound: 'unknown',
      InfoReceived: 'info_received',
      InTransit: 'in_transit',
      Expired: 'expired',
      AvailableForPickup: 'available_for_pickup',
      OutForDelivery: 'out_for_delivery',
      DeliveryFailure: 'delivery_failed',
      Delivered: 'delivered',
      Exception: 'exception',
    };
    expect(Object.keys(SEVENTEEN_TRACK_MAIN_STATUSES).sort()).toEqual(Object.keys(expectedMain).sort());
    for (const [main, status] of Object.entries(expectedMain)) {
      expect(mapSeventeenTrackStatus(main, `${main}_SomethingNew`, '').status).toBe(status);
      expect(mapSeventeenTrackStatus(main, undefined, '').status).toBe(status);
    }
    expect(mapSeventeenTrackStatus('Exception', 'Exception_SomethingNew', '')).toEqual({
      status: 'exception',
      exceptionReason: 'other',
    });
  });

  it('maps unknown statuses, including Object.prototype names, to unknown', () => {
    for (const [status, sub] of [
      ['Teleported', 'Teleported_Other'],
      ['constructor', 'constructor'],
      ['__proto__', '__proto__'],
      ['toString', undefined],
    ] as const) {
      expect(mapSeventeenTrackStatus(status, sub, '')).toEqual({ status: 'unknown' });
    }
  });

  it.each([
    ['Customs requires the recipient ID card', 'id_documents_required'],
    ['Identity verification required for clearance', 'id_documents_required'],
    ['海关要求提供收件人身份证', 'id_documents_required'],
    ['请完成实名认证', 'id_documents_required'],
    ['等待补充清关资料', 'id_documents_required'],
    ['Import duty payable', 'duties_unpaid'],
    ['Awaiting payment of taxes', 'duties_unpaid'],
    ['待缴纳进口税', 'duties_unpaid'],
    ['Related information is required for clearance.', 'other'],
    ['Paid and validated', 'other'],
  ])('derives the customs hold reason of %j', (text, reason) => {
    expect(customsHoldReasonFrom17Track(text)).toBe(reason);
  });

  it('maps every listed carrier key to a valid canonical slug, and others to 17track-<key>', () => {
    expect(SEVENTEEN_TRACK_CARRIERS).toEqual({
      3011: 'china-post',
      3013: 'china-ems',
      21051: 'usps',
      100001: 'dhl',
      100002: 'ups',
      100003: 'fedex',
      100012: 'sf-express',
      190008: 'yunexpress',
      190094: '4px',
      190271: 'cainiao',
    });
    for (const [keyText, slug] of Object.entries(SEVENTEEN_TRACK_CARRIERS)) {
      expect(carrierCodeOf17TrackKey(Number(keyText))).toBe(slug);
      expect(slug).toMatch(/^[a-z0-9][a-z0-9-]{1,39}$/);
    }
    expect(carrierCodeOf17TrackKey(0)).toBe('17track-0');
    expect(carrierCodeOf17TrackKey(424242)).toBe('17track-424242');
  });
});
