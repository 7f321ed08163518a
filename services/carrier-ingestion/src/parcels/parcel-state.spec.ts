import { applyScans, unseenParcel, type ParcelScan } from './parcel-state';

const at = (iso: string) => new Date(iso);
const scan = (status: ParcelScan['status'], occurredAt: string): ParcelScan => ({
  parcelId: 'prc_0123456789abcdef0123456789abcdef',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1',
  status,
  occurredAt: at(occurredAt),
});
const seen = at('2026-12-01T10:00:00Z');

describe('applyScans (parcel projection rule)', () => {
  it('takes the first update of a parcel never seen, and keeps when Portico first heard of it', () => {
    const { state, late } = applyScans(unseenParcel(scan('in_transit', '2026-12-01T09:00:00Z'), seen), [
      scan('in_transit', '2026-12-01T09:00:00Z'),
    ]);
    expect(late).toEqual([false]);
    expect(state).toMatchObject({
      status: 'in_transit',
      statusOccurredAt: at('2026-12-01T09:00:00Z'),
      firstSeenAt: seen,
      lastScanAt: at('2026-12-01T09:00:00Z'),
      updates: 1,
      lateUpdates: 0,
    });
  });

  it('never lets an older update move the status backwards, and marks it late', () => {
    const start = unseenParcel(scan('delivered', '2026-12-03T09:00:00Z'), seen);
    const { state, late } = applyScans(start, [
      scan('delivered', '2026-12-03T09:00:00Z'),
      scan('in_transit', '2026-12-02T09:00:00Z'), // arrives after the delivery, happened before it
      scan('out_for_delivery', '2026-12-03T08:00:00Z'),
    ]);
    expect(late).toEqual([false, true, true]);
    expect(state).toMatchObject({ status: 'delivered', updates: 3, lateUpdates: 2 });
    expect(state.lastScanAt).toEqual(at('2026-12-03T09:00:00Z'));
  });

  it('moves forward with newer updates and lets the newer arrival win a tie', () => {
    const start = unseenParcel(scan('in_transit', '2026-12-01T09:00:00Z'), seen);
    const once = applyScans(start, [scan('customs_hold', '2026-12-01T09:00:00Z')]).state;
    const { state, late } = applyScans(once, [
      scan('customs_released', '2026-12-01T09:00:00Z'),
      scan('out_for_delivery', '2026-12-02T09:00:00Z'),
    ]);
    expect(late).toEqual([false, false]);
    expect(state).toMatchObject({ status: 'out_for_delivery', statusOccurredAt: at('2026-12-02T09:00:00Z') });
  });

  it('keeps the latest scan time even when the newest arrival is late', () => {
    const start = applyScans(unseenParcel(scan('in_transit', '2026-12-05T00:00:00Z'), seen), [
      scan('in_transit', '2026-12-05T00:00:00Z'),
    ]).state;
    const { state } = applyScans(start, [scan('in_transit', '2026-12-04T00:00:00Z')]);
    expect(state.lastScanAt).toEqual(at('2026-12-05T00:00:00Z'));
  });
});
