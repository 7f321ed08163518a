import { create } from '@bufbuild/protobuf';
import { common, recipientDigest } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import { normaliseAddressLine } from '../directory/address';
import type { DirectoryRepository } from '../directory/directory.repository';
import type { PropertyRecord, ResidentRecord } from '../directory/directory.types';
import { DIGEST_KEYS, property, resident } from '../test-support';
import type { ParcelProjection, RecipientHintRecord } from './parcel-projection';
import { RecipientResolver } from './recipient-resolver';

const m = {} as EntityManager;
const name = (value: string) => {
  const d = recipientDigest('name', value, DIGEST_KEYS[0]!);
  return { value: create(common.KeyedDigestSchema, d).value, keyId: d.keyId };
};

// Two tenants, two buildings of ten_1, residents with pre-registrations, served by a fake of the
// directory's one read for resolution.
const TOWER = '88 Century Avenue, Tower A';
const OTHER = '1 Riverside Road';
const properties: PropertyRecord[] = [
  property({ id: 'prop_a', addressLineNorm: normaliseAddressLine(TOWER) }),
  property({ id: 'prop_b', addressLineNorm: normaliseAddressLine(OTHER) }),
  property({ id: 'prop_t2', tenantId: 'ten_2', addressLineNorm: normaliseAddressLine(TOWER) }),
];
const residents: ResidentRecord[] = [
  resident({ id: 'res_li', name: '李伟' }),
  resident({ id: 'res_wang', name: '王芳', unitId: 'unit_0501', unitLabelNorm: '0501' }),
  resident({ id: 'res_zhao', name: '赵磊', propertyId: 'prop_b' }),
  resident({ id: 'res_t2', tenantId: 'ten_2', name: '李伟', propertyId: 'prop_t2' }),
];
const preRegistered: Record<string, string[]> = { prc_pre: ['res_zhao'], prc_two: ['res_li', 'res_wang'] };

function fakeDirectory() {
  const reads: string[] = [];
  const inTenant = (tenantId: string) => residents.filter((r) => r.tenantId === tenantId);
  const directory = {
    resolutionInputs: async (
      _m: EntityManager,
      tenantId: string,
      parcelIds: readonly string[],
      lines: readonly string[],
    ) => {
      reads.push(`resolutionInputs ${tenantId} ${parcelIds.length} parcels ${lines.length} lines`);
      const preRegisteredBy = new Map<string, ResidentRecord[]>();
      for (const id of parcelIds) {
        const found = inTenant(tenantId).filter((r) => preRegistered[id]?.includes(r.id));
        if (found.length > 0) preRegisteredBy.set(id, found);
      }
      const atAddresses = properties.filter(
        (p) => p.tenantId === tenantId && lines.includes(p.addressLineNorm),
      );
      const ids = atAddresses.map((p) => p.id);
      return {
        preRegistered: preRegisteredBy,
        properties: atAddresses,
        residents: residents.filter((r) => ids.includes(r.propertyId)),
      };
    },
  } as unknown as DirectoryRepository;
  return { directory, reads };
}

function parcel(
  tenantId: string,
  parcelId: string,
  hint: Partial<RecipientHintRecord> | null,
): ParcelProjection {
  return {
    tenantId,
    parcelId,
    carrierCode: 'sf-express',
    trackingNumber: `SF${parcelId}`,
    status: 'in_transit',
    statusOccurredAt: new Date('2026-12-03T06:00:00Z'),
    lastEventId: '0193a0c0-0000-7000-8000-000000000001',
    hint: hint && {
      countryCode: 'CN',
      region: '',
      city: 'Shanghai',
      district: '',
      postalCode: '200120',
      addressLine: '',
      unit: '',
      nameDigest: null,
      phoneDigest: null,
      ...hint,
    },
    hintOccurredAt: hint ? new Date('2026-12-03T06:00:00Z') : null,
    resolution: null,
  };
}

describe('RecipientResolver.resolveMany', () => {
  const parcels = [
    parcel('ten_1', 'prc_pre', null), // pre-registered by one resident, no hint
    parcel('ten_1', 'prc_two', { nameDigest: name('李伟') }), // two pre-registered, no address: the digest decides
    parcel('ten_1', 'prc_addr', { addressLine: TOWER, unit: '05-01', nameDigest: name('王芳') }), // address + unit + name
    parcel('ten_1', 'prc_unit', { addressLine: TOWER, unit: '99-99', nameDigest: name('王芳') }), // nobody in that unit
    parcel('ten_1', 'prc_other', { addressLine: OTHER, nameDigest: name('李伟') }), // the other building: no such name
    parcel('ten_1', 'prc_nowhere', { addressLine: '7 Nowhere Lane' }),
    parcel('ten_2', 'prc_t2', { addressLine: TOWER, unit: '12-03', nameDigest: name('李伟') }), // same text, other tenant
    {
      ...parcel('ten_1', 'prc_stored', null),
      resolution: {
        propertyId: 'prop_a',
        unitId: 'unit_1203',
        residentId: 'res_li',
        method: 'address_match' as const,
      },
    },
  ];

  it('resolves a batch as parcel by parcel, with one directory read per tenant', async () => {
    const one = new RecipientResolver(fakeDirectory().directory, { recipientDigestKeys: DIGEST_KEYS });
    const expected = [];
    for (const p of parcels) expected.push(await one.resolve(m, p));
    const { directory, reads } = fakeDirectory();
    const many = new RecipientResolver(directory, { recipientDigestKeys: DIGEST_KEYS });
    expect(await many.resolveMany(m, parcels)).toEqual(expected);
    // the cases above really differ (the spec would pass vacuously on all-unmatched)
    expect(expected.map((r) => (r.kind === 'resolved' ? `${r.method}:${r.residentId}` : r.reason))).toEqual([
      'pre_registered:res_zhao',
      'pre_registered:res_li',
      'address_match:res_wang',
      'no_resident',
      'no_resident',
      'no_property',
      'address_match:res_t2',
      'address_match:res_li',
    ]);
    // the stored resolution reads nothing; the other parcels of each tenant are read together
    expect(reads.sort()).toEqual([
      'resolutionInputs ten_1 6 parcels 4 lines',
      'resolutionInputs ten_2 1 parcels 1 lines',
    ]);
  });
});
