import type { Parcel } from '../parcels/parcel';
import type { TrackingObservation } from '../parcels/tracking-observation';
import { defaultSettings } from '../settings/claim-settings';
import {
  carrierExceptionDetection,
  noScanDetection,
  noScanDueAt,
  pastEstimatedDeliveryDueAt,
  showsParcelFound,
  timeRuleVerdict,
} from './detection-rules';

const DAY = 86_400_000;
const settings = defaultSettings({
  lostParcelStallDays: 7,
  lostParcelStallDaysInternational: 20,
  pastEstimatedDeliveryHours: 48,
});
const lastScan = new Date('2026-11-01T10:00:00Z');

const parcel = (over: Partial<Parcel> = {}): Parcel => ({
  tenantId: 't1',
  parcel: { parcelId: 'prc_1', carrierCode: 'sf-express', trackingNumber: 'SF1' },
  status: 'in_transit',
  exceptionReason: null,
  lastScanAt: lastScan,
  lastEventId: 'e1',
  estimatedDelivery: null,
  originCountryCode: 'CN',
  destinationCountryCode: 'CN',
  propertyId: null,
  deliveredAt: null,
  declaredValue: null,
  insuredValue: null,
  insuredSource: null,
  firstSeenAt: lastScan,
  updatedAt: lastScan,
  ...over,
});

const obs = (over: Partial<TrackingObservation> = {}): TrackingObservation => ({
  eventId: 'e2',
  tenantId: 't1',
  parcel: parcel().parcel,
  status: 'in_transit',
  exceptionReason: null,
  occurredAt: new Date('2026-11-03T00:00:00Z'),
  late: false,
  estimatedDelivery: null,
  originCountryCode: null,
  destinationCountryCode: null,
  declaredValue: null,
  insuredValue: null,
  location: '',
  rawStatusCode: 'X',
  ...over,
});

describe('no scan for N days', () => {
  it('counts 7 days domestic and 20 days international from the last scan', () => {
    expect(noScanDueAt(parcel(), settings)!.getTime()).toBe(lastScan.getTime() + 7 * DAY);
    expect(noScanDueAt(parcel({ originCountryCode: 'JP' }), settings)!.getTime()).toBe(
      lastScan.getTime() + 20 * DAY,
    );
    // unknown origin: the shorter, domestic threshold
    expect(noScanDueAt(parcel({ originCountryCode: null }), settings)!.getTime()).toBe(
      lastScan.getTime() + 7 * DAY,
    );
  });

  it('does not count for parcels at rest, carrier-claimed exceptions, or a tenant that switched it off', () => {
    expect(noScanDueAt(parcel({ status: 'delivered' }), settings)).toBeNull();
    expect(noScanDueAt(parcel({ status: 'available_for_pickup' }), settings)).toBeNull();
    expect(noScanDueAt(parcel({ status: 'exception', exceptionReason: 'lost' }), settings)).toBeNull();
    expect(
      noScanDueAt(parcel({ status: 'exception', exceptionReason: 'address_issue' }), settings),
    ).not.toBeNull();
    const off = {
      ...settings,
      detection: { ...settings.detection, noScan: { ...settings.detection.noScan, enabled: false } },
    };
    expect(noScanDueAt(parcel(), off)).toBeNull();
  });

  it('keys the incident by the last scan, so a later stall is a new incident', () => {
    expect(noScanDetection(parcel(), settings)).toEqual({
      reason: 'no_scan',
      ruleId: 'no_scan:domestic:7d',
      incidentKey: `no_scan:${lastScan.toISOString()}`,
    });
  });
});

describe('past the estimated delivery date', () => {
  it('fires 48 h after the end of the estimated day in China time', () => {
    // end of 2026-11-05 in UTC+8 = 2026-11-05T16:00Z; + 48 h
    expect(
      pastEstimatedDeliveryDueAt(parcel({ estimatedDelivery: '2026-11-05' }), settings)!.toISOString(),
    ).toBe('2026-11-07T16:00:00.000Z');
    expect(pastEstimatedDeliveryDueAt(parcel(), settings)).toBeNull();
    expect(
      pastEstimatedDeliveryDueAt(parcel({ estimatedDelivery: '2026-11-05', status: 'delivered' }), settings),
    ).toBeNull();
  });
});

describe('carrier exceptions', () => {
  it.each([
    ['lost', 'carrier_lost'],
    ['damaged', 'carrier_damaged'],
    ['returned_to_sender', 'carrier_returned'],
  ] as const)('%s opens %s, keyed by the scan time', (reason, claimReason) => {
    const o = obs({ status: 'exception', exceptionReason: reason });
    expect(carrierExceptionDetection(o, settings)).toEqual({
      reason: claimReason,
      ruleId: `carrier_exception:${reason}`,
      incidentKey: `${claimReason}:${o.occurredAt.toISOString()}`,
    });
  });

  it('ignores other exceptions, late events and switched-off rules', () => {
    expect(
      carrierExceptionDetection(obs({ status: 'exception', exceptionReason: 'address_issue' }), settings),
    ).toBeNull();
    expect(
      carrierExceptionDetection(obs({ status: 'exception', exceptionReason: 'lost', late: true }), settings),
    ).toBeNull();
    const off = {
      ...settings,
      detection: { ...settings.detection, carrierException: { lost: false, damaged: true, returned: true } },
    };
    expect(carrierExceptionDetection(obs({ status: 'exception', exceptionReason: 'lost' }), off)).toBeNull();
  });
});

