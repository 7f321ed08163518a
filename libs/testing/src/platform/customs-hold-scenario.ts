import { randomBytes } from 'node:crypto';
import type { NativeTrackingEvent } from './native-webhook';

/**
 * The data for one parcel walking through a customs hold: a tenant with one property, a steward on
 * duty, a resident who is the parcel's recipient, and the carrier's tracking updates. Every id and
 * every piece of personal data is unique per run, so the personal-data scans of a test can look for
 * exactly these values in everything the platform emitted.
 */
export interface CustomsHoldScenario {
  runId: string;
  tenantId: string;
  propertyId: string;
  unitId: string;
  stewardId: string;
  managerId: string;
  resident: { id: string; name: string; phone: string; email: string };
  carrierCode: string;
  trackingNumber: string;
  directory: unknown;
  /** Personal data seeded by the scenario: none of it may appear outside the service that owns it. */
  /** What the resident types at upload; exists only inside id-vault (sealed). */
  residentIdNumber: string;
  personalData: string[];
  customsHold(at?: Date): NativeTrackingEvent;
  released(at?: Date): NativeTrackingEvent;
}

const SURNAMES = ['李', '王', '张', '刘', '陈', '杨', '赵', '黄'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳'];

export interface ScenarioOptions {
  /**
   * The property's policy: 'direct' lets notification e-mail the resident (who consented to e-mail)
   * the one-time upload link itself; 'steward_only' (the default) leaves contacting to the steward.
   */
  readonly residentOutreach?: 'direct' | 'steward_only';
}

export function customsHoldScenario(
  runId: string = randomBytes(4).toString('hex'),
  options: ScenarioOptions = {},
): CustomsHoldScenario {
  const n = parseInt(runId.slice(0, 6), 16) || 1;
  const tenantId = `ten_demo_${runId}`;
  const propertyId = `prop_${runId}`;
  const unitId = `unit_${runId}`;
  const stewardId = `stf_steward_${runId}`;
  const managerId = `stf_manager_${runId}`;
  // A name and a mobile number no test fixture elsewhere uses, so a scan cannot match by accident.
  const residentName = `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n >> 3) % GIVEN.length]}${GIVEN[(n >> 7) % GIVEN.length]}`;
  const residentPhone = `139${String(n % 100_000_000).padStart(8, '0')}`;
  const residentEmail = `resident-${runId}@example.test`;
  // A made-up resident ID number (Beijing Chaoyang region, born 1985-1999), valid per GB 11643.
  const residentIdNumber = syntheticResidentIdNumber(n);
  const carrierCode = 'demo-express';
  const trackingNumber = `PX${runId.toUpperCase()}CN`;
  const address = {
    country: 'CN',
    region: 'Shanghai',
    city: 'Shanghai',
    district: 'Pudong',
    postalCode: '200120',
    addressLine: '88 Century Avenue, Tower A',
  };
  const directory = {
    tenant: { id: tenantId, name: `Harbour Residences ${runId}` },
    properties: [
      {
        id: propertyId,
        name: `Harbour Tower A ${runId}`,
        address,
        residentOutreach: options.residentOutreach ?? 'steward_only',
        units: [
          {
            id: unitId,
            label: '12-03',
            residents: [
              {
                id: `res_${runId}`,
                name: residentName,
                phone: residentPhone,
                email: residentEmail,
                consent: { email: true },
                language: 'zh',
                preRegisteredTrackingNumbers: [],
              },
            ],
          },
        ],
      },
    ],
    staff: [
      {
        id: stewardId,
        name: `Steward ${runId}`,
        role: 'steward',
        language: 'zh',
        channel: { kind: 'email', address: `steward-${runId}@example.test` },
        propertyIds: [propertyId],
        onDuty: true,
      },
      {
        id: managerId,
        name: `Manager ${runId}`,
        role: 'manager',
        language: 'en',
        channel: { kind: 'email', address: `manager-${runId}@example.test` },
        propertyIds: [propertyId],
        onDuty: false,
      },
    ],
  };
  const base = (status: string, at: Date): NativeTrackingEvent => ({
    carrier: carrierCode,
    trackingNumber,
    status,
    occurredAt: at.toISOString(),
    location: { country: 'CN', city: 'Shanghai', description: 'Pudong International Airport customs' },
    recipient: {
      name: residentName,
      phone: residentPhone,
      postalCode: address.postalCode,
      addressLine: address.addressLine,
      unit: '12-03',
    },
    shipment: {
      originCountry: 'JP',
      destinationCountry: 'CN',
      declaredValue: { amount: '1280.00', currency: 'CNY' },
      perishable: false,
    },
  });
  return {
    runId,
    tenantId,
    propertyId,
    unitId,
    stewardId,
    managerId,
    resident: { id: `res_${runId}`, name: residentName, phone: residentPhone, email: residentEmail },
    carrierCode,
    trackingNumber,
    directory,
    residentIdNumber,
    personalData: [residentName, residentPhone, residentEmail, residentIdNumber],
    customsHold: (at = new Date()) => ({
      ...base('customs_hold', at),
      customsHoldReason: 'id_documents_required',
      carrierStatusCode: 'CUSTOMS_ID_REQUIRED',
      description: 'Held by customs: recipient identity documents required',
      customsDeadline: new Date(at.getTime() + 72 * 3600_000).toISOString(),
    }),
    released: (at = new Date()) => ({
      ...base('customs_released', at),
      carrierStatusCode: 'CUSTOMS_RELEASED',
      description: 'Released by customs',
    }),
  };
}

const GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/**
 * An 18-character resident ID number that passes GB 11643 (ISO 7064 MOD 11-2), for tests and the
 * demo. Written here independently of id-vault's checker, so the two cross-check each other.
 */
export function syntheticResidentIdNumber(seed: number): string {
  const year = 1985 + (seed % 15);
  const month = String(1 + (seed % 12)).padStart(2, '0');
  const day = String(1 + (seed % 28)).padStart(2, '0');
  const serial = String(100 + (seed % 900));
  const first17 = `110105${year}${month}${day}${serial}`;
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * GB11643_WEIGHTS[i]!, 0);
  return first17 + '10X98765432'[sum % 11];
}
