import { DomainError, type LocalizedMessage } from '@portico/service-kit';
import { CsvError, parse } from 'csv-parse/sync';
import type { ZodError } from 'zod';

/*
 * CSV bodies of `POST /v1/directory/import` (`Content-Type: text/csv`), turned into the same JSON
 * body the JSON import takes, so one schema validates and one writer upserts. Everything here is
 * pure. Errors name the row (line of the file, header = 1) and the column, with a code and a zh/en
 * message that states the rule: never the value, which may be a name or a phone number.
 */

export type CsvKind = 'residents' | 'staff';

/** Header of a residents CSV: one row per resident (or per unit without residents), building columns repeated. */
export const RESIDENT_CSV_COLUMNS = {
  required: ['property_id', 'property_name', 'country', 'city', 'address_line', 'unit_id', 'unit_label'],
  optional: [
    'region',
    'district',
    'postal_code',
    'property_language',
    'time_zone',
    'quiet_hours',
    'resident_outreach',
    'resident_id',
    'name',
    'phone',
    'email',
    'wecom_user_id',
    'language',
    'consent_sms',
    'consent_email',
    'consent_wecom',
    'channel_preferences',
    'tracking_numbers',
  ],
} as const;

/** Header of a staff CSV: one row per staff member. */
export const STAFF_CSV_COLUMNS = {
  required: ['staff_id', 'name', 'role', 'channel_kind', 'channel_address', 'property_ids'],
  optional: ['language', 'on_duty', 'priority', 'weekdays', 'duty_start', 'duty_end'],
} as const;

/** Separator inside one cell holding a list (`channel_preferences`, `tracking_numbers`, `property_ids`, `weekdays`). */
export const LIST_SEPARATOR = '|';

export interface CsvIssue {
  /** Line of the file (the header is row 1); null for the file as a whole. */
  readonly row: number | null;
  readonly column: string | null;
  readonly code: string;
  readonly message: LocalizedMessage;
}

export interface CsvLimits {
  readonly maxBytes: number;
  readonly maxRows: number;
}

/** 400 `csv_invalid` with every problem of the file; nothing of it was written. */
export class CsvInvalidError extends DomainError {
  constructor(issues: readonly CsvIssue[]) {
    super({
      code: 'csv_invalid',
      status: 400,
      message: {
        en: 'The CSV file has errors; nothing was imported. See details.issues (row, column, code).',
        zh: 'CSV 文件有错误，未导入任何数据。请查看 details.issues（行、列、错误代码）。',
      },
      details: { issues },
    });
  }
}

export class CsvTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super({
      code: 'csv_too_large',
      status: 413,
      message: {
        en: 'The CSV file is larger than allowed; split it into several imports.',
        zh: 'CSV 文件超过大小上限，请拆分为多次导入。',
      },
      details: { limitBytes },
    });
  }
}

export class CsvTooManyRowsError extends DomainError {
  constructor(maxRows: number) {
    super({
      code: 'csv_too_many_rows',
      status: 400,
      message: {
        en: 'The CSV file has more rows than allowed; split it into several imports.',
        zh: 'CSV 文件行数超过上限，请拆分为多次导入。',
      },
      details: { maxRows },
    });
  }
}

export class CsvEncodingError extends DomainError {
  constructor() {
    super({
      code: 'csv_encoding_unsupported',
      status: 415,
      message: {
        en: 'CSV files must be UTF-8 (with or without BOM). Save the file as "CSV UTF-8" and try again.',
        zh: 'CSV 文件必须为 UTF-8 编码（可带 BOM）。请另存为“CSV UTF-8”后重试。',
      },
    });
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The file as text. UTF-8 only (a BOM is dropped): a declared other charset, a UTF-16 BOM or bytes
 * that are not UTF-8 (GBK exports, typically) are refused rather than guessed at, since a wrongly
 * decoded name would never match a carrier's name digest.
 */
export function decodeCsv(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new CsvEncodingError();
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new CsvEncodingError();
  const start = UTF8_BOM.every((b, i) => bytes[i] === b) ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new CsvEncodingError();
  }
}

export interface CsvRecord {
  /** Line of the file where the record ends (header = 1). */
  readonly row: number;
  readonly values: Readonly<Record<string, string>>;
}

const CSV_PARSE_CODES: Readonly<Record<string, LocalizedMessage>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: {
    en: 'the row has a different number of fields than the header',
    zh: '该行的字段数与表头不一致',
  },
  CSV_QUOTE_NOT_CLOSED: { en: 'a quoted field is not closed', zh: '引号字段未闭合' },
  CSV_INVALID_CLOSING_QUOTE: {
    en: 'a closing quote is followed by something other than a delimiter',
    zh: '闭合引号后紧跟了非分隔符的字符',
  },
};

