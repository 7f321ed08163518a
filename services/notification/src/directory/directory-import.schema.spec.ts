import { parcelId } from '@portico/contracts';
import { mapError } from '@portico/service-kit';
import { ZodError } from 'zod';
import { parseDirectoryImport } from './directory-import.schema';

const NAME = '王芳娜';
const PHONE = '+86 139-8765-4321';

function validBody() {
  return {
    tenant: { id: 'ten_1', name: 'Harbour Residences' },
    properties: [
      {
        id: 'prop_a',
        name: 'Harbour Tower A',
        address: {
          country: 'cn',
          region: 'Shanghai',
          city: 'Shanghai',
          district: 'Pudong',
          postalCode: '200120',
          addressLine: '88 Century Avenue, Tower A',
        },
        units: [
          {
            id: 'unit_1203',
            label: '12-03',
            residents: [
              {
                id: 'res_1',
                name: NAME,
                phone: PHONE,
                language: 'zh',
                preRegisteredTrackingNumbers: [{ carrier: 'SF-Express', trackingNumber: 'sf 1234-5678' }],
              },
            ],
          },
        ],
      },
    ],
    staff: [
      {
        id: 'stf_1',
        name: 'Steward One',
        role: 'steward',
        language: 'zh',
        channel: { kind: 'wecom', address: 'wecom-steward-1' },
        propertyIds: ['prop_a'],
        onDuty: true,
      },
    ],
  };
}

/** What the API would answer for an invalid body. */
function rejection(body: unknown): { status: number; text: string; paths: string[] } {
  try {
    parseDirectoryImport(body);
  } catch (e) {
    expect(e).toBeInstanceOf(ZodError);
    const mapped = mapError(e);
    const issues = (mapped.body.error.details?.issues ?? []) as { path: string }[];
    return { status: mapped.status, text: JSON.stringify(mapped.body), paths: issues.map((i) => i.path) };
  }
  throw new Error('expected the body to be rejected');
}

describe('directory import validation', () => {
  it('accepts a directory and applies defaults and normalisation', () => {
    const parsed = parseDirectoryImport(validBody());
    const property = parsed.properties[0]!;
    expect(property.address.country).toBe('CN');
    expect(property.language).toBe('zh');
    const resident = property.units[0]!.residents[0]!;
    expect(resident.consent).toEqual({ sms: false, email: false, wecom: false });
    expect(resident.preRegisteredTrackingNumbers).toEqual([
      {
        carrierCode: 'sf-express',
        trackingNumber: 'SF12345678',
        parcelId: parcelId('sf-express', 'SF12345678'),
      },
    ]);
    expect(parsed.staff[0]).toMatchObject({ onDuty: true, priority: 100 });
  });

  it('reports every bad row with its path', () => {
    const body = validBody();
    const r = body.properties[0]!.units[0]!.residents[0]! as Record<string, unknown>;
    r.phone = 'call me maybe';
    r.language = 'fr';
    body.staff[0]!.role = 'janitor';
    (body.properties[0]!.address as Record<string, unknown>).country = 'China';
    const { status, paths } = rejection(body);
    expect(status).toBe(400);
    expect(paths).toEqual(
      expect.arrayContaining([
        'properties.0.units.0.residents.0.phone',
        'properties.0.units.0.residents.0.language',
        'properties.0.address.country',
        'staff.0.role',
      ]),
    );
  });

  it('never echoes the rejected values (names, phone numbers) in the error', () => {
    const body = validBody();
    const r = body.properties[0]!.units[0]!.residents[0]! as Record<string, unknown>;
    r.name = NAME.repeat(40); // too long
    r.phone = `${PHONE} ext`; // malformed
    r.preRegisteredTrackingNumbers = [{ carrier: 'Bad Carrier!', trackingNumber: 'X1' }];
    const { text, paths } = rejection(body);
    expect(paths).toEqual(
      expect.arrayContaining([
        'properties.0.units.0.residents.0.name',
        'properties.0.units.0.residents.0.phone',
        'properties.0.units.0.residents.0.preRegisteredTrackingNumbers.0',
      ]),
    );
    expect(text).not.toContain(NAME);
    expect(text).not.toContain('139-8765-4321');
    expect(text).not.toContain('Bad Carrier!');
  });

  it('refuses duplicate ids within the import', () => {
    const body = validBody();
    const unit = body.properties[0]!.units[0]!;
    unit.residents.push({ ...unit.residents[0]!, name: 'Someone Else' });
    body.staff.push({ ...body.staff[0]! });
    body.staff[0]!.propertyIds = ['prop_a', 'prop_a'];
    expect(rejection(body).paths).toEqual(
      expect.arrayContaining(['properties.0.units.0.residents.1.id', 'staff.1.id', 'staff.0.propertyIds.1']),
    );
  });

  it('needs a tenant and at least one property', () => {
    expect(rejection({ properties: [] }).paths).toEqual(expect.arrayContaining(['tenant', 'properties']));
    expect(rejection('not an object').status).toBe(400);
  });

  it('accepts an optional IANA time zone and refuses others', () => {
    const body = validBody();
    (body.properties[0] as Record<string, unknown>).timeZone = 'Asia/Hong_Kong';
    expect(parseDirectoryImport(body).properties[0]!.timeZone).toBe('Asia/Hong_Kong');
    (body.properties[0] as Record<string, unknown>).timeZone = 'Mars/Olympus';
    expect(rejection(body).paths).toEqual(['properties.0.timeZone']);
  });
});
