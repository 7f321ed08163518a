import { z } from 'zod';
import { expediteRuleSchema, requirementsSchema } from '../cases/requirement-policy';
import { timerRulesSchema } from '../deadlines/timer-rules';
import { isCountryCode } from './country-codes';

/**
 * Request shapes of the policy API. Bodies are strict (an unknown or misspelt field is an error, not
 * silently dropped: a typo in a rule would otherwise store a policy that does something else), and
 * the rules reuse the schemas the case-opening path validates stored policies with, so nothing the
 * API accepts can be skipped as invalid when a hold arrives.
 */

/** Longest default deadline a policy may set: 30 days. Customs holds do not wait longer. */
export const MAX_DEADLINE_HOURS = 720;

export const tenantIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'must be a tenant id: letters, digits, "_", "." or "-", at most 64',
  );

/** The lowercase slug parcel ids are derived from (contracts' normaliseCarrierCode). */
const carrierCode = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lowercase carrier code such as sf-express');

const countryCode = z
  .string()
  .refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code in upper case, such as CN');

/** Hold reason -> document types, each type at most once per reason. */
const requirements = requirementsSchema.superRefine((value, ctx) => {
  for (const [reason, documents] of Object.entries(value)) {
    if (documents && new Set(documents).size !== documents.length) {
      ctx.addIssue({ code: 'custom', path: [reason], message: 'lists a document type more than once' });
    }
  }
});

/**
 * The expedite rule as the consumer reads it, but strict at its top level and with the "deadline is
 * close" window bounded like the default deadline. Left out, a policy never expedites.
 */
const expedite = expediteRuleSchema
  .strict()
  .refine((rule) => rule.deadlineWithinHours === null || rule.deadlineWithinHours <= MAX_DEADLINE_HOURS, {
    path: ['deadlineWithinHours'],
    message: `must be at most ${MAX_DEADLINE_HOURS} hours`,
  })
  .prefault({});

/** Everything a create or a replace sets, except the owning tenant. A scope field left out matches any. */
const policyFields = {
  carrierCode: carrierCode.nullable().default(null),
  originCountryCode: countryCode.nullable().default(null),
  destinationCountryCode: countryCode.nullable().default(null),
  description: z.string().trim().max(500).default(''),
  requirements,
  defaultDeadlineHours: z.number().int().min(1).max(MAX_DEADLINE_HOURS),
  expedite,
  /** Reminders, steward SLA, expedite factor; left out or null: the service default. */
  timers: timerRulesSchema.nullable().default(null),
};

/**
 * `POST /v1/policies`. `tenantId`: managers may leave it out (their own tenant is meant); operators
 * must give it, `null` creating a platform default.
 */
export const createPolicyBody = z.strictObject({
  tenantId: tenantIdSchema.nullable().optional(),
  ...policyFields,
});
export type CreatePolicyBody = z.infer<typeof createPolicyBody>;

/**
 * `PUT /v1/policies/:policyId`: the whole policy again. The owning tenant cannot change (a policy
 * moved between tenants would rewrite another tenant's history); `version` may stand in for If-Match.
 */
export const replacePolicyBody = z.strictObject({
  ...policyFields,
  version: z.number().int().positive().optional(),
});
export type ReplacePolicyBody = z.infer<typeof replacePolicyBody>;

/** The fields of a policy's rules, as created or replaced. */
export type PolicyRulesInput = Omit<ReplacePolicyBody, 'version'>;

/** `GET /v1/policies?tenantId=&includeInactive=` */
export const listPoliciesQuery = z.object({
  tenantId: tenantIdSchema.optional(),
  includeInactive: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export type ListPoliciesQuery = z.infer<typeof listPoliciesQuery>;

// An ETag as this API sends it ("3"), weak or not, or the bare number.
const IF_MATCH = /^(?:W\/)?"?([1-9]\d{0,8})"?$/;

/**
 * The version a write expects, from `If-Match` and/or the body's `version`; undefined when the
 * client gave neither (the caller answers 428: a replace without a precondition could overwrite an
 * edit it never saw). When both are given they must agree.
 */
export const versionPrecondition = z
  .object({
    'if-match': z
      .string()
      .trim()
      .regex(IF_MATCH, 'must be the ETag of the policy, such as "3"')
      .transform((v) => Number(IF_MATCH.exec(v)![1]))
      .optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((v) => v['if-match'] === undefined || v.version === undefined || v['if-match'] === v.version, {
    path: ['version'],
    message: 'must equal the version in If-Match',
  })
  .transform((v) => v['if-match'] ?? v.version);