/** Rows keyed by header names; checks the header against the kind's columns. */
export function readCsvRecords(text: string, kind: CsvKind, maxRows: number): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as unknown as typeof parsed;
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // csv-parse's own message may quote the offending text: only its code and line leave here.
    const message = CSV_PARSE_CODES[e.code] ?? { en: 'the file is not valid CSV', zh: '文件不是有效的 CSV' };
    const row = (e as CsvError & { lines?: number }).lines ?? null;
    throw new CsvInvalidError([{ row, column: null, code: 'csv_syntax', message }]);
  }
  const [header, ...body] = parsed;
  if (!header) {
    throw new CsvInvalidError([
      { row: null, column: null, code: 'csv_empty', message: { en: 'the file is empty', zh: '文件为空' } },
    ]);
  }
  if (body.length > maxRows) throw new CsvTooManyRowsError(maxRows);
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const spec = kind === 'residents' ? RESIDENT_CSV_COLUMNS : STAFF_CSV_COLUMNS;
  const known = new Set<string>([...spec.required, ...spec.optional]);
  const issues: CsvIssue[] = [];
  for (const c of spec.required) {
    if (!columns.includes(c))
      issues.push({
        row: 1,
        column: c,
        code: 'csv_column_missing',
        message: { en: 'this required column is missing from the header', zh: '表头缺少该必填列' },
      });
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (!known.has(c))
      // The header is not personal data, but keep to the one rule: no cell content in errors.
      issues.push({
        row: 1,
        column: null,
        code: 'csv_column_unknown',
        message: { en: 'the header has a column this import does not know', zh: '表头包含无法识别的列' },
      });
    else if (seen.has(c))
      issues.push({
        row: 1,
        column: c,
        code: 'csv_column_duplicate',
        message: { en: 'this column appears twice in the header', zh: '表头中该列重复出现' },
      });
    seen.add(c);
  }
  if (issues.length > 0) throw new CsvInvalidError(issues);
  return body.map(({ record, info }) => ({
    row: info.lines,
    values: Object.fromEntries(columns.map((c, i) => [c, record[i] ?? ''])),
  }));
}

/** Where a JSON path of the import came from in the CSV. */
export interface CsvLocator {
  locate(path: readonly PropertyKey[]): { row: number | null; column: string | null };
}

/** The JSON body built from a CSV, and how to map the body's issue paths back to rows and columns. */
export interface CsvImportBody {
  readonly body: unknown;
  readonly locator: CsvLocator;
}

const list = (cell: string): string[] =>
  cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `true/false`, `yes/no`, `y/n`, `1/0` (any case); empty = not given; anything else stays text so validation names the column. */
function bool(cell: string | undefined): boolean | string | undefined {
  if (cell === undefined || cell === '') return undefined;
  const v = cell.toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(v)) return true;
  if (['false', 'no', 'n', '0'].includes(v)) return false;
  return cell;
}

function int(cell: string | undefined): number | string | undefined {
  if (cell === undefined || cell === '') return undefined;
  return /^-?\d+$/.test(cell) ? Number(cell) : cell;
}

const opt = (cell: string | undefined): string | undefined =>
  cell === undefined || cell === '' ? undefined : cell;

/** `22:00-07:00` -> `{ start, end }`; a malformed cell goes through as is so validation names `quiet_hours`. */
function window(cell: string | undefined): { start: string; end: string } | undefined {
  if (!cell) return undefined;
  const parts = cell.split('-').map((s) => s.trim());
  return parts.length === 2 ? { start: parts[0]!, end: parts[1]! } : { start: cell, end: cell };
}

/** Issue path (after the object's own prefix) -> column, longest prefix first. */
type FieldColumns = readonly (readonly [string, string])[];

