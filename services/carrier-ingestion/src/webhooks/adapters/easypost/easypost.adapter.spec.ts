import { createHmac } from 'node:crypto';
import { parcelId } from '@portico/contracts';
import { signedEasyPostWebhook } from '@portico/testing/platform';
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
import { EASYPOST_CARRIER_CODES, easyPostCarrierCode } from './easypost-carriers';
import { EASYPOST_STATUS_DETAILS, EASYPOST_STATUSES } from './easypost-status-map';
import { EasyPostAdapter } from './easypost.adapter';

// EasyPost takes the webhook_secret we give it (Portico generates one per carrier account).
const secret = 'whsec_' + Buffer.from('easypost-test-webhook-secret-32b').toString('base64');
const oldSecret = 'whsec_' + Buffer.from('the-previous-secret-before-rotation').toString('base64');

const { bytes: fixture, json, names: fixtureNames } = adapterFixtures(__dirname);

/**
 * What EasyPost sends (libs/testing's signer): hmac-sha256-hex= + hex HMAC-SHA256 keyed with
 * UTF-8(NFKD(secret)).
 */
function sign(raw: Buffer, key = secret): Record<string, string> {
  return signedEasyPostWebhook(key, utf8(raw)).headers;
}

const signed = bodySigner(sign, secret);

/** The in-transit event with this tracker status, detail and newest message. */
function withStatus(status: string, statusDetail: string | null, message = 'Update'): Json {
  const body = json('in-transit');
  Object.assign(body.result, { status, status_detail: statusDetail });
  const details = body.result.tracking_details as Json[];
  Object.assign(details[details.length - 1]!, { status, status_detail: statusDetail, message });
  return body;
}

