import { project } from './parcel-projection';
import type { TrackingObservation } from './tracking-observation';

const now = new Date('2026-11-10T00:00:00Z');
const obs = (over: Partial<TrackingObservation> = {}): TrackingObservation => ({
  eventId: 'e1',
  tenantId: 't1',
  parcel: { parcelId: 'prc_1', carrierCode: 'dhl', trackingNumber: 'D1' },
  status: 'in_transit',
  exceptionReason: null,
  occurredAt: new Date('2026-11-05T00:00:00Z'),
  late: false,
  estimatedDelivery: '2026-11-12',
  originCountryCode: 'JP',
  destinationCountryCode: 'CN',
  declaredValue: { currencyCode: 'CNY', amountMinor: 100n },
  insuredValue: null,
  location: '',
  rawStatusCode: 'X',
  ...over,
});

describe('parcel projection', () => {
  it('starts a parcel from its first event', () => {
    const { next, advanced } = project(undefined, obs(), now);
    expect(advanced).toBe(true);
    expect(next).toMatchObject({
      status: 'in_transit',
      estimatedDelivery: '2026-11-12',
      originCountryCode: 'JP',
      firstSeenAt: now,
    });
  });

  it('moves only on newer, non-late events, and keeps the estimate when a newer event has none', () => {
    const { next: first } = project(undefined, obs(), now);
    const older = project(
      first,
      obs({ eventId: 'e0', status: 'info_received', occurredAt: new Date('2026-11-01T00:00:00Z') }),
      now,
    );
    expect(older.advanced).toBe(false);
    expect(older.next.status).toBe('in_transit');
    const late = project(
      first,
      obs({
        eventId: 'e9',
        status: 'info_received',
        occurredAt: new Date('2026-11-09T00:00:00Z'),
        late: true,
      }),
      now,
    );
    expect(late.advanced).toBe(false);
    const delivered = project(
      first,
      obs({
        eventId: 'e2',
        status: 'delivered',
        estimatedDelivery: null,
        occurredAt: new Date('2026-11-08T00:00:00Z'),
      }),
      now,
    );
    expect(delivered.advanced).toBe(true);
    expect(delivered.next).toMatchObject({
      status: 'delivered',
      estimatedDelivery: '2026-11-12',
      lastEventId: 'e2',
    });
    expect(delivered.next.deliveredAt?.toISOString()).toBe('2026-11-08T00:00:00.000Z');
  });

  it("never overwrites insurance set through the API with the carrier's", () => {
    const { next: first } = project(undefined, obs(), now);
    const viaApi = {
      ...first,
      insuredValue: { currencyCode: 'CNY', amountMinor: 5000n },
      insuredSource: 'api' as const,
    };
    const after = project(
      viaApi,
      obs({
        eventId: 'e3',
        occurredAt: new Date('2026-11-06T00:00:00Z'),
        insuredValue: { currencyCode: 'CNY', amountMinor: 1n },
      }),
      now,
    );
    expect(after.next.insuredValue).toEqual({ currencyCode: 'CNY', amountMinor: 5000n });
    const carrierOnly = project(
      first,
      obs({
        eventId: 'e4',
        occurredAt: new Date('2026-11-06T00:00:00Z'),
        insuredValue: { currencyCode: 'CNY', amountMinor: 7n },
      }),
      now,
    );
    expect(carrierOnly.next).toMatchObject({
      insuredValue: { currencyCode: 'CNY', amountMinor: 7n },
      insuredSource: 'carrier',
    });
  });
});
