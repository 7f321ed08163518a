import type { ConfigDefinition, ConfigOf } from './settings';

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`${service} cannot start, its configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every setting at once, so an operator sees all problems in one go.
 * A problem names the variable and what it must be; a secret's value is never echoed.
 */
export function loadConfig<D extends ConfigDefinition>(
  service: string,
  definition: D,
  env: Environment,
): ConfigOf<D> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(definition)) {
    const raw = env[s.env];
    const parsed = s.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) {
      values[key] = parsed.data;
      continue;
    }
    const reason =
      raw === undefined || raw === '' ? 'is required' : parsed.error.issues.map((i) => i.message).join('; ');
    const shown = s.secret || raw === undefined ? '' : ` (got "${raw.slice(0, 80)}")`;
    problems.push(`${s.env} ${reason}${shown}: ${s.description}`);
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return Object.freeze(values) as ConfigOf<D>;
}

/** The configuration as it may be logged: secrets replaced by a marker. */
export function describeConfig<D extends ConfigDefinition>(
  definition: D,
  config: ConfigOf<D>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(definition)) {
    out[s.env] = s.secret ? '[secret]' : (config as Record<string, unknown>)[key];
  }
  return out;
}

/** The process environment: the only place in the code base that reads it. */
export function processEnvironment(): Environment {
  return process.env;
}

/**
 * For a process entry point: loads the configuration or prints every problem (secrets never shown)
 * and exits with status 78 (EX_CONFIG) before anything else starts.
 */
export function loadConfigOrExit<D extends ConfigDefinition>(
  service: string,
  definition: D,
  env: Environment = processEnvironment(),
): ConfigOf<D> {
  try {
    return loadConfig(service, definition, env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(78);
  }
}
