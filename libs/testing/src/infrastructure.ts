/** Where a piece of test infrastructure came from, in the order they are tried. */
export type InfrastructureSource = 'env' | 'testcontainers' | 'local';

export interface SourceOptions<T> {
  /** What the environment names (KAFKA_BROKERS / DATABASE_URL), if anything. */
  fromEnv(): T | undefined;
  /** Whether a Docker engine answers; must settle quickly, never hang. */
  dockerAvailable(): Promise<boolean>;
  /** Starts a container and returns how to reach it. */
  fromContainer(): Promise<T>;
  /** Makes sure the machine's own service answers (starting it if this code can) and returns it. */
  fromLocal(): Promise<T>;
}

export interface Resolved<T> {
  readonly source: InfrastructureSource;
  readonly value: T;
}

/**
 * The design's order: what the environment names wins (CI, a managed cluster); then a container
 * when a Docker engine answers; otherwise the machine's own broker/Postgres (deploy/local). A
 * container that fails to start is an error, not a silent fallback: with Docker present, a broken
 * image or pull is something to fix, and tests quietly running elsewhere would hide it.
 */
export async function resolveSource<T>(options: SourceOptions<T>): Promise<Resolved<T>> {
  const fromEnv = options.fromEnv();
  if (fromEnv !== undefined) return { source: 'env', value: fromEnv };
  if (await options.dockerAvailable())
    return { source: 'testcontainers', value: await options.fromContainer() };
  return { source: 'local', value: await options.fromLocal() };
}

/**
 * Memoises an async factory for the life of the module instance (under Jest: one test file; see
 * README note in index.ts). A failure is not cached, so a later call can try again.
 */
export function once<T>(factory: () => Promise<T>): { get(): Promise<T>; reset(): void } {
  let pending: Promise<T> | undefined;
  return {
    get() {
      pending ??= factory().catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
      return pending;
    },
    reset() {
      pending = undefined;
    },
  };
}

/** One line on stderr saying what the tests run against; console.* under Jest adds a stack trace. */
export function announce(what: string, resolved: Resolved<unknown>, detail: string): void {
  process.stderr.write(`[portico/testing] ${what}: ${resolved.source} (${detail})\n`);
}
