import {
  decodeCursor,
  encodeCursor,
  toPage,
  trackingEventsQuery,
  type StoredTrackingEvent,
} from './tracking-history';

const parcel = `prc_${'a'.repeat(32)}`;

function stored(seq: number, occurredAt: string, late = false): StoredTrackingEvent {
  return {
    seq: String(seq),
    parcelId: parcel,
    tenantId: 'ten_1',
    carrierCode: 'sf-express',
    status: 'in_transit',
    holdReason: null,
    exceptionReason: null,
    location: {
      countryCode: 'CN',
      region: 'Guangdong',
      city: 'Shenzhen',
      postalCode: '',
      description: 'Hub',
    },
    rawStatusCode: '30',
    rawDescription: 'arrived at hub',
    occurredAt: new Date(occurredAt),
    receivedAt: new Date('2026-12-01T10:00:00Z'),
    late,
  };
}

describe('tracking history paging', () => {
  it('round-trips a cursor and refuses anything it did not make', () => {
    const c = { occurredAt: new Date('2026-12-01T08:00:00.123Z'), seq: '42' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor('bm9wZQ')).toBeUndefined(); // "nope"
    expect(decodeCursor(Buffer.from('2026-12-01T08:00:00.000Z|1|2').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('yesterday|1').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('2026-12-01T08:00:00.000Z|-1').toString('base64url'))).toBeUndefined();
  });

  it('defaults to oldest first, 100 per page, and rejects unknown keys and foreign cursors', () => {
    expect(trackingEventsQuery.parse({})).toEqual({ order: 'asc', limit: 100 });
    expect(trackingEventsQuery.safeParse({ order: 'newest' }).success).toBe(false);
    expect(trackingEventsQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(trackingEventsQuery.safeParse({ limit: '201' }).success).toBe(false);
    expect(trackingEventsQuery.safeParse({ name: 'x' }).success).toBe(false);
    expect(trackingEventsQuery.safeParse({ cursor: 'bm9wZQ' }).success).toBe(false);
  });

  it('answers the limit and a cursor at the last item only when another row was read', () => {
    const q = trackingEventsQuery.parse({ limit: '2' });
    const rows = [
      stored(1, '2026-12-01T01:00:00Z'),
      stored(2, '2026-12-01T02:00:00Z'),
      stored(3, '2026-12-01T03:00:00Z'),
    ];
    const page = toPage(parcel, q, rows);
    expect(page.items.map((i) => i.occurredAt)).toEqual([
      '2026-12-01T01:00:00.000Z',
      '2026-12-01T02:00:00.000Z',
    ]);
    expect(decodeCursor(page.nextCursor!)).toEqual({
      occurredAt: new Date('2026-12-01T02:00:00Z'),
      seq: '2',
    });
    expect(toPage(parcel, q, rows.slice(0, 2)).nextCursor).toBeNull();
  });

  it('shows the carrier status, place, late flag and nothing of the tenant or recipient', () => {
    const [view] = toPage(parcel, trackingEventsQuery.parse({}), [
      stored(7, '2026-12-01T01:00:00Z', true),
    ]).items;
    expect(view).toEqual({
      status: 'in_transit',
      holdReason: null,
      exceptionReason: null,
      location: {
        countryCode: 'CN',
        region: 'Guangdong',
        city: 'Shenzhen',
        postalCode: '',
        description: 'Hub',
      },
      occurredAt: '2026-12-01T01:00:00.000Z',
      receivedAt: '2026-12-01T10:00:00.000Z',
      late: true,
      carrierCode: 'sf-express',
      carrierStatus: { code: '30', description: 'arrived at hub' },
    });
  });
});
