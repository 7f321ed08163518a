import { toBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  InvalidParcelReferenceError,
  matchesRecipientDigest,
  parcelId,
  TrackingStreamEventSchema,
} from '@portico/contracts';
import {
  toTrackingEventRecorded,
  toTrackingStreamEvent,
  type DeliveryContext,
} from './tracking-event.mapper';
import type { TrackingUpdate } from './tracking-update';
import * as recipientHintModule from './recipient-hint';

// the real scrubber, counted: its patterns are compiled per recipient, so once per update is the budget
jest.mock('./recipient-hint', () => {
  const actual = jest.requireActual<typeof import('./recipient-hint')>('./recipient-hint');
  return {
    ...actual,
    scrubberFor: jest.fn(actual.scrubberFor),
    recipientHint: jest.fn(actual.recipientHint),
  };
});

const digestKey = { id: 'k1', secret: 'digest-key-0123456789-abcdefghijklmnopq' };
const NAME = '王芳丽';
const PHONE = '13912345678';

const delivery: DeliveryContext = {
  tenantId: 'ten_harbour',
  carrierAccountId: 'ca_0123456789abcdef0123456789abcdef',
  provider: 'portico-native',
  sourceEventId: 'msg_2fQ1',
  receivedAt: new Date('2026-11-23T01:00:05Z'),
  digestKey,
};

const hold: TrackingUpdate = {
  carrierCode: 'demo-express',
  trackingNumber: 'px-1234 5678cn',
  status: 'customs_hold',
  customsHoldReason: 'id_documents_required',
  occurredAt: new Date('2026-11-23T00:59:00Z'),
  estimatedDelivery: '2026-11-28',
  customsDeadline: new Date('2026-11-26T00:59:00Z'),
  location: { country: 'CN', city: 'Shanghai', description: 'Pudong International Airport customs' },
  rawCode: 'CUSTOMS_ID_REQUIRED',
  rawDescription: `Held by customs: ${NAME} (${PHONE}) must provide ID documents`,
  recipient: {
    name: NAME,
    phone: `+86 139-1234-5678`,
    country: 'CN',
    city: 'Shanghai',
    district: 'Pudong',
    postalCode: '200 120',
    addressLine: `  88 Century   Avenue, Tower A  `,
    unit: '12-03',
  },
  shipment: {
    originCountry: 'JP',
    destinationCountry: 'CN',
    declaredValue: { amount: '1280.00', currency: 'CNY' },
    perishable: true,
  },
};

