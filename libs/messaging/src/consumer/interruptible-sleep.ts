/** Raised when a wait is cut short because the consumer is closing or lost its partitions; the
 * record is left uncommitted and will be delivered again. */
export class DeliveryAbandonedError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`delivery abandoned: ${reason}`, options);
    this.name = 'DeliveryAbandonedError';
  }
}

/** setTimeout that resolves early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Waits until `epochMs`, heartbeating so the group does not evict the consumer during long
 * back-offs. Throws DeliveryAbandonedError when closing or when the heartbeat reports a rebalance.
 */
export async function sleepUntil(
  epochMs: number,
  options: { signal: AbortSignal; heartbeat: () => Promise<void>; now?: () => number; stepMs?: number },
): Promise<void> {
  const now = options.now ?? Date.now;
  const step = options.stepMs ?? 1_000;
  for (;;) {
    if (options.signal.aborted) throw new DeliveryAbandonedError('consumer is closing');
    const remaining = epochMs - now();
    if (remaining <= 0) return;
    await sleep(Math.min(remaining, step), options.signal);
    try {
      await options.heartbeat();
    } catch (error) {
      throw new DeliveryAbandonedError('heartbeat failed (rebalance?)', { cause: error });
    }
  }
}