describe('found by a newer scan', () => {
  it('closes stalled and carrier-lost claims on any moving scan, past-EDD only on delivery', () => {
    expect(showsParcelFound('no_scan', obs())).toBe(true);
    expect(showsParcelFound('carrier_lost', obs({ status: 'out_for_delivery' }))).toBe(true);
    expect(showsParcelFound('no_scan', obs({ status: 'exception', exceptionReason: 'lost' }))).toBe(false);
    expect(showsParcelFound('no_scan', obs({ late: true }))).toBe(false);
    expect(showsParcelFound('past_estimated_delivery', obs())).toBe(false);
    expect(showsParcelFound('past_estimated_delivery', obs({ status: 'delivered' }))).toBe(true);
  });

  it('never closes what the carrier cannot disprove', () => {
    for (const reason of [
      'not_received',
      'damaged_on_arrival',
      'carrier_damaged',
      'carrier_returned',
    ] as const) {
      expect(showsParcelFound(reason, obs({ status: 'delivered' }))).toBe(false);
    }
  });
});

describe('boundary times: a due timer opens at the due instant, not a millisecond before', () => {
  const noScan = (p: Parcel) => noScanDueAt(p, settings);
  const pastEdd = (p: Parcel) => pastEstimatedDeliveryDueAt(p, settings);
  const armed = lastScan.toISOString();
  const ms = (iso: string, delta = 0) => new Date(new Date(iso).getTime() + delta);

  it.each([
    ['domestic, 7 days', parcel(), 7],
    ['international, 20 days', parcel({ originCountryCode: 'JP' }), 20],
    ['unknown origin counts as domestic, 7 days', parcel({ originCountryCode: null }), 7],
  ] as const)('no scan, %s after the last scan', (_name, p, days) => {
    const due = lastScan.getTime() + days * DAY;
    expect(timeRuleVerdict(p, armed, noScan, new Date(due - 1))).toBe('rearm');
    expect(timeRuleVerdict(p, armed, noScan, new Date(due))).toBe('open');
    expect(timeRuleVerdict(p, armed, noScan, new Date(due + 1))).toBe('open');
  });

  it('no scan: a tenant that raised the threshold after arming re-arms at the new instant', () => {
    const raised = defaultSettings({
      lostParcelStallDays: 10,
      lostParcelStallDaysInternational: 20,
      pastEstimatedDeliveryHours: 48,
    });
    const at7 = new Date(lastScan.getTime() + 7 * DAY);
    expect(timeRuleVerdict(parcel(), armed, (p) => noScanDueAt(p, raised), at7)).toBe('rearm');
    expect(
      timeRuleVerdict(
        parcel(),
        armed,
        (p) => noScanDueAt(p, raised),
        new Date(lastScan.getTime() + 10 * DAY),
      ),
    ).toBe('open');
  });

  it('past EDD: 48 h after the end of the estimated day in UTC+8 (23:59:59.999 local is still that day)', () => {
    const p = parcel({ estimatedDelivery: '2026-11-05' });
    // end of 2026-11-05 in China = 2026-11-05T16:00Z; + 48 h = 2026-11-07T16:00Z
    expect(timeRuleVerdict(p, armed, pastEdd, ms('2026-11-07T16:00:00Z', -1))).toBe('rearm');
    expect(timeRuleVerdict(p, armed, pastEdd, ms('2026-11-07T16:00:00Z'))).toBe('open');
    // the same instant is not due for an estimate one day later
    expect(
      timeRuleVerdict(
        parcel({ estimatedDelivery: '2026-11-06' }),
        armed,
        pastEdd,
        ms('2026-11-07T16:00:00Z'),
      ),
    ).toBe('rearm');
    const h24 = defaultSettings({
      lostParcelStallDays: 7,
      lostParcelStallDaysInternational: 20,
      pastEstimatedDeliveryHours: 24,
    });
    expect(
      timeRuleVerdict(p, armed, (q) => pastEstimatedDeliveryDueAt(q, h24), ms('2026-11-06T16:00:00Z')),
    ).toBe('open');
  });

  it('is moot once the parcel scanned again (even 1 ms later), came to rest, or is gone', () => {
    const due = new Date(lastScan.getTime() + 30 * DAY);
    expect(
      timeRuleVerdict(parcel({ lastScanAt: new Date(lastScan.getTime() + 1) }), armed, noScan, due),
    ).toBe('moot');
    expect(timeRuleVerdict(parcel({ status: 'delivered' }), armed, noScan, due)).toBe('moot');
    expect(
      timeRuleVerdict(
        parcel({ status: 'available_for_pickup', estimatedDelivery: '2026-11-05' }),
        armed,
        pastEdd,
        due,
      ),
    ).toBe('moot');
    expect(timeRuleVerdict(undefined, armed, noScan, due)).toBe('moot');
  });

  it('carrier exceptions have no waiting time: the scan itself opens, late events never do', () => {
    const at = new Date('2026-11-03T00:00:00Z');
    expect(
      carrierExceptionDetection(
        obs({ status: 'exception', exceptionReason: 'lost', occurredAt: at }),
        settings,
      )?.incidentKey,
    ).toBe(`carrier_lost:${at.toISOString()}`);
    expect(
      carrierExceptionDetection(
        obs({ status: 'exception', exceptionReason: 'lost', occurredAt: at, late: true }),
        settings,
      ),
    ).toBeNull();
  });
});