const PROPERTY_FIELDS: FieldColumns = [
  ['id', 'property_id'],
  ['name', 'property_name'],
  ['address.country', 'country'],
  ['address.region', 'region'],
  ['address.city', 'city'],
  ['address.district', 'district'],
  ['address.postalCode', 'postal_code'],
  ['address.addressLine', 'address_line'],
  ['language', 'property_language'],
  ['timeZone', 'time_zone'],
  ['quietHours', 'quiet_hours'],
  ['residentOutreach', 'resident_outreach'],
];
const UNIT_FIELDS: FieldColumns = [
  ['id', 'unit_id'],
  ['label', 'unit_label'],
  ['residents', 'resident_id'],
];
const RESIDENT_FIELDS: FieldColumns = [
  ['id', 'resident_id'],
  ['name', 'name'],
  ['phone', 'phone'],
  ['email', 'email'],
  ['wecomUserId', 'wecom_user_id'],
  ['language', 'language'],
  ['consent.sms', 'consent_sms'],
  ['consent.email', 'consent_email'],
  ['consent.wecom', 'consent_wecom'],
  ['consent', 'consent_sms'],
  ['channelPreferences', 'channel_preferences'],
  ['preRegisteredTrackingNumbers', 'tracking_numbers'],
];
const STAFF_FIELDS: FieldColumns = [
  ['id', 'staff_id'],
  ['name', 'name'],
  ['role', 'role'],
  ['language', 'language'],
  ['channel.kind', 'channel_kind'],
  ['channel.address', 'channel_address'],
  ['propertyIds', 'property_ids'],
  ['onDuty', 'on_duty'],
  ['priority', 'priority'],
  ['dutyWindow.weekdays', 'weekdays'],
  ['dutyWindow.start', 'duty_start'],
  ['dutyWindow.end', 'duty_end'],
  ['dutyWindow', 'duty_start'],
];

class PathLocator implements CsvLocator {
  private readonly origins = new Map<string, { row: number; fields: FieldColumns }>();

  add(path: string, row: number, fields: FieldColumns): void {
    if (!this.origins.has(path)) this.origins.set(path, { row, fields });
  }

  locate(path: readonly PropertyKey[]): { row: number | null; column: string | null } {
    const parts = path.map(String);
    for (let n = parts.length; n > 0; n--) {
      const origin = this.origins.get(parts.slice(0, n).join('.'));
      if (!origin) continue;
      const rest = parts.slice(n).join('.');
      const field = origin.fields.find(([f]) => rest === f || rest.startsWith(`${f}.`));
      return { row: origin.row, column: field?.[1] ?? null };
    }
    return { row: null, column: null };
  }
}

const PROPERTY_COLUMNS = PROPERTY_FIELDS.map(([, c]) => c);

/**
 * Groups resident rows into properties -> units -> residents. A property's (or unit's) columns
 * come from its first row; later rows that say something else for them are an error, since the
 * file would then describe one building two ways.
 */
export function residentsCsvToImport(
  tenant: { id: string; name: string },
  records: readonly CsvRecord[],
): CsvImportBody {
  const locator = new PathLocator();
  const issues: CsvIssue[] = [];
  type Unit = { id: string; label: string; residents: unknown[]; row: number };
  type Property = { values: Readonly<Record<string, string>>; units: Map<string, Unit>; index: number };
  const properties = new Map<string, Property>();
  const unitProperty = new Map<string, string>();
  const differs = (row: number, column: string) =>
    issues.push({
      row,
      column,
      code: 'csv_inconsistent',
      message: {
        en: 'differs from the first row of the same property or unit',
        zh: '与同一物业或单元的首行取值不一致',
      },
    });

  for (const { row, values: v } of records) {
    const propertyId = v.property_id ?? '';
    let property = properties.get(propertyId);
    if (!property) {
      property = { values: v, units: new Map(), index: properties.size };
      properties.set(propertyId, property);
      locator.add(`properties.${property.index}`, row, PROPERTY_FIELDS);
    } else {
      for (const c of PROPERTY_COLUMNS) if ((property.values[c] ?? '') !== (v[c] ?? '')) differs(row, c);
    }
    const unitId = v.unit_id ?? '';
    const ownerOfUnit = unitProperty.get(unitId);
    if (ownerOfUnit !== undefined && ownerOfUnit !== propertyId) differs(row, 'unit_id');
    unitProperty.set(unitId, propertyId);
    let unit = property.units.get(unitId);
    if (!unit) {
      unit = { id: unitId, label: v.unit_label ?? '', residents: [], row };
      property.units.set(unitId, unit);
      locator.add(`properties.${property.index}.units.${property.units.size - 1}`, row, UNIT_FIELDS);
    } else if (unit.label !== (v.unit_label ?? '')) differs(row, 'unit_label');

    // A row without resident columns lists the unit only.
    if (!v.resident_id && !v.name) continue;
    const unitIndex = [...property.units.keys()].indexOf(unitId);
    locator.add(
      `properties.${property.index}.units.${unitIndex}.residents.${unit.residents.length}`,
      row,
      RESIDENT_FIELDS,
    );
    unit.residents.push({
      id: v.resident_id ?? '',
      name: v.name ?? '',
      phone: opt(v.phone),
      email: opt(v.email),
      wecomUserId: opt(v.wecom_user_id),
      language: opt(v.language),
      consent: { sms: bool(v.consent_sms), email: bool(v.consent_email), wecom: bool(v.consent_wecom) },
      channelPreferences: list(v.channel_preferences ?? ''),
      preRegisteredTrackingNumbers: list(v.tracking_numbers ?? '').map((entry) => {
        const colon = entry.indexOf(':');
        return colon < 0
          ? { carrier: '', trackingNumber: entry }
          : { carrier: entry.slice(0, colon), trackingNumber: entry.slice(colon + 1) };
      }),
    });
  }
  if (issues.length > 0) throw new CsvInvalidError(issues);

  const body = {
    tenant,
    properties: [...properties.values()].map(({ values: v, units }) => ({
      id: v.property_id ?? '',
      name: v.property_name ?? '',
      address: {
        country: v.country ?? '',
        region: v.region ?? '',
        city: v.city ?? '',
        district: v.district ?? '',
        postalCode: v.postal_code ?? '',
        addressLine: v.address_line ?? '',
      },
      language: opt(v.property_language),
      timeZone: opt(v.time_zone),
      quietHours: window(v.quiet_hours),
      residentOutreach: opt(v.resident_outreach),
      units: [...units.values()].map(({ id, label, residents }) => ({ id, label, residents })),
    })),
  };
  return { body, locator };
}

