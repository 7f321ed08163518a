import { z } from 'zod';

/**
 * One setting: where it comes from (an environment variable), what it must look like, and whether
 * it is a secret. Secrets are never printed: not in errors, not in the start-up summary.
 */
export interface Setting<T> {
  readonly env: string;
  readonly schema: z.ZodType<T>;
  readonly secret: boolean;
  readonly description: string;
}

export function setting<T>(
  env: string,
  schema: z.ZodType<T>,
  description: string,
  opts: { secret?: boolean } = {},
): Setting<T> {
  return { env, schema, secret: opts.secret ?? false, description };
}

export type ConfigDefinition = Record<string, Setting<unknown>>;
export type ConfigOf<D extends ConfigDefinition> = {
  readonly [K in keyof D]: D[K] extends Setting<infer T> ? T : never;
};

/** Reusable schemas for settings every service has. */
export const schemas = {
  port: z.coerce.number().int().min(1).max(65535),
  postgresUrl: z
    .string()
    .url()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL'),
  brokerList: z
    .string()
    .min(1)
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  optionalUrl: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  milliseconds: z.coerce.number().int().min(0),
  /** `true`/`false` (also 1/0, yes/no); anything else is refused rather than read as false. */
  flag: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  token: z.string().min(24, 'must be at least 24 characters'),
};