describe('TrackingUpdate -> TrackingEventRecorded', () => {
  it('builds the recipient scrubber once per update and scrubs every published field with it', () => {
    const scrubberFor = jest.mocked(recipientHintModule.scrubberFor);
    const recipientHint = jest.mocked(recipientHintModule.recipientHint);
    scrubberFor.mockClear();
    recipientHint.mockClear();
    const update = { ...hold, recipient: { ...hold.recipient, addressLine: `${NAME} 88 Century Avenue` } };
    const recorded = toTrackingEventRecorded(update, delivery);
    expect(scrubberFor).toHaveBeenCalledTimes(1);
    // the recipient hint reuses it instead of compiling the same patterns again
    expect(recipientHint).toHaveBeenCalledWith(
      update.recipient,
      digestKey,
      scrubberFor.mock.results[0]!.value,
    );
    expect(recorded.rawDescription).not.toContain(NAME);
    expect(recorded.recipient!.addressLine).toBe('[redacted] 88 Century Avenue');
  });

  const event = toTrackingEventRecorded(hold, delivery);

  it('identifies the parcel by the platform-wide parcel id and normalised reference', () => {
    expect(event.parcel).toMatchObject({
      parcelId: parcelId('demo-express', 'PX12345678CN'),
      carrierCode: 'demo-express',
      trackingNumber: 'PX12345678CN',
    });
  });

  it('says who received it, through which account and provider, and when', () => {
    expect(event.tenantId).toBe('ten_harbour');
    expect(event.carrierAccountId).toBe(delivery.carrierAccountId);
    expect(event.provider).toBe(carrier.TrackingProvider.PORTICO_NATIVE);
    expect(event.sourceEventId).toBe('msg_2fQ1');
    expect(timestampDate(event.occurredAt!).toISOString()).toBe('2026-11-23T00:59:00.000Z');
    expect(timestampDate(event.receivedAt!).toISOString()).toBe('2026-11-23T01:00:05.000Z');
  });

  it('maps status, hold reason, deadline, estimated delivery and location', () => {
    expect(event.status).toBe(carrier.TrackingStatus.CUSTOMS_HOLD);
    expect(event.customsHoldReason).toBe(carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED);
    expect(event.exceptionReason).toBe(carrier.ExceptionReason.UNSPECIFIED);
    expect(timestampDate(event.customsDeadline!).toISOString()).toBe('2026-11-26T00:59:00.000Z');
    expect(event.estimatedDelivery).toMatchObject({ year: 2026, month: 11, day: 28 });
    expect(event.location).toMatchObject({
      countryCode: 'CN',
      city: 'Shanghai',
      description: 'Pudong International Airport customs',
    });
    expect(event.rawStatusCode).toBe('CUSTOMS_ID_REQUIRED');
  });

  it('maps shipment facts, the declared value in minor units', () => {
    expect(event.shipment).toMatchObject({
      originCountryCode: 'JP',
      destinationCountryCode: 'CN',
      perishable: true,
      declaredValue: { currencyCode: 'CNY', amountMinor: 128000n },
    });
  });

  it('gives the recipient as keyed digests and a building-level address with the unit apart', () => {
    const hint = event.recipient!;
    expect(hint).toMatchObject({
      countryCode: 'CN',
      city: 'Shanghai',
      district: 'Pudong',
      postalCode: '200120',
      addressLine: '88 Century Avenue, Tower A',
      unit: '12-03',
    });
    expect(hint.nameDigest?.keyId).toBe('k1');
    expect(matchesRecipientDigest(hint.nameDigest, 'name', NAME, [digestKey])).toBe(true);
    // the same number however the carrier or the directory writes it
    expect(matchesRecipientDigest(hint.phoneDigest, 'phone', PHONE, [digestKey])).toBe(true);
  });

  it('never lets the name or phone number into the published bytes', () => {
    const bytes = Buffer.from(toBinary(TrackingStreamEventSchema, toTrackingStreamEvent(event)));
    for (const value of [NAME, PHONE, '139-1234-5678', '1234-5678']) {
      expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
    }
    expect(event.rawDescription).toBe('Held by customs: [redacted] ([redacted]) must provide ID documents');
  });

  it('wraps the event in the stream message of carrier.tracking.v1', () => {
    const stream = toTrackingStreamEvent(event);
    expect(stream.event.case).toBe('trackingEventRecorded');
    expect(stream.event.value).toBe(event);
  });

  it('sets reasons only for their status and leaves absent facts empty', () => {
    const minimal = toTrackingEventRecorded(
      {
        carrierCode: 'sf-express',
        trackingNumber: 'SF1234567890',
        status: 'exception',
        exceptionReason: 'lost',
        customsHoldReason: 'inspection',
        occurredAt: new Date('2026-11-23T00:00:00Z'),
        rawCode: '',
        rawDescription: '',
      },
      { ...delivery, sourceEventId: '' },
    );
    expect(minimal.status).toBe(carrier.TrackingStatus.EXCEPTION);
    expect(minimal.exceptionReason).toBe(carrier.ExceptionReason.LOST);
    expect(minimal.customsHoldReason).toBe(carrier.CustomsHoldReason.UNSPECIFIED);
    expect(minimal.recipient).toBeUndefined();
    expect(minimal.shipment).toBeUndefined();
    expect(minimal.location).toBeUndefined();
    expect(minimal.customsDeadline).toBeUndefined();
    expect(minimal.estimatedDelivery).toBeUndefined();
  });

  it.each([
    ['info_received', carrier.TrackingStatus.INFO_RECEIVED],
    ['in_transit', carrier.TrackingStatus.IN_TRANSIT],
    ['customs_released', carrier.TrackingStatus.CUSTOMS_RELEASED],
    ['out_for_delivery', carrier.TrackingStatus.OUT_FOR_DELIVERY],
    ['available_for_pickup', carrier.TrackingStatus.AVAILABLE_FOR_PICKUP],
    ['delivered', carrier.TrackingStatus.DELIVERED],
    ['delivery_failed', carrier.TrackingStatus.DELIVERY_FAILED],
    ['expired', carrier.TrackingStatus.EXPIRED],
    ['unknown', carrier.TrackingStatus.UNKNOWN],
  ] as const)('maps status %s', (status, expected) => {
    expect(toTrackingEventRecorded({ ...hold, status }, delivery).status).toBe(expected);
  });

  it('refuses a tracking number that cannot identify a parcel', () => {
    expect(() => toTrackingEventRecorded({ ...hold, trackingNumber: ' - - ' }, delivery)).toThrow(
      InvalidParcelReferenceError,
    );
  });
});
