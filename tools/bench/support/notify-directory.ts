import type { NativeTrackingEvent } from '@portico/testing/platform';

/**
 * The property directory the notify benchmark loads into notification (through its import API, as
 * the demo does): one tenant, `properties` buildings of `unitsPerProperty` units with one resident
 * each, and a steward on duty plus a manager per building. Every name and phone is synthetic and
 * unique to the run.
 */
export interface BenchResident {
  readonly id: string;
  readonly propertyId: string;
  readonly name: string;
  readonly phone: string;
  readonly unitLabel: string;
  readonly postalCode: string;
  readonly addressLine: string;
}

export interface BenchDirectory {
  readonly tenantId: string;
  readonly body: unknown;
  readonly residents: readonly BenchResident[];
}

const SURNAMES = ['李', '王', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛'];

export function benchDirectory(runId: string, properties: number, unitsPerProperty: number): BenchDirectory {
  const tenantId = `ten_bench_${runId}`;
  const residents: BenchResident[] = [];
  const props = [];
  const staff = [];
  for (let p = 0; p < properties; p++) {
    const propertyId = `prop_${runId}_${p}`;
    const address = {
      country: 'CN',
      region: 'Shanghai',
      city: 'Shanghai',
      district: 'Pudong',
      postalCode: '200120',
      addressLine: `${100 + p} Century Avenue, Tower ${p}`,
    };
    const units = [];
    for (let u = 0; u < unitsPerProperty; u++) {
      const n = p * unitsPerProperty + u;
      const label = `${1 + Math.floor(u / 4)}-${String(1 + (u % 4)).padStart(2, '0')}`;
      const resident: BenchResident = {
        id: `res_${runId}_${n}`,
        propertyId,
        // surname + two given characters, unique per resident within a run
        name: `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}${GIVEN[Math.floor(n / (SURNAMES.length * GIVEN.length)) % GIVEN.length]}`,
        phone: `137${String(n).padStart(8, '0')}`,
        unitLabel: label,
        postalCode: address.postalCode,
        addressLine: address.addressLine,
      };
      residents.push(resident);
      units.push({
        id: `unit_${runId}_${n}`,
        label,
        residents: [
          {
            id: resident.id,
            name: resident.name,
            phone: resident.phone,
            language: 'zh',
            preRegisteredTrackingNumbers: [],
          },
        ],
      });
    }
    props.push({ id: propertyId, name: `Bench Tower ${p}`, address, units });
    staff.push(
      {
        id: `stf_steward_${runId}_${p}`,
        name: `Steward ${p}`,
        role: 'steward',
        language: 'zh',
        channel: { kind: 'email', address: `steward-${p}@example.test` },
        propertyIds: [propertyId],
        onDuty: true,
      },
      {
        id: `stf_manager_${runId}_${p}`,
        name: `Manager ${p}`,
        role: 'manager',
        language: 'en',
        channel: { kind: 'email', address: `manager-${p}@example.test` },
        propertyIds: [propertyId],
        onDuty: false,
      },
    );
  }
  if (new Set(residents.map((r) => r.name)).size !== residents.length)
    throw new Error(`directory too large for unique synthetic names (${residents.length} residents)`);
  return {
    tenantId,
    body: { tenant: { id: tenantId, name: `Bench Residences ${runId}` }, properties: props, staff },
    residents,
  };
}

/** An ordinary scan: the parcel moved, nothing for clearance or a steward to do. */
export function inTransitScan(carrier: string, trackingNumber: string, at: Date): NativeTrackingEvent {
  return {
    carrier,
    trackingNumber,
    status: 'in_transit',
    occurredAt: at.toISOString(),
    carrierStatusCode: 'TRANSIT',
    description: 'Departed sorting centre',
    location: { country: 'CN', city: 'Shanghai', description: 'Pudong sorting centre' },
  };
}

/** A customs hold for ID documents addressed to `resident` (address, unit and name match the directory). */
export function customsHoldFor(
  carrier: string,
  trackingNumber: string,
  resident: BenchResident,
  at: Date,
): NativeTrackingEvent {
  return {
    carrier,
    trackingNumber,
    status: 'customs_hold',
    customsHoldReason: 'id_documents_required',
    occurredAt: at.toISOString(),
    customsDeadline: new Date(at.getTime() + 72 * 3_600_000).toISOString(),
    carrierStatusCode: 'CUSTOMS_ID_REQUIRED',
    description: 'Held by customs: recipient identity documents required',
    location: { country: 'CN', city: 'Shanghai', description: 'Pudong International Airport customs' },
    recipient: {
      name: resident.name,
      phone: resident.phone,
      postalCode: resident.postalCode,
      addressLine: resident.addressLine,
      unit: resident.unitLabel,
    },
    shipment: {
      originCountry: 'JP',
      destinationCountry: 'CN',
      declaredValue: { amount: '1280.00', currency: 'CNY' },
      perishable: false,
    },
  };
}
