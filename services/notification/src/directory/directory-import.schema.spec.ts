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

  it('needs a tenant and at least one property or staff member', () => {
    expect(rejection({ properties: [] }).paths).toEqual(expect.arrayContaining(['tenant']));
    expect(rejection({ tenant: { id: 'ten_1', name: 'T' } }).paths).toEqual(['properties']);
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

describe('contact channels, quiet hours and duty windows', () => {
  it('accepts e-mail, WeCom id and consented preferences, quiet hours and the outreach policy', () => {
    const body = validBody();
    Object.assign(body.properties[0]!, {
      quietHours: { start: '22:00', end: '07:00' },
      residentOutreach: 'direct',
    });
    Object.assign(body.properties[0]!.units[0]!.residents[0]!, {
      email: 'li.wei@example.test',
      wecomUserId: 'LiWei',
      consent: { sms: true, email: true, wecom: false },
      channelPreferences: ['email', 'sms'],
    });
    Object.assign(body.staff[0]!, { dutyWindow: { weekdays: [1, 2], start: '09:00', end: '18:00' } });
    const parsed = parseDirectoryImport(body);
    expect(parsed.properties[0]).toMatchObject({
      quietHours: { start: '22:00', end: '07:00' },
      residentOutreach: 'direct',
    });
    expect(parsed.properties[0]!.units[0]!.residents[0]!.channelPreferences).toEqual(['email', 'sms']);
    expect(parsed.staff[0]!.dutyWindow).toEqual({ weekdays: [1, 2], start: '09:00', end: '18:00' });
  });

  it('refuses preferences without consent or address, bad e-mail, bad times and half windows', () => {
    const body = validBody();
    Object.assign(body.properties[0]!, {
      quietHours: { start: '24:00', end: '07:00' },
      residentOutreach: 'always',
    });
    Object.assign(body.properties[0]!.units[0]!.residents[0]!, {
      consent: { sms: false, email: true, wecom: true },
      channelPreferences: ['sms', 'email', 'email'],
    });
    Object.assign(body.staff[0]!, { dutyWindow: { start: '09:00' } });
    const { paths } = rejection(body);
    expect(paths).toEqual(
      expect.arrayContaining([
        'properties.0.quietHours.start',
        'properties.0.residentOutreach',
        'staff.0.dutyWindow.end',
      ]),
    );
    const prefs = validBody();
    Object.assign(prefs.properties[0]!.units[0]!.residents[0]!, {
      consent: { sms: false, email: true, wecom: false },
      channelPreferences: ['sms', 'email', 'email'],
    });
    expect(rejection(prefs).paths).toEqual([
      'properties.0.units.0.residents.0.channelPreferences.0',
      'properties.0.units.0.residents.0.channelPreferences.1',
      // twice: listed twice, and no e-mail address
      'properties.0.units.0.residents.0.channelPreferences.2',
      'properties.0.units.0.residents.0.channelPreferences.2',
    ]);
    const email = validBody();
    Object.assign(email.properties[0]!.units[0]!.residents[0]!, { email: 'not an e-mail' });
    const rejected = rejection(email);
    expect(rejected.paths).toEqual(['properties.0.units.0.residents.0.email']);
    expect(rejected.text).not.toContain('not an e-mail');
  });
});
