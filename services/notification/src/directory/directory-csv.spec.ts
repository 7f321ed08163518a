import { mapError } from '@portico/service-kit';
import { ZodError } from 'zod';
import {
  csvIssuesFromDomain,
  csvIssuesFromZod,
  CsvEncodingError,
  CsvInvalidError,
  CsvTooManyRowsError,
  decodeCsv,
  readCsvRecords,
  residentsCsvToImport,
  staffCsvToImport,
} from './directory-csv';
import { parseDirectoryImport } from './directory-import.schema';
import { ConflictError } from '@portico/service-kit';

const NAME = '欧阳婉清';
const PHONE = '13912345678';
const HEADER =
  'property_id,property_name,country,city,address_line,unit_id,unit_label,resident_id,name,phone,email,consent_email,channel_preferences,tracking_numbers';
const tenant = { id: 'ten_1', name: 'Harbour' };

function csv(rows: string[]): string {
  return [HEADER, ...rows].join('\n');
}

function invalid(work: () => unknown): CsvInvalidError {
  try {
    work();
  } catch (e) {
    if (e instanceof CsvInvalidError) return e;
    throw e;
  }
  throw new Error('expected CsvInvalidError');
}

const issuesOf = (e: CsvInvalidError) =>
  (e.details!.issues as { row: number; column: string; code: string }[]).map(
    (i) => `${i.row}:${i.column}:${i.code}`,
  );

