import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, parcelRef, recipientDigest } from '@portico/contracts';
import {
  applyTrackingUpdate,
  trackingUpdateOf,
  type RecipientHintRecord,
  type TrackingUpdate,
} from './parcel-projection';

const T0 = new Date('2026-11-25T06:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const hint = (addressLine: string): RecipientHintRecord => ({
  countryCode: '',
  region: '',
  city: '',
  district: '',
  postalCode: '200120',
  addressLine,
  unit: '12-03',
  nameDigest: null,
  phoneDigest: null,
});

function update(overrides: Partial<TrackingUpdate>): TrackingUpdate {
  return {
    eventId: '0190a000-0000-7000-8000-000000000001',
    tenantId: 'ten_1',
    parcelId: 'prc_00000000000000000000000000000001',
    carrierCode: 'sf-express',
    trackingNumber: 'SF1',
    status: 'in_transit',
    occurredAt: T0,
    late: false,
    hint: null,
    ...overrides,
  };
}

describe('parcel projection', () => {
  it('maps a tracking event, keeping digests and the building-level hint', () => {
    const digest = recipientDigest('name', '李伟', { id: 'k1', secret: 'x'.repeat(32) });
    const event = create(carrier.TrackingEventRecordedSchema, {
      parcel: parcelRef('SF-Express', 'sf 1'),
      tenantId: 'ten_1',
      status: carrier.TrackingStatus.CUSTOMS_HOLD,
      occurredAt: timestampFromDate(T0),
      recipient: create(carrier.RecipientHintSchema, {
        postalCode: '200120',
        addressLine: '88 Century Ave',
        nameDigest: digest,
      }),
    });
    const u = trackingUpdateOf(event, { eventId: 'e1', occurredAt: at(5) });
    expect(u).toMatchObject({
      status: 'customs_hold',
      occurredAt: T0,
      carrierCode: 'sf-express',
      trackingNumber: 'SF1',
    });
    expect(u.hint?.nameDigest).toEqual({ value: digest.value, keyId: 'k1' });
    expect(u.hint?.phoneDigest).toBeNull();
    const empty = create(carrier.TrackingEventRecordedSchema, {
      recipient: create(carrier.RecipientHintSchema, { nameDigest: create(common.KeyedDigestSchema, {}) }),
    });
    expect(trackingUpdateOf(empty, { eventId: 'e2', occurredAt: T0 }).hint).toBeNull();
  });

  it('starts from the first event it sees', () => {
    const p = applyTrackingUpdate(undefined, update({ hint: hint('a') }));
    expect(p).toMatchObject({
      status: 'in_transit',
      statusOccurredAt: T0,
      hintOccurredAt: T0,
      resolution: null,
    });
  });

  it('never moves the status back for an older or late event', () => {
    const p = applyTrackingUpdate(undefined, update({ status: 'customs_hold', occurredAt: at(10) }));
    const older = applyTrackingUpdate(
      p,
      update({ status: 'in_transit', occurredAt: at(5), eventId: 'e-old' }),
    );
    expect(older).toMatchObject({ status: 'customs_hold', statusOccurredAt: at(10) });
    const late = applyTrackingUpdate(p, update({ status: 'in_transit', occurredAt: at(20), late: true }));
    expect(late.status).toBe('customs_hold');
    const newer = applyTrackingUpdate(
      p,
      update({ status: 'customs_released', occurredAt: at(30), eventId: 'e-new' }),
    );
    expect(newer).toMatchObject({
      status: 'customs_released',
      statusOccurredAt: at(30),
      lastEventId: 'e-new',
    });
  });

  it('keeps the latest hint that carried data, also from an older event when there was none', () => {
    const noHint = applyTrackingUpdate(undefined, update({ occurredAt: at(10) }));
    const fromOlder = applyTrackingUpdate(noHint, update({ occurredAt: at(5), hint: hint('old') }));
    expect(fromOlder.hint?.addressLine).toBe('old');
    expect(fromOlder.status).toBe('in_transit');
    const withoutHint = applyTrackingUpdate(fromOlder, update({ occurredAt: at(20) }));
    expect(withoutHint.hint?.addressLine).toBe('old');
    const newerHint = applyTrackingUpdate(withoutHint, update({ occurredAt: at(30), hint: hint('new') }));
    expect(newerHint.hint?.addressLine).toBe('new');
    const olderHint = applyTrackingUpdate(newerHint, update({ occurredAt: at(1), hint: hint('older') }));
    expect(olderHint.hint?.addressLine).toBe('new');
  });
});
