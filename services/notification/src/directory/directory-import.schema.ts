import { InvalidParcelReferenceError, parcelRef } from '@portico/contracts';
import { z } from 'zod';

/**
 * The body of `POST /v1/directory/import`. Validation errors are answered by service-kit's filter as
 * `validation_failed` with one issue per problem (path such as `properties.0.units.3.residents.1.phone`,
 * zod code and message). Messages here never contain the rejected value: they describe the rule.
 */

/** Ids come from the property system; they show up in events, URLs and tokens, so keep them plain. */
export const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const language = z.enum(LANGUAGES);

/** Channels a resident can consent to and be reached by (staff have their own channel kinds). */
export const RESIDENT_CHANNELS = ['sms', 'email', 'wecom'] as const;
export type ResidentChannel = (typeof RESIDENT_CHANNELS)[number];

/** `HH:MM`, 24-hour local time of the property. */
export const localTime = z
  .string()
  .trim()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a local time HH:MM (00:00-23:59)');

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

export const residentSchema = z
  .object({
    id,
    name: text(100),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, 'must be a phone number: digits, optionally +, spaces, dashes')
      .optional(),
    email: z.email('must be an e-mail address such as name@example.com').max(254).optional(),
    wecomUserId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9@._-]{1,64}$/, 'must be a WeCom user id: 1-64 letters, digits, "@", ".", "_" or "-"')
      .optional(),
    language: language.default('zh'),
    consent: z
      .object({
        sms: z.boolean().default(false),
        email: z.boolean().default(false),
        wecom: z.boolean().default(false),
      })
      .default({ sms: false, email: false, wecom: false }),
    /**
     * Consented channels, most preferred first. Empty: the consent flags' order (sms, email, wecom).
     * Every listed channel needs the resident's consent and an address for it.
     */
    channelPreferences: z.array(z.enum(RESIDENT_CHANNELS)).max(3).default([]),
    preRegisteredTrackingNumbers: z.array(preRegistration).max(200).default([]),
  })
  .superRefine((r, ctx) => {
    const address: Record<ResidentChannel, string | undefined> = {
      sms: r.phone,
      email: r.email,
      wecom: r.wecomUserId,
    };
    const seen = new Set<ResidentChannel>();
    r.channelPreferences.forEach((channel, i) => {
      // A fresh array per issue: zod prefixes the path it is given in place.
      const path = () => ['channelPreferences', i];
      if (seen.has(channel)) ctx.addIssue({ code: 'custom', path: path(), message: 'listed twice' });
      seen.add(channel);
      if (!r.consent[channel])
        ctx.addIssue({
          code: 'custom',
          path: path(),
          message: 'the resident has not consented to this channel',
        });
      else if (!address[channel])
        ctx.addIssue({
          code: 'custom',
          path: path(),
          message: 'the resident has no address for this channel',
        });
    });
  });

const unit = z.object({
  id,
  label: text(50),
  residents: z.array(residentSchema).max(50).default([]),
});

const property = z.object({
  id,
  name: text(200),
  address,
  language: language.default('zh'),
  timeZone: timeZone.optional(),
  /**
   * Local time window (property time zone) in which nobody is messaged unless a deadline cannot
   * wait; may cross midnight (22:00-07:00). null or absent: none.
   */
  quietHours: z.object({ start: localTime, end: localTime }).nullable().default(null),
  /** 'steward_only': Portico prepares, the steward sends; 'direct': Portico may message consenting residents. */
  residentOutreach: z.enum(['steward_only', 'direct']).default('steward_only'),
  units: z.array(unit).max(5_000).default([]),
});

/**
 * When a staff member is on duty at a property: ISO weekdays (1 = Monday) and/or a local time
 * window (may cross midnight; the part after midnight belongs to the day the shift started).
 * Both absent: always (while the on-duty flag is set).
 */
export const dutyWindowSchema = z
  .object({
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).nullable().default(null),
    start: localTime.nullable().default(null),
    end: localTime.nullable().default(null),
  })
  .refine((w) => (w.start === null) === (w.end === null), {
    message: 'give both start and end, or neither',
    path: ['end'],
  });
export type DutyWindow = z.output<typeof dutyWindowSchema>;

export const staffMemberSchema = z.object({
  id,
  name: text(100),
  role: z.enum(['steward', 'manager']),
  language: language.default('zh'),
  channel: z.object({
    kind: z.enum(['email', 'sms', 'wecom', 'dingtalk', 'web_push']),
    address: text(500),
  }),
  propertyIds: z.array(id).min(1).max(500),
  onDuty: z.boolean().default(false),
  /** Among several stewards on duty the highest priority gets the task (managers: first on the ladder). */
  priority: z.number().int().min(0).max(1_000).default(100),
  /** Applies to every listed property. Absent: windows set earlier stay; null: clears them. */
  dutyWindow: dutyWindowSchema.nullable().optional(),
});

export const directoryImportSchema = z
  .object({
    tenant: z.object({ id, name: text(200) }),
    // Empty when only staff are imported (the staff CSV); one of the two must have something.
    properties: z.array(property).max(1_000).default([]),
    staff: z.array(staffMemberSchema).max(5_000).default([]),
  })
  .superRefine((input, ctx) => {
    if (input.properties.length === 0 && input.staff.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['properties'],
        message: 'give at least one property or staff member',
      });
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
