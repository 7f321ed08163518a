import { create } from '@bufbuild/protobuf';
import { common, matchesRecipientDigest, recipientDigest } from '@portico/contracts';
import { DIGEST_KEYS, property, resident } from '../test-support';
import type { RecipientHintRecord } from './parcel-projection';
import { resolveRecipient, type DigestMatcher, type ResolutionInput } from './recipient-resolution';

const matches: DigestMatcher = (digest, field, value) =>
  matchesRecipientDigest(create(common.KeyedDigestSchema, digest), field, value, DIGEST_KEYS);

// carrier-ingestion digests with the newest key; notification still verifies older ones.
const nameDigest = (name: string, key = DIGEST_KEYS[0]!) => {
  const d = recipientDigest('name', name, key);
  return { value: d.value, keyId: d.keyId };
};
const phoneDigest = (phone: string) => {
  const d = recipientDigest('phone', phone, DIGEST_KEYS[0]!);
  return { value: d.value, keyId: d.keyId };
};

function hint(overrides: Partial<RecipientHintRecord> = {}): RecipientHintRecord {
  return {
    countryCode: '',
    region: '',
    city: '',
    district: '',
    postalCode: '200 120',
    addressLine: '88 Century Avenue, Tower A',
    unit: '12-03',
    nameDigest: nameDigest('李 伟'),
    phoneDigest: null,
    ...overrides,
  };
}

const liWei = resident();
const neighbour = resident({ id: 'res_2', name: '王芳', phone: '13800000002' });
const otherUnit = resident({
  id: 'res_3',
  unitId: 'unit_1204',
  unitLabelNorm: '1204',
  name: '李伟',
  phone: '13800000003',
});

function input(overrides: Partial<ResolutionInput> = {}): ResolutionInput {
  return {
    hint: hint(),
    preRegistered: [],
    propertiesAtAddress: [property()],
    residents: [liWei, neighbour, otherUnit],
    ...overrides,
  };
}

