import type { Logger } from '@portico/observability';

/**
 * What happens on SIGTERM/SIGINT, in order:
 *  1. readiness turns to `draining` (load balancers stop sending new work);
 *  2. `app.close()` runs Nest's lifecycle: onModuleDestroy, beforeApplicationShutdown, then the HTTP
 *     server stops accepting connections and waits for in-flight requests, then onApplicationShutdown
 *     hooks run — the place for Kafka consumers (finish the batch, commit offsets) and the outbox
 *     relay to stop. The database pool is closed by the global TypeORM module, whose hook runs after
 *     those of non-global modules, so consumers can still commit their transactions;
 *  3. spans are flushed (`afterClose`);
 *  4. the process exits 0 — or 1 when any of it fails or SHUTDOWN_TIMEOUT_MS passes first.
 */
export interface ShutdownTarget {
  close(signal?: string): Promise<void>;
}

export interface ProcessLike {
  on(event: string, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(event: string, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export interface GracefulShutdownOptions {
  app: ShutdownTarget;
  timeoutMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'fatal'>;
  signals?: NodeJS.Signals[];
  onDraining?: () => void;
  afterClose?: () => Promise<void>;
  process?: ProcessLike;
  /** Injected for tests. */
  setTimer?: (fn: () => void, ms: number) => { unref?(): unknown };
  now?: () => number;
}

export interface GracefulShutdown {
  /** Runs the same sequence as a signal would; resolves with the exit code it chose. */
  shutdown(reason: string): Promise<number>;
  dispose(): void;
}

export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const proc = options.process ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const now = options.now ?? (() => Date.now());
  const { logger } = options;
  let running: Promise<number> | undefined;
  let exited = false;

  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    proc.exit(code);
  };

  const shutdown = (reason: string): Promise<number> => {
    if (running) {
      logger.warn({ reason }, 'shutdown already in progress');
      return running;
    }
    const started = now();
    logger.info({ reason, timeoutMs: options.timeoutMs }, 'shutting down');
    const deadline = setTimer(() => {
      logger.fatal(
        { timeoutMs: options.timeoutMs },
        'shutdown did not finish within SHUTDOWN_TIMEOUT_MS, exiting',
      );
      exit(1);
    }, options.timeoutMs);
    deadline.unref?.();
    running = (async () => {
      let code = 0;
      try {
        options.onDraining?.();
        await options.app.close(reason);
      } catch (err) {
        code = 1;
        logger.error({ err }, 'error while closing the application');
      }
      try {
        await options.afterClose?.();
      } catch (err) {
        logger.warn({ err }, 'error after the application closed');
      }
      if (!exited) logger.info({ durationMs: now() - started, exitCode: code }, 'stopped');
      exit(code);
      return code;
    })();
    return running;
  };

  // Listeners stay installed during the drain, so a second signal is logged instead of killing the process mid-drain.
  const onSignal = (signal: NodeJS.Signals) => {
    void shutdown(signal);
  };
  for (const signal of signals) proc.on(signal, onSignal);

  return {
    shutdown,
    dispose() {
      for (const signal of signals) proc.removeListener(signal, onSignal);
    },
  };
}
