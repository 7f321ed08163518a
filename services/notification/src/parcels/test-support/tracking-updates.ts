// Test support (not loaded by the application): random sequences of tracking updates of one
// parcel with many equal times, late events and hints here and there: the cases in which folding
// a run at once could differ from folding it one update at a time.
import { seededRandom } from '@portico/testing/images';
import type { RecipientHintRecord, TrackingUpdate } from '../parcel-projection';

export const T0 = new Date('2026-11-25T06:00:00Z');
export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** A deterministic PRNG (libs/testing's mulberry32), so a failing seed can be replayed. */
export const prng = seededRandom;

export const hintRecord = (addressLine: string, digest?: Uint8Array): RecipientHintRecord => ({
  countryCode: 'CN',
  region: 'Shanghai',
  city: 'Shanghai',
  district: 'Pudong',
  postalCode: '200120',
  addressLine,
  unit: '12-03',
  nameDigest: digest ? { value: digest, keyId: 'k1' } : null,
  phoneDigest: null,
});

let serial = 0;
/** A UUID-shaped event id (the column is uuid), unique within the process. */
export function eventId(): string {
  serial += 1;
  return `0190a000-0000-7000-8000-${serial.toString(16).padStart(12, '0')}`;
}

const STATUSES = ['info_received', 'in_transit', 'customs_hold', 'customs_released', 'delivered'];

/** `count` updates of one parcel: times out of 4 minutes (ties), ~30 % late, ~40 % with a hint. */
export function randomUpdates(
  random: () => number,
  count: number,
  parcel: { tenantId: string; parcelId: string },
): TrackingUpdate[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  return Array.from({ length: count }, () => {
    const id = eventId();
    return {
      eventId: id,
      tenantId: parcel.tenantId,
      parcelId: parcel.parcelId,
      carrierCode: 'it-express',
      trackingNumber: `IT${parcel.parcelId.slice(-8)}`,
      status: pick(STATUSES),
      occurredAt: at(Math.floor(random() * 4)),
      late: random() < 0.3,
      hint:
        random() < 0.4
          ? hintRecord(`hint ${id}`, random() < 0.5 ? new Uint8Array([1, 2, 3]) : undefined)
          : null,
    };
  });
}