describe('EasyPostAdapter', () => {
  const adapter = new EasyPostAdapter();
  const now = new Date('2026-11-21T16:02:12Z');

  const parseOne = parserOfOne(adapter, signed, [secret], now);

  it('is an aggregator (updates of any carrier) and has its signature header archived', () => {
    expect(adapter.carriers).toBe('many');
    expect(adapter.signatureHeaders).toEqual(['x-hmac-signature']);
  });

  describe('verify', () => {
    it('accepts hmac-sha256-hex=<hex HMAC-SHA256 of the raw body> in X-Hmac-Signature', () => {
      const raw = fixture('in-transit');
      expect(() => adapter.verify(raw, sign(raw), [secret], now)).not.toThrow();
    });

    it('keys the HMAC with the NFKD form of the secret, as EasyPost’s validate_webhook does', () => {
      const raw = fixture('in-transit');
      const composed = 'sécret-ﬁle-ｗｅｂｈｏｏｋ'; // é (U+00E9), the ﬁ ligature, full-width letters
      const nfkdBytes = Buffer.from(composed.normalize('NFKD'), 'utf8');
      const headers = {
        'x-hmac-signature': `hmac-sha256-hex=${createHmac('sha256', nfkdBytes).update(raw).digest('hex')}`,
      };
      expect(() => adapter.verify(raw, headers, [composed], now)).not.toThrow();
      expect(() => adapter.verify(raw, headers, ['se\u0301cret-file-webhook'], now)).not.toThrow();
      // a verifier that keyed with the composed (NFC) bytes would not match
      const nfcHeaders = {
        'x-hmac-signature': `hmac-sha256-hex=${createHmac('sha256', Buffer.from(composed, 'utf8')).update(raw).digest('hex')}`,
      };
      expectRejected(() => adapter.verify(raw, nfcHeaders, [composed], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('accepts an upper-case hex digest and a repeated header (first value)', () => {
      const raw = fixture('in-transit');
      const value = sign(raw)['x-hmac-signature']!;
      const upper = { 'x-hmac-signature': `hmac-sha256-hex=${value.slice(16).toUpperCase()}` };
      expect(() => adapter.verify(raw, upper, [secret], now)).not.toThrow();
      expect(() => adapter.verify(raw, { 'x-hmac-signature': [value, 'junk'] }, [secret], now)).not.toThrow();
    });

    it('rejects a signature made with another secret', () => {
      const raw = fixture('in-transit');
      expectRejected(
        () => adapter.verify(raw, sign(raw, 'other'), [secret], now),
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
      const tampered = Buffer.from(raw.toString('utf8').replace('"weight": 16.0', '"weight": 16'));
      expect(tampered.equals(raw)).toBe(false);
      expectRejected(() => adapter.verify(tampered, headers, [secret], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('rejects a missing header, a digest without its prefix, and an account without secrets', () => {
      const raw = fixture('in-transit');
      const bare = sign(raw)['x-hmac-signature']!.slice('hmac-sha256-hex='.length);
      for (const headers of [{}, { 'x-hmac-signature': '' }, { 'x-hmac-signature': bare }]) {
        expectRejected(() => adapter.verify(raw, headers, [secret], now), 'WEBHOOK_SIGNATURE_INVALID');
      }
      expectRejected(() => adapter.verify(raw, sign(raw), [], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('has no timestamp tolerance (nothing time-based is signed; the intake dedupes on the event id)', () => {
      const raw = fixture('in-transit');
      expect(() => adapter.verify(raw, sign(raw), [secret], new Date('2031-01-01T00:00:00Z'))).not.toThrow();
    });
  });

  describe('parse', () => {
    it('maps an in-transit tracker from its newest tracking detail', () => {
      const { raw, headers } = signed(fixture('in-transit'));
      expect(adapter.parse(raw, headers)).toEqual({
        providerEventId: 'evt_7c1f0e3a9b2d4c5e8f6a1b2c3d4e5f60',
        updates: [
          {
            carrierCode: 'usps',
            trackingNumber: '9400100000000000000002',
            status: 'in_transit',
            location: {
              country: 'US',
              region: 'CA',
              city: 'SAN FRANCISCO CA DISTRIBUTION CENTER',
              postalCode: '94107',
            },
            occurredAt: new Date('2026-11-21T15:47:00Z'),
            estimatedDelivery: '2026-11-24',
            rawCode: 'in_transit/arrived_at_facility',
            rawDescription: 'Arrived at USPS Regional Facility',
            shipment: { originCountry: 'US', destinationCountry: 'US' },
            sourcePath: 'result.tracking_details.2',
          },
        ],
      });
    });

    it('maps a customs hold needing the recipient’s ID, with the parcel id AfterShip would give', () => {
      const update = parseOne(fixture('customs-hold-id'));
      expect(update).toMatchObject({
        carrierCode: 'sf-express',
        trackingNumber: 'SF1000000000001',
        status: 'customs_hold',
        customsHoldReason: 'id_documents_required',
        rawCode: 'in_transit/held',
        location: { country: 'CN', city: 'SHANGHAI', postalCode: '200120' },
        shipment: { originCountry: 'JP', destinationCountry: 'CN' },
      });
      expect(update.rawDescription).toContain('身份证');
      expect(update.estimatedDelivery).toBeUndefined();
      expect(update.recipient).toBeUndefined();
      // aftership/fixtures/in-transit.json reports this parcel as slug sf-express: one parcel, one id
      expect(parcelId(update.carrierCode, update.trackingNumber)).toBe(
        parcelId('sf-express', 'SF1000000000001'),
      );
    });

    it('maps unpaid duties to a customs hold', () => {
      expect(parseOne(fixture('customs-duties'))).toMatchObject({
        carrierCode: 'dhl',
        status: 'customs_hold',
        customsHoldReason: 'duties_unpaid',
        rawCode: 'in_transit/awaiting_information',
        estimatedDelivery: '2026-11-27',
        shipment: { originCountry: 'DE', destinationCountry: 'CN' },
      });
    });

    it('maps "clearance processing complete" to customs_released', () => {
      const update = parseOne(fixture('customs-released'));
      expect(update).toMatchObject({ status: 'customs_released', rawCode: 'in_transit/in_transit' });
      expect(update.shipment).toBeUndefined();
    });

    it('maps a delivery, without taking signed_by as the recipient', () => {
      const update = parseOne(fixture('delivered'));
      expect(update).toMatchObject({
        carrierCode: 'ups',
        trackingNumber: '1Z0000000000000001',
        status: 'delivered',
        rawCode: 'delivered/arrived_at_destination',
        rawDescription: 'DELIVERED',
        estimatedDelivery: '2026-11-23',
        location: { country: 'US', region: 'CA', city: 'SAN FRANCISCO', postalCode: '94107' },
      });
      expect(update.occurredAt.toISOString()).toBe('2026-11-23T22:38:00.000Z');
      expect(update.recipient).toBeUndefined();
    });

    it('maps return_to_sender to an exception with its reason', () => {
      expect(parseOne(fixture('returned-to-sender'))).toMatchObject({
        carrierCode: 'dhl',
        status: 'exception',
        exceptionReason: 'returned_to_sender',
        rawCode: 'return_to_sender/return',
        shipment: { originCountry: 'GB', destinationCountry: 'HK' },
      });
    });

    it('maps an unknown status to unknown, with a slug for an unlisted carrier', () => {
      const update = parseOne(fixture('unknown-status'));
      expect(update).toMatchObject({
        carrierCode: 'asendia-usa',
        status: 'unknown',
        rawCode: 'held_at_border/border_queue',
        rawDescription: 'Parcel waiting at the border crossing',
      });
      expect(update.location).toBeUndefined(); // "United States" is not an alpha-2 code
      expect(update.exceptionReason).toBeUndefined();
    });

    it('maps tracker.created without tracking details from the tracker itself', () => {
      expect(parseOne(fixture('pre-transit-created'))).toEqual({
        carrierCode: 'usps',
        trackingNumber: '9400100000000000000002',
        status: 'info_received',
        occurredAt: new Date('2026-11-20T18:30:00Z'),
        rawCode: 'pre_transit/label_created',
        rawDescription: '',
        sourcePath: 'result',
      });
    });

    it('falls back to the event time, and rejects a tracker without any time', () => {
      const body = json('pre-transit-created');
      body.result.updated_at = null;
      expect(parseOne(body).occurredAt.toISOString()).toBe('2026-11-20T18:30:01.000Z');
      delete body.created_at;
      const err = rejection(() => adapter.parse(signed(body).raw, {}));
      expect(err.issues.map((i) => i.path)).toEqual(['result.updated_at']);
    });

    it('parses events that are not about trackers to no updates (acknowledged, not retried)', () => {
      const { raw, headers } = signed(fixture('batch-updated'));
      expect(adapter.parse(raw, headers)).toEqual({
        providerEventId: 'evt_8c9d0e1f2a3b44c5d6e7f8091a2b3c4d',
        updates: [],
      });
      const refund = { id: 'evt_refund', object: 'Event', description: 'refund.successful', result: {} };
      expect(adapter.parse(signed(refund).raw, {}).updates).toEqual([]);
    });

    it('ignores fields it does not know', () => {
      const body = json('in-transit');
      body.result.some_future_field = { nested: true };
      body.result.tracking_details[2].another_new_field = [1, 2];
      body.brand_new_top_level = 'x';
      expect(parseOne(body).status).toBe('in_transit');
    });

    it('rejects a body that is not JSON', () => {
      const err = rejection(() => adapter.parse(Buffer.from('{"id": "evt_1", '), {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues).toEqual([{ path: '(root)', message: 'body is not valid JSON' }]);
    });

    it('rejects a wrong shape with paths, without echoing values', () => {
      const body = json('customs-hold-id');
      body.result.tracking_code = 13800138000;
      body.result.tracking_details[2].datetime = 'when 张三 called';
      body.result.tracking_details[2].message = '张三 '.repeat(1000);
      const err = rejection(() => adapter.parse(signed(body).raw, {}));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining([
          'result.tracking_code',
          'result.tracking_details.2.datetime',
          'result.tracking_details.2.message',
        ]),
      );
      for (const leaked of ['13800138000', '张三', 'called']) {
        expect(err.detail).not.toContain(leaked);
        expect(JSON.stringify(err.issues)).not.toContain(leaked);
      }
    });

    it('rejects an event without id, a non-Event object, and a tracker event without a Tracker', () => {
      const paths = (body: Json) =>
        rejection(() => adapter.parse(signed(body).raw, {})).issues.map((i) => i.path);
      expect(paths({ object: 'Event', description: 'tracker.updated' })).toEqual(['id']);
      expect(paths({ id: 'evt_1', object: 'Tracker', description: 'tracker.updated' })).toEqual(['object']);
      expect(
        paths({ id: 'evt_1', object: 'Event', description: 'tracker.updated', result: { object: 'Batch' } }),
      ).toEqual(
        expect.arrayContaining(['result.object', 'result.tracking_code', 'result.carrier', 'result.status']),
      );
    });
  });

  describe('customs and failures named by status detail and message', () => {
    it.each([
      ['in_transit', 'held', 'Held in customs', 'customs_hold', 'other'],
      ['in_transit', 'delayed', 'Customs inspection in progress', 'customs_hold', 'inspection'],
      ['in_transit', 'held', '海关要求收件人实名认证', 'customs_hold', 'id_documents_required'],
      ['in_transit', 'in_transit', 'Customs clearance in progress', 'in_transit', undefined],
      ['in_transit', 'in_transit', 'Released from customs', 'customs_released', undefined],
      ['unknown', null, 'Awaiting customs clearance: import duty payable', 'customs_hold', 'duties_unpaid'],
      [
        'failure',
        'delivery_exception',
        'Held by customs: ID required',
        'customs_hold',
        'id_documents_required',
      ],
      ['failure', 'delivery_exception', 'Recipient not available', 'delivery_failed', undefined],
      ['failure', 'address_correction', 'Address needs correcting', 'exception', undefined],
      ['in_transit', 'address_correction', 'Address corrected', 'in_transit', undefined],
      ['in_transit', 'lost', 'Package lost', 'exception', undefined],
      ['delivered', 'return', 'Delivered', 'delivered', undefined],
      [
        'out_for_delivery',
        'out_for_delivery',
        'Customs: recipient ID required',
        'out_for_delivery',
        undefined,
      ],
    ])('%s / %s "%s" -> %s %s', (status, detail, message, expected, reason) => {
      const update = parseOne(withStatus(status, detail, message));
      expect(update.status).toBe(expected);
      expect(update.customsHoldReason).toBe(reason);
    });
  });

  describe('the mapping tables', () => {
    // Written out independently of EASYPOST_STATUSES, so a changed entry fails here.
    const expectedStatuses: Record<string, [string, string?]> = {
      unknown: ['unknown'],
      pre_transit: ['info_received'],
      in_transit: ['in_transit'],
      out_for_delivery: ['out_for_delivery'],
      delivered: ['delivered'],
      available_for_pickup: ['available_for_pickup'],
      return_to_sender: ['exception', 'returned_to_sender'],
      failure: ['delivery_failed'],
      cancelled: ['exception', 'other'],
      error: ['unknown'],
    };
    const expectedDetails: Record<string, [string, string?]> = {
      lost: ['exception', 'lost'],
      damaged: ['exception', 'damaged'],
      return: ['exception', 'returned_to_sender'],
      refused: ['exception', 'other'],
      'failure/address_correction': ['exception', 'address_issue'],
    };
    const expectedCarriers: Record<string, string> = {
      USPS: 'usps',
      UPS: 'ups',
      UPSMailInnovations: 'ups-mi',
      FedEx: 'fedex',
      DHL: 'dhl',
      DHLExpress: 'dhl',
      'DHL eCommerce': 'dhl-global-mail',
      DHLeCommerceSolutions: 'dhl-global-mail',
      DHLGlobalMail: 'dhl-global-mail',
      'SF Express': 'sf-express',
      SF: 'sf-express',
      'China EMS': 'china-ems',
      ChinaPost: 'china-post',
      Cainiao: 'cainiao',
      YunExpress: 'yunexpress',
      JD: 'jd',
      'JD Logistics': 'jd',
      CanadaPost: 'canada-post',
      Canpar: 'canpar',
      Purolator: 'purolator',
      RoyalMail: 'royal-mail',
      AustraliaPost: 'australia-post',
      'Japan Post': 'japan-post',
      HongKongPost: 'hong-kong-post',
      DeutschePost: 'deutsch-post',
      PostNL: 'postnl',
      DPD: 'dpd',
      DPDUK: 'dpd-uk',
      GLS: 'gls',
      LaserShip: 'lasership',
      OnTrac: 'ontrac',
    };

    it('list exactly the documented codes', () => {
      expect(Object.keys(EASYPOST_STATUSES).sort()).toEqual(Object.keys(expectedStatuses).sort());
      expect(Object.keys(EASYPOST_STATUS_DETAILS).sort()).toEqual(Object.keys(expectedDetails).sort());
      const compact = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
      expect(Object.keys(EASYPOST_CARRIER_CODES).sort()).toEqual(
        [...new Set(Object.keys(expectedCarriers).map(compact))].sort(),
      );
    });

    it.each(Object.entries(expectedStatuses))('status %s -> %j', (status, [expected, reason]) => {
      const update = parseOne(withStatus(status, 'status_update'));
      expect(update.status).toBe(expected);
      expect(update.exceptionReason).toBe(reason);
      expect(update.rawCode).toBe(`${status}/status_update`);
    });

    it.each(Object.entries(expectedDetails))('status detail %s -> %j', (key, [expected, reason]) => {
      const [status, detail] = key.includes('/') ? key.split('/') : ['in_transit', key];
      const update = parseOne(withStatus(status!, detail!));
      expect(update.status).toBe(expected);
      expect(update.exceptionReason).toBe(reason);
    });

    it.each(Object.entries(expectedCarriers))('carrier %s -> %s', (name, code) => {
      expect(easyPostCarrierCode(name)).toBe(code);
      const body = json('in-transit');
      body.result.carrier = name;
      expect(parseOne(body).carrierCode).toBe(code);
    });

    it.each([
      ['Asendia USA', 'asendia-usa'],
      ['  Some Carrier (Intl.)  ', 'some-carrier-intl'],
      ['ＦＡＳＴ　Ｌｏｇｉｓｔｉｃｓ', 'fast-logistics'],
      ['dhl_express', 'dhl'],
    ])('unlisted carrier name %j -> slug %s', (name, code) => {
      expect(easyPostCarrierCode(name)).toBe(code);
    });
  });

  it.each(fixtureNames())('fixture %s maps onto a publishable TrackingEventRecorded', (name) => {
    const { raw, headers } = signed(fixture(name));
    for (const update of adapter.parse(raw, headers).updates) expectPublishable(update, now);
  });
});
