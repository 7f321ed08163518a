import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, parcelRef, recipientDigest } from '@portico/contracts';
import {
  applyTrackingUpdate,
  foldTrackingRuns,
  mergeTrackingRun,
  trackingUpdateOf,
  type ParcelProjection,
  type RecipientHintRecord,
  type TrackingUpdate,
} from './parcel-projection';
import { prng, randomUpdates } from './test-support/tracking-updates';

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

describe('tracking runs (a chunk folded at once)', () => {
  const parcel = { tenantId: 'ten_1', parcelId: 'prc_00000000000000000000000000000001' };
  const oneByOne = (existing: ParcelProjection | undefined, updates: readonly TrackingUpdate[]) =>
    updates.reduce<ParcelProjection | undefined>((p, u) => applyTrackingUpdate(p, u), existing);

  it('ends where folding the updates one by one ends, for stored and unknown parcels (2,000 random runs)', () => {
    const random = prng(7);
    for (let n = 0; n < 2_000; n += 1) {
      const [first, ...rest] = randomUpdates(random, 1 + Math.floor(random() * 6), parcel);
      // a stored row (built from an update of its own, resolved half the time) or none
      const stored =
        random() < 0.75
          ? {
              ...applyTrackingUpdate(undefined, randomUpdates(random, 1, parcel)[0]!),
              resolution:
                random() < 0.5
                  ? { propertyId: 'p', unitId: 'u', residentId: 'r', method: 'address_match' as const }
                  : null,
            }
          : undefined;
      const updates = [first!, ...rest];
      const [run] = foldTrackingRuns(updates);
      expect(mergeTrackingRun(stored, run!)).toEqual(oneByOne(stored, updates));
      // the statement uses the insert's hint columns for the update too
      expect(run!.insert.hint).toEqual(run!.hint?.hint ?? null);
      expect(run!.insert.hintOccurredAt).toEqual(run!.hint?.occurredAt ?? null);
    }
  });

  it('keeps a stored newer status against a chunk of older and late scans', () => {
    const stored = applyTrackingUpdate(undefined, update({ status: 'customs_hold', occurredAt: at(10) }));
    const [run] = foldTrackingRuns([
      update({ status: 'delivered', occurredAt: at(30), late: true }),
      update({ status: 'in_transit', occurredAt: at(5) }),
    ]);
    expect(run!.status?.status).toBe('in_transit');
    expect(mergeTrackingRun(stored, run!)).toMatchObject({
      status: 'customs_hold',
      statusOccurredAt: at(10),
    });
    // a parcel first seen through a late scan still starts from it (as one by one)
    expect(run!.insert).toMatchObject({ status: 'delivered', statusOccurredAt: at(30) });
  });

  it('groups per tenant and parcel in order of first appearance and skips unkeyed updates', () => {
    const a = update({ parcelId: 'prc_a', eventId: 'a1' });
    const b = update({ parcelId: 'prc_b', eventId: 'b1' });
    const otherTenant = update({ tenantId: 'ten_2', parcelId: 'prc_a', eventId: 'a2' });
    const a3 = update({ parcelId: 'prc_a', eventId: 'a3', occurredAt: at(1) });
    const runs = foldTrackingRuns([
      a,
      b,
      update({ parcelId: '' }),
      otherTenant,
      a3,
      update({ tenantId: '' }),
    ]);
    expect(runs.map((r) => [r.tenantId, r.parcelId, r.insert.lastEventId])).toEqual([
      ['ten_1', 'prc_a', 'a3'],
      ['ten_1', 'prc_b', 'b1'],
      ['ten_2', 'prc_a', 'a2'],
    ]);
  });

  it('makes a duplicate update within the chunk change nothing', () => {
    const u = update({ status: 'customs_hold', occurredAt: at(3), hint: hint('x') });
    expect(foldTrackingRuns([u, u])).toEqual(foldTrackingRuns([u]));
  });
});
