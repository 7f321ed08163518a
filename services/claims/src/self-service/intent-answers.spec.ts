import type { Parcel } from '../parcels/parcel';
import { answerIntent, chinaTime } from './intent-answers';

const base: Parcel = {
  tenantId: 't1',
  parcel: { parcelId: 'prc_1', carrierCode: 'sf-express', trackingNumber: 'SF1' },
  status: 'delivered',
  exceptionReason: null,
  lastScanAt: new Date('2026-11-20T02:30:00Z'),
  lastEventId: 'e1',
  estimatedDelivery: null,
  originCountryCode: 'CN',
  destinationCountryCode: 'CN',
  propertyId: null,
  deliveredAt: new Date('2026-11-20T02:30:00Z'),
  declaredValue: null,
  insuredValue: null,
  insuredSource: null,
  firstSeenAt: new Date('2026-11-18T00:00:00Z'),
  updatedAt: new Date('2026-11-20T02:30:00Z'),
};
const now = new Date('2026-11-22T00:00:00Z');

describe('self-service answers', () => {
  it('shows times in China time', () => {
    expect(chinaTime(new Date('2026-11-20T02:30:00Z'))).toBe('2026-11-20 10:30');
  });

  it('"not received": delivered at X by the carrier, and what happens with the new claim', () => {
    const a = answerIntent('package_not_received', {
      parcel: base,
      noScanFiresAt: null,
      noScanDays: 7,
      claim: { id: 'clm_1', state: 'detected', created: true },
      now,
    });
    expect(a.answer.en).toBe(
      'sf-express reported this parcel delivered at 2026-11-20 10:30. A claim (clm_1) is now open; we check with the desk, locker and neighbours and, if needed, the carrier.',
    );
    expect(a.answer.zh).toContain('2026-11-20 10:30 签收');
    expect(a.nextSteps.zh).toContain('2 小时');
  });

  it('"not received" for a parcel still on its way says so instead', () => {
    const a = answerIntent('package_not_received', {
      parcel: { ...base, status: 'in_transit', deliveredAt: null },
      noScanFiresAt: null,
      noScanDays: 7,
      claim: null,
      now,
    });
    expect(a.answer.en).toContain('has not reported this parcel delivered yet: it is in transit');
  });

  it('"tracking not updating": last scan, and when the no-scan rule fires', () => {
    const a = answerIntent('tracking_not_updating', {
      parcel: { ...base, status: 'in_transit', deliveredAt: null },
      noScanFiresAt: new Date('2026-11-27T02:30:00Z'),
      noScanDays: 7,
      claim: null,
      now,
    });
    expect(a.answer.en).toBe('Last scan by sf-express: 2026-11-20 10:30 (1 day(s) ago), in transit.');
    expect(a.nextSteps.en).toContain('2026-11-27 10:30 (7 days without one)');
    expect(a.nextSteps.zh).toContain('连续 7 天无更新');
  });
});