describe('directory CSV', () => {
  it('groups rows into properties, units and residents with the import body shape', () => {
    const records = readCsvRecords(
      csv([
        `prop_a,Tower A,CN,Shanghai,88 Century Ave,u1,12-03,res_1,${NAME},${PHONE},a@example.test,yes,email,sf-express:SF123|ems:EA1`,
        `prop_a,Tower A,CN,Shanghai,88 Century Ave,u1,12-03,res_2,Other,,,,,`,
        `prop_a,Tower A,CN,Shanghai,88 Century Ave,u2,12-04,,,,,,,`,
      ]),
      'residents',
      100,
    );
    const input = parseDirectoryImport(residentsCsvToImport(tenant, records).body);
    expect(input.properties).toHaveLength(1);
    const [u1, u2] = input.properties[0]!.units;
    expect(u1!.residents.map((r) => r.id)).toEqual(['res_1', 'res_2']);
    expect(u2!.residents).toEqual([]);
    expect(u1!.residents[0]).toMatchObject({
      email: 'a@example.test',
      consent: { sms: false, email: true, wecom: false },
      channelPreferences: ['email'],
      preRegisteredTrackingNumbers: [
        expect.objectContaining({ carrierCode: 'sf-express', trackingNumber: 'SF123' }),
        expect.objectContaining({ carrierCode: 'ems', trackingNumber: 'EA1' }),
      ],
    });
  });

  it('maps schema issues back to row and column, with zh and en messages and no values', () => {
    const records = readCsvRecords(
      csv([
        `prop_a,Tower A,CN,Shanghai,88 Century Ave,u1,12-03,res_1,${NAME},call me,not-an-email,perhaps,,ems`,
        `prop_a,Tower A,CN,Shanghai,88 Century Ave,u1,12-03,res_2,${NAME},${PHONE},,,sms,`,
      ]),
      'residents',
      100,
    );
    const { body, locator } = residentsCsvToImport(tenant, records);
    let error: ZodError | undefined;
    try {
      parseDirectoryImport(body);
    } catch (e) {
      error = e as ZodError;
    }
    const issues = csvIssuesFromZod(error!, locator);
    expect(issues.map((i) => `${i.row}:${i.column}`)).toEqual(
      expect.arrayContaining([
        '2:phone',
        '2:email',
        '2:consent_email',
        '2:tracking_numbers',
        '3:channel_preferences',
      ]),
    );
    expect(issues.every((i) => i.message.en.length > 0 && i.message.zh.length > 0)).toBe(true);
    const text = JSON.stringify(mapError(new CsvInvalidError(issues)).body);
    expect(text).not.toContain(NAME);
    expect(text).not.toContain('call me');
    expect(text).not.toContain(PHONE);
  });

  it('refuses a property or unit described two ways, and maps writer issues to rows', () => {
    const records = readCsvRecords(
      csv([
        `prop_a,Tower A,CN,Shanghai,88 Century Ave,u1,12-03,res_1,A,,,,,`,
        `prop_a,Tower B,CN,Shanghai,88 Century Ave,u1,12-05,res_2,B,,,,,`,
      ]),
      'residents',
      100,
    );
    expect(issuesOf(invalid(() => residentsCsvToImport(tenant, records)))).toEqual([
      '3:property_name:csv_inconsistent',
      '3:unit_label:csv_inconsistent',
    ]);
    const ok = residentsCsvToImport(
      tenant,
      readCsvRecords(
        csv([`prop_a,Tower A,CN,Shanghai,88 Century Ave,u1,12-03,res_1,A,,,,,`]),
        'residents',
        100,
      ),
    );
    const conflict = new ConflictError(
      'directory_id_conflict',
      { en: 'e', zh: 'z' },
      {
        issues: [{ path: 'properties.0.units.0.residents.0.id', code: 'id_owned_by_another_tenant' }],
      },
    );
    expect(csvIssuesFromDomain(conflict, ok.locator)).toEqual([
      { row: 2, column: 'resident_id', code: 'id_owned_by_another_tenant', message: { en: 'e', zh: 'z' } },
    ]);
  });

  it('checks the header and the row cap', () => {
    expect(issuesOf(invalid(() => readCsvRecords('property_id,nickname\nx,y', 'residents', 10)))).toEqual(
      expect.arrayContaining(['1:property_name:csv_column_missing', '1:null:csv_column_unknown']),
    );
    expect(() => readCsvRecords(csv(['a', 'b', 'c'].map(() => ',,,,,,,,,,,,,')), 'residents', 2)).toThrow(
      CsvTooManyRowsError,
    );
    expect(issuesOf(invalid(() => readCsvRecords(`${HEADER}\n"unclosed,`, 'residents', 10)))[0]).toMatch(
      /csv_syntax$/,
    );
  });

  it('reads a staff CSV with duty windows; an empty window leaves windows unchanged', () => {
    const records = readCsvRecords(
      [
        'staff_id,name,role,channel_kind,channel_address,property_ids,on_duty,priority,weekdays,duty_start,duty_end',
        's1,Steward,steward,email,s1@example.test,prop_a|prop_b,y,250,6|7,22:00,06:00',
        's2,Manager,manager,web_push,endpoint-1,prop_a,,,,,',
      ].join('\n'),
      'staff',
      10,
    );
    const input = parseDirectoryImport(staffCsvToImport(tenant, records).body);
    expect(input.staff[0]).toMatchObject({
      propertyIds: ['prop_a', 'prop_b'],
      onDuty: true,
      priority: 250,
      dutyWindow: { weekdays: [6, 7], start: '22:00', end: '06:00' },
    });
    expect(input.staff[1]!.dutyWindow).toBeUndefined();
    const bad = staffCsvToImport(
      tenant,
      readCsvRecords(
        'staff_id,name,role,channel_kind,channel_address,property_ids,priority,duty_start\ns1,S,boss,email,a,prop_a,high,25:00',
        'staff',
        10,
      ),
    );
    let error: ZodError | undefined;
    try {
      parseDirectoryImport(bad.body);
    } catch (e) {
      error = e as ZodError;
    }
    expect(csvIssuesFromZod(error!, bad.locator).map((i) => `${i.row}:${i.column}`)).toEqual(
      expect.arrayContaining(['2:role', '2:priority', '2:duty_start']),
    );
  });

  it('decodes UTF-8 with or without BOM and refuses other encodings', () => {
    const text = `${HEADER}\n`;
    expect(decodeCsv(Buffer.from(text), 'text/csv')).toBe(text);
    expect(
      decodeCsv(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
        'text/csv; charset=utf-8',
      ),
    ).toBe(text);
    expect(() => decodeCsv(Buffer.from(text), 'text/csv; charset=GB18030')).toThrow(CsvEncodingError);
    expect(() => decodeCsv(Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'text/csv')).toThrow(CsvEncodingError);
    // 李伟 in GBK
    expect(() => decodeCsv(Buffer.from([0xc0, 0xee, 0xce, 0xb0]), 'text/csv')).toThrow(CsvEncodingError);
  });
});
