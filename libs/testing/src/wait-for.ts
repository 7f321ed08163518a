export interface WaitForOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("outbox row published"). */
  description?: string;
}

export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

export class WaitForTimeoutError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly lastValue: unknown,
    readonly lastError: unknown,
  ) {
    super(message, lastError === undefined ? undefined : { cause: lastError });
    this.name = 'WaitForTimeoutError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` until it returns (or resolves to) a truthy value and returns that value.
 * A throwing predicate counts as "not yet": assertions can be polled as they are. On timeout the
 * error says what was awaited, how often it was tried, and the last value or error seen, which is
 * usually the whole diagnosis. An attempt that hangs is cut off at the deadline, not waited for.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 100, description = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last: Outcome = { kind: 'none' };
  for (;;) {
    attempts += 1;
    try {
      const value = await beforeDeadline(Promise.resolve().then(predicate), deadline);
      if (value === TIMED_OUT) {
        last = { kind: 'hung' };
      } else if (value) {
        return value as Truthy<T>;
      } else {
        last = { kind: 'value', value };
      }
    } catch (error) {
      last = { kind: 'error', error };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new WaitForTimeoutError(
        `waitFor: ${description} not met within ${timeoutMs} ms ` +
          `(${attempts} attempt${attempts === 1 ? '' : 's'}); ${describe(last)}`,
        attempts,
        last.kind === 'value' ? last.value : undefined,
        last.kind === 'error' ? last.error : undefined,
      );
    }
    await sleep(Math.min(intervalMs, remaining));
  }
}

type Outcome =
  { kind: 'none' } | { kind: 'hung' } | { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown };

const TIMED_OUT = Symbol('timed out');

async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(last: Outcome): string {
  switch (last.kind) {
    case 'none':
      return 'the predicate never ran';
    case 'hung':
      return 'the last attempt was still running at the deadline';
    case 'value':
      return `last value: ${preview(last.value)}`;
    case 'error': {
      const message = last.error instanceof Error ? last.error.message : String(last.error);
      return `last error: ${message.length > 500 ? `${message.slice(0, 500)}...` : message}`;
    }
  }
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch {
    return String(value);
  }
}
