/** How long to wait for a Docker engine to answer before concluding there is none. */
export const DOCKER_CHECK_TIMEOUT_MS = 3_000;

/**
 * True when Testcontainers finds a working container runtime. Testcontainers runs its own strategy
 * list (DOCKER_HOST, ~/.testcontainers.properties, the default socket, rootless, ...); without an
 * engine that fails in milliseconds, but a DOCKER_HOST pointing at an unreachable host could hang,
 * so the answer is capped. testcontainers is loaded only here, only when needed (~0.4 s to load).
 */
export async function isDockerAvailable(timeoutMs = DOCKER_CHECK_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    // A hanging probe must not keep the test process alive after the tests are done.
    timer.unref();
  });
  const probe = import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
  try {
    return await Promise.race([probe, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

let cached: Promise<boolean> | undefined;

/** isDockerAvailable, asked once per module instance: Kafka and Postgres share the answer. */
export function dockerAvailable(): Promise<boolean> {
  cached ??= isDockerAvailable();
  return cached;
}