describe('resolveRecipient', () => {
  it('matches address, unit and name digest to exactly one resident', () => {
    expect(resolveRecipient(input(), matches)).toEqual({
      kind: 'resolved',
      method: 'address_match',
      propertyId: 'prop_a',
      unitId: 'unit_1203',
      residentId: 'res_1',
      addressRule: 'exact',
    });
  });

  it('verifies digests made with an older key while keys rotate', () => {
    const old = input({ hint: hint({ nameDigest: nameDigest('李伟', DIGEST_KEYS[1]) }) });
    expect(resolveRecipient(old, matches)).toMatchObject({ kind: 'resolved', residentId: 'res_1' });
    const unknownKey = input({ hint: hint({ nameDigest: { ...nameDigest('李伟'), keyId: 'k9' } }) });
    expect(resolveRecipient(unknownKey, matches)).toEqual({
      kind: 'unmatched',
      reason: 'no_resident',
      propertyId: 'prop_a',
      addressRule: 'exact',
    });
  });

  it('prefers a single pre-registration over everything else', () => {
    const r = resolveRecipient(input({ preRegistered: [neighbour], hint: null }), matches);
    expect(r).toEqual({
      kind: 'resolved',
      method: 'pre_registered',
      propertyId: 'prop_a',
      unitId: 'unit_1203',
      residentId: 'res_2',
      addressRule: null,
    });
  });

  it('lets the digests pick among several pre-registrations, else falls back to the address', () => {
    const two = [neighbour, otherUnit];
    const r = resolveRecipient(input({ preRegistered: two, propertiesAtAddress: [] }), matches);
    expect(r).toMatchObject({ kind: 'resolved', method: 'pre_registered', residentId: 'res_3' });
    const viaAddress = resolveRecipient(input({ preRegistered: two }), matches);
    expect(viaAddress).toMatchObject({ kind: 'resolved', method: 'address_match', residentId: 'res_1' });
  });

  it('is unmatched without a building-level address, or when no property is there', () => {
    expect(resolveRecipient(input({ hint: null }), matches)).toEqual({
      kind: 'unmatched',
      reason: 'no_address',
      propertyId: null,
      addressRule: null,
    });
    expect(resolveRecipient(input({ hint: hint({ postalCode: '', city: '' }) }), matches)).toMatchObject({
      reason: 'no_address',
    });
    expect(resolveRecipient(input({ propertiesAtAddress: [] }), matches)).toMatchObject({
      reason: 'no_property',
    });
  });

  it('rules a property out when country, city or postal code is present and different', () => {
    expect(resolveRecipient(input({ hint: hint({ postalCode: '200121' }) }), matches)).toMatchObject({
      reason: 'no_property',
    });
    expect(resolveRecipient(input({ hint: hint({ countryCode: 'HK' }) }), matches)).toMatchObject({
      reason: 'no_property',
    });
    expect(resolveRecipient(input({ hint: hint({ city: 'Beijing' }) }), matches)).toMatchObject({
      reason: 'no_property',
    });
    expect(resolveRecipient(input({ hint: hint({ city: '上饶市' }) }), matches)).toMatchObject({
      reason: 'no_property',
    });
    expect(
      resolveRecipient(input({ hint: hint({ addressLine: '89 Century Avenue, Tower A' }) }), matches),
    ).toMatchObject({
      reason: 'no_property',
    });
  });

  it("matches a city the carrier spells in Chinese to the directory's English one, and says so", () => {
    // the directory spells it "Shanghai"
    const zhCity = input({
      hint: hint({ countryCode: 'cn', region: '上海', city: '上海市', district: '浦东新区' }),
    });
    expect(resolveRecipient(zhCity, matches)).toMatchObject({ kind: 'resolved', addressRule: 'alias' });
    const sameSpelling = input({ hint: hint({ city: 'Shanghai City' }) });
    expect(resolveRecipient(sameSpelling, matches)).toMatchObject({ kind: 'resolved', addressRule: 'exact' });
    const noResident = input({ hint: hint({ city: '上海', nameDigest: nameDigest('赵强') }) });
    expect(resolveRecipient(noResident, matches)).toEqual({
      kind: 'unmatched',
      reason: 'no_resident',
      propertyId: 'prop_a',
      addressRule: 'alias',
    });
  });

  it('is ambiguous when two properties of the tenant share the address', () => {
    const twins = input({ propertiesAtAddress: [property(), property({ id: 'prop_b' })] });
    expect(resolveRecipient(twins, matches)).toEqual({
      kind: 'unmatched',
      reason: 'ambiguous_property',
      propertyId: null,
      addressRule: null,
    });
  });

  it('never prefers an exact match to an alias one: two candidates are ambiguous', () => {
    const zh = property({ id: 'prop_zh', region: '上海市', city: '上海市', district: '浦东新区' });
    const both = input({ hint: hint({ city: 'Shanghai' }), propertiesAtAddress: [property(), zh] });
    expect(resolveRecipient(both, matches)).toMatchObject({
      kind: 'unmatched',
      reason: 'ambiguous_property',
    });
    // another city's building at the same street line is no candidate
    const other = property({ id: 'prop_sr', region: '江西', city: '上饶' });
    const one = input({ hint: hint({ city: '上海市' }), propertiesAtAddress: [property(), other] });
    expect(resolveRecipient(one, matches)).toMatchObject({ kind: 'resolved', propertyId: 'prop_a' });
  });

  it('queues for the property when nobody in the unit matches the name', () => {
    const stranger = input({ hint: hint({ nameDigest: nameDigest('赵强') }) });
    expect(resolveRecipient(stranger, matches)).toEqual({
      kind: 'unmatched',
      reason: 'no_resident',
      propertyId: 'prop_a',
      addressRule: 'exact',
    });
  });

  it('uses the unit to tell namesakes in different units apart, and is ambiguous without it', () => {
    expect(resolveRecipient(input({ hint: hint({ unit: 'Flat 12-04' }) }), matches)).toMatchObject({
      residentId: 'res_3',
    });
    expect(resolveRecipient(input({ hint: hint({ unit: '' }) }), matches)).toEqual({
      kind: 'unmatched',
      reason: 'ambiguous_resident',
      propertyId: 'prop_a',
      addressRule: 'exact',
    });
  });

  it('breaks a namesake tie in one unit with the phone digest', () => {
    const father = resident({ id: 'res_f', phone: '13900000001' });
    const son = resident({ id: 'res_s', phone: '13900000002' });
    const namesakes = { residents: [father, son] };
    expect(resolveRecipient(input(namesakes), matches)).toMatchObject({ reason: 'ambiguous_resident' });
    const withPhone = input({ ...namesakes, hint: hint({ phoneDigest: phoneDigest('+86 139-0000-0002') }) });
    expect(resolveRecipient(withPhone, matches)).toMatchObject({ kind: 'resolved', residentId: 'res_s' });
  });

  it('falls back to the phone digest when the carrier gave no name', () => {
    const byPhone = input({ hint: hint({ nameDigest: null, phoneDigest: phoneDigest('13800000002') }) });
    expect(resolveRecipient(byPhone, matches)).toMatchObject({ kind: 'resolved', residentId: 'res_2' });
    const nothing = input({ hint: hint({ nameDigest: null, phoneDigest: null }) });
    expect(resolveRecipient(nothing, matches)).toMatchObject({ reason: 'no_resident', propertyId: 'prop_a' });
  });
});
