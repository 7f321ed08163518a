import { InvalidParcelReferenceError, parcelRef } from '@portico/contracts';
import { z } from 'zod';

/**
 * The body of `POST /v1/directory/import`. Validation errors are answered by service-kit's filter as
 * `validation_failed` with one issue per problem (path such as `properties.0.units.3.residents.1.phone`,
 * zod code and message). Messages here never contain the rejected value: they describe the rule.
 */

/** Ids come from the property system; they show up in events, URLs and tokens, so keep them plain. */
const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const language = z.enum(LANGUAGES);

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).default('');

const timeZone = z
  .string()
  .trim()
  .refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Asia/Shanghai');

const address = z.object({
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code'),
  region: optionalText(100),
  city: text(100),
  district: optionalText(100),
  postalCode: optionalText(20),
  addressLine: text(300),
});

const preRegistration = z.object({ carrier: text(64), trackingNumber: text(64) }).transform((value, ctx) => {
  try {
    const ref = parcelRef(value.carrier, value.trackingNumber);
    return { carrierCode: ref.carrierCode, trackingNumber: ref.trackingNumber, parcelId: ref.parcelId };
  } catch (e) {
    if (!(e instanceof InvalidParcelReferenceError)) throw e;
    // The contracts' message describes the rule, never the input.
    ctx.addIssue({ code: 'custom', message: e.message });
    return z.NEVER;
  }
});

const resident = z.object({
  id,
  name: text(100),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, 'must be a phone number: digits, optionally +, spaces, dashes')
    .optional(),
  language: language.default('zh'),
  consent: z
    .object({
      sms: z.boolean().default(false),
      email: z.boolean().default(false),
      wecom: z.boolean().default(false),
    })
    .default({ sms: false, email: false, wecom: false }),
  preRegisteredTrackingNumbers: z.array(preRegistration).max(200).default([]),
});

const unit = z.object({
  id,
  label: text(50),
  residents: z.array(resident).max(50).default([]),
});

const property = z.object({
  id,
  name: text(200),
  address,
  language: language.default('zh'),
  timeZone: timeZone.optional(),
  units: z.array(unit).max(5_000).default([]),
});

const staffMember = z.object({
  id,
  name: text(100),
  role: z.enum(['steward', 'manager']),
  language: language.default('zh'),
  channel: z.object({
    kind: z.enum(['email', 'sms', 'wecom', 'dingtalk']),
    address: text(200),
  }),
  propertyIds: z.array(id).min(1).max(500),
  onDuty: z.boolean().default(false),
  /** Among several stewards on duty the highest priority gets the task. */
  priority: z.number().int().min(0).max(1_000).default(100),
});

export const directoryImportSchema = z
  .object({
    tenant: z.object({ id, name: text(200) }),
    properties: z.array(property).min(1).max(1_000),
    staff: z.array(staffMember).max(5_000).default([]),
  })
  .superRefine((input, ctx) => {
    // Ids must be unique within their kind across the whole import: one upsert statement per table
    // cannot touch the same row twice, and a duplicate almost always means a broken export.
    const seen = new Map<string, Set<string>>();
    const once = (kind: string, value: string, path: (string | number)[]) => {
      const ids = seen.get(kind) ?? new Set<string>();
      seen.set(kind, ids);
      if (ids.has(value))
        ctx.addIssue({ code: 'custom', path, message: `duplicate ${kind} id in this import` });
      ids.add(value);
    };
    input.properties.forEach((p, pi) => {
      once('property', p.id, ['properties', pi, 'id']);
      p.units.forEach((u, ui) => {
        once('unit', u.id, ['properties', pi, 'units', ui, 'id']);
        u.residents.forEach((r, ri) =>
          once('resident', r.id, ['properties', pi, 'units', ui, 'residents', ri, 'id']),
        );
      });
    });
    input.staff.forEach((s, si) => {
      once('staff', s.id, ['staff', si, 'id']);
      const own = new Set<string>();
      s.propertyIds.forEach((propertyId, i) => {
        if (own.has(propertyId))
          ctx.addIssue({ code: 'custom', path: ['staff', si, 'propertyIds', i], message: 'listed twice' });
        own.add(propertyId);
      });
    });
  });

export type DirectoryImport = z.output<typeof directoryImportSchema>;
export type PropertyImport = DirectoryImport['properties'][number];
export type StaffImport = DirectoryImport['staff'][number];

/** Parses the request body; throws the ZodError service-kit answers as 400 `validation_failed`. */
export function parseDirectoryImport(body: unknown): DirectoryImport {
  return directoryImportSchema.parse(body);
}

/** What an import changed, as the endpoint answers it. */
export interface DirectoryImportResult {
  readonly tenantId: string;
  readonly properties: number;
  readonly units: number;
  readonly residents: number;
  readonly staff: number;
}
