import type { ZodError } from 'zod';
import { COUNTRY_CODES } from './country-codes';
import {
  createPolicyBody,
  listPoliciesQuery,
  replacePolicyBody,
  versionPrecondition,
} from './policy-requests';

const valid = {
  tenantId: 'ten_1',
  carrierCode: 'sf-express',
  destinationCountryCode: 'CN',
  requirements: { id_documents_required: ['passport'] },
  defaultDeadlineHours: 24,
};

/** The issue paths a rejected input produced, as the API reports them. */
function pathsOf(schema: { safeParse(v: unknown): { success: boolean; error?: ZodError } }, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => i.path.join('.'));
}

describe('createPolicyBody', () => {
  it('accepts a minimal tenant policy and fills the defaults (any origin, never expedite)', () => {
    expect(createPolicyBody.parse(valid)).toEqual({
      ...valid,
      originCountryCode: null,
      description: '',
      expedite: { highValue: null, perishable: false, deadlineWithinHours: null },
      timers: null,
    });
  });

  it('takes its own timer rules, validated, and refuses nonsense', () => {
    const timers = { reminderLeadHours: [24, 2], stewardAckSlaMinutes: 30, expeditedFactor: 0.5 };
    expect(createPolicyBody.parse({ ...valid, timers }).timers).toEqual(timers);
    expect(
      createPolicyBody.safeParse({ ...valid, timers: { ...timers, stewardAckSlaMinutes: 0 } }).success,
    ).toBe(false);
    expect(createPolicyBody.safeParse({ ...valid, timers: { ...timers, extra: true } }).success).toBe(false);
  });

  it('accepts a full expedite rule and a platform default (tenantId null)', () => {
    const parsed = createPolicyBody.parse({
      ...valid,
      tenantId: null,
      expedite: {
        highValue: { minimum: { currencyCode: 'CNY', amountMinor: 500_000 }, referenceRates: { USD: 7.2 } },
        perishable: true,
        deadlineWithinHours: 48,
      },
    });
    expect(parsed.tenantId).toBeNull();
    expect(parsed.expedite.highValue?.referenceRates).toEqual({ USD: 7.2 });
  });

  it.each([
    ['carrier code with capitals', { carrierCode: 'SF-Express' }, 'carrierCode'],
    ['carrier code with a space', { carrierCode: 'sf express' }, 'carrierCode'],
    ['lower-case country', { destinationCountryCode: 'cn' }, 'destinationCountryCode'],
    ['alpha-3 country', { originCountryCode: 'JPN' }, 'originCountryCode'],
    ['unassigned country code', { originCountryCode: 'XX' }, 'originCountryCode'],
    ['unknown hold reason', { requirements: { lost_parcel: ['passport'] } }, 'requirements'],
    [
      'unknown document type',
      { requirements: { id_documents_required: ['selfie'] } },
      'requirements.id_documents_required.0',
    ],
    [
      'a document twice',
      { requirements: { id_documents_required: ['passport', 'passport'] } },
      'requirements.id_documents_required',
    ],
    ['zero deadline', { defaultDeadlineHours: 0 }, 'defaultDeadlineHours'],
    ['deadline over 30 days', { defaultDeadlineHours: 721 }, 'defaultDeadlineHours'],
    ['fractional deadline', { defaultDeadlineHours: 1.5 }, 'defaultDeadlineHours'],
    ['deadline as a string', { defaultDeadlineHours: '24' }, 'defaultDeadlineHours'],
    [
      'bad currency',
      { expedite: { highValue: { minimum: { currencyCode: 'yuan', amountMinor: 1 } } } },
      'expedite.highValue.minimum.currencyCode',
    ],
    [
      'negative minimum',
      { expedite: { highValue: { minimum: { currencyCode: 'CNY', amountMinor: -1 } } } },
      'expedite.highValue.minimum.amountMinor',
    ],
    ['non-positive window', { expedite: { deadlineWithinHours: 0 } }, 'expedite.deadlineWithinHours'],
    ['window over 30 days', { expedite: { deadlineWithinHours: 1000 } }, 'expedite.deadlineWithinHours'],
    ['misspelt expedite field', { expedite: { perishible: true } }, 'expedite'],
    ['unknown top-level field', { priority: 1 }, ''],
    ['bad tenant id', { tenantId: 'ten 1' }, 'tenantId'],
    ['description too long', { description: 'x'.repeat(501) }, 'description'],
  ])('refuses %s', (_what, change, path) => {
    expect(pathsOf(createPolicyBody, { ...valid, ...change })).toContain(path);
  });

  it('needs requirements and a default deadline', () => {
    expect(pathsOf(createPolicyBody, { tenantId: 'ten_1' }).sort()).toEqual([
      'defaultDeadlineHours',
      'requirements',
    ]);
  });

  it('never echoes the rejected value in a message', () => {
    const result = createPolicyBody.safeParse({ ...valid, carrierCode: 'SECRET-VALUE-X' });
    expect(JSON.stringify(result.error!.issues.map((i) => i.message))).not.toContain('SECRET-VALUE-X');
  });
});

describe('replacePolicyBody', () => {
  it('takes the same rules plus an optional version, but no tenant', () => {
    const { tenantId: _tenant, ...rules } = valid;
    expect(replacePolicyBody.parse({ ...rules, version: 3 }).version).toBe(3);
    expect(pathsOf(replacePolicyBody, valid)).toContain('');
    expect(pathsOf(replacePolicyBody, { ...rules, version: 0 })).toContain('version');
  });
});

describe('versionPrecondition', () => {
  it.each([
    [{ 'if-match': '"3"' }, 3],
    [{ 'if-match': 'W/"3"' }, 3],
    [{ 'if-match': '3' }, 3],
    [{ version: 4 }, 4],
    [{ 'if-match': '"4"', version: 4 }, 4],
    [{}, undefined],
  ])('%j -> %p', (input, expected) => {
    expect(versionPrecondition.parse(input)).toBe(expected);
  });

  it('refuses an If-Match that is not a version, and a body version that disagrees with it', () => {
    expect(pathsOf(versionPrecondition, { 'if-match': '*' })).toEqual(['if-match']);
    expect(pathsOf(versionPrecondition, { 'if-match': '"abc"' })).toEqual(['if-match']);
    expect(pathsOf(versionPrecondition, { 'if-match': '"3"', version: 4 })).toEqual(['version']);
  });
});

describe('listPoliciesQuery', () => {
  it('reads includeInactive as a boolean', () => {
    expect(listPoliciesQuery.parse({})).toEqual({ includeInactive: false });
    expect(listPoliciesQuery.parse({ includeInactive: 'true', tenantId: 'ten_1' })).toEqual({
      includeInactive: true,
      tenantId: 'ten_1',
    });
    expect(pathsOf(listPoliciesQuery, { includeInactive: 'yes' })).toEqual(['includeInactive']);
  });
});

describe('country codes', () => {
  it('are the 249 assigned ISO 3166-1 alpha-2 codes', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of ['CN', 'HK', 'MO', 'TW', 'JP', 'US', 'GB', 'DE']) {
      expect(COUNTRY_CODES.has(code)).toBe(true);
    }
    expect(COUNTRY_CODES.has('UK')).toBe(false); // the UK is GB
    expect(COUNTRY_CODES.has('EU')).toBe(false); // reserved, not a country
  });
});