/** One staff member per row; `weekdays`, `duty_start`, `duty_end` all empty = windows unchanged. */
export function staffCsvToImport(
  tenant: { id: string; name: string },
  records: readonly CsvRecord[],
): CsvImportBody {
  const locator = new PathLocator();
  const staff = records.map(({ row, values: v }, i) => {
    locator.add(`staff.${i}`, row, STAFF_FIELDS);
    const hasWindow = !!(v.weekdays || v.duty_start || v.duty_end);
    return {
      id: v.staff_id ?? '',
      name: v.name ?? '',
      role: v.role ?? '',
      language: opt(v.language),
      channel: { kind: v.channel_kind ?? '', address: v.channel_address ?? '' },
      propertyIds: list(v.property_ids ?? ''),
      onDuty: bool(v.on_duty),
      priority: int(v.priority),
      ...(hasWindow
        ? {
            dutyWindow: {
              weekdays: v.weekdays ? list(v.weekdays).map((d) => int(d)) : null,
              start: opt(v.duty_start) ?? null,
              end: opt(v.duty_end) ?? null,
            },
          }
        : {}),
    };
  });
  return { body: { tenant, properties: [], staff }, locator };
}

const ZOD_ZH: Readonly<Record<string, string>> = {
  invalid_type: '类型或格式不正确',
  too_small: '值为空、太短或太小',
  too_big: '值太长、太大或条目过多',
  invalid_format: '格式不正确',
  invalid_value: '不是允许的取值',
  invalid_union: '格式不正确',
  not_multiple_of: '数值不符合要求',
  unrecognized_keys: '包含无法识别的字段',
  custom: '不符合规则',
};

/** The import schema's issues as CSV issues (zod messages describe the rule, never the input). */
export function csvIssuesFromZod(error: ZodError, locator: CsvLocator): CsvIssue[] {
  return error.issues.map((issue) => {
    const { row, column } = locator.locate(issue.path);
    return {
      row,
      column,
      code: issue.code,
      message: { en: issue.message, zh: ZOD_ZH[issue.code] ?? '不符合规则' },
    };
  });
}

/**
 * The writer's refusals (`directory_id_conflict`, `unknown_property`: `details.issues[] = {path,
 * code}`) with their paths mapped to rows and columns.
 */
export function csvIssuesFromDomain(error: DomainError, locator: CsvLocator): CsvIssue[] | undefined {
  const issues = (error.details?.issues ?? undefined) as { path: string; code: string }[] | undefined;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((i) => {
    const { row, column } = locator.locate(i.path.split('.'));
    return { row, column, code: i.code, message: error.localized };
  });
}
