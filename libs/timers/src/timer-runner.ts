import { Logger, type LoggerService } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import type { DataSource, QueryRunner } from 'typeorm';
import { DEFAULT_RETRY_POLICY, retryDelayMs, validatePolicy, type RetryPolicy } from './backoff';
import { describeFailure } from './failure-message';
import { nextPollDelayMs, type PollOutcome, type PollSettings } from './poll-decision';
import type { Timer, TimerBatchHandler, TimerHandler } from './timer';
import { keyPrefix } from './timer-key';
import { createTimerMetrics, type FireOutcome, type TimerMetrics } from './timer-metrics';

export const TIMERS_TRACER_NAME = '@portico/timers';

export interface TimerRunnerOptions {
  readonly dataSource: DataSource;
  /** Handlers by timer kind; more can be added with register(). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own payload type
  readonly handlers?: Readonly<Record<string, TimerHandler<any>>>;
  /** Timers claimed per transaction (default 100). */
  readonly batchSize?: number;
  /**
   * Claim loops running side by side in this process (default 1), each with its own connection
   * and transaction; SKIP LOCKED keeps them apart exactly as it keeps separate runners apart.
   */
  readonly concurrency?: number;
  /** Wait between polls when the last batch was not full (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** Cap of the back-off while polling itself fails (default 30 s). */
  readonly maxErrorBackoffMs?: number;
  /** Back-off of a failing timer (default 1 s doubling to 1 h). */
  readonly retry?: RetryPolicy;
  /** What "now" is for due times and lateness; tests pass a fake one. */
  readonly clock?: () => Date;
  readonly metricsRegistry?: Registry;
  readonly logger?: LoggerService;
}

/** Thrown (and handled as a failure) for a timer whose kind has no handler in this runner. */
export class UnknownTimerKindError extends Error {
  constructor(kind: string) {
    super(`no handler registered for timer kind "${kind}"`);
    this.name = 'UnknownTimerKindError';
  }
}

interface TimerRow {
  id: string;
  key: string;
  kind: string;
  due_at: Date;
  payload: unknown;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

interface Attempt {
  readonly timer: Timer;
  readonly outcome: FireOutcome;
  readonly startedAt: Date;
  readonly span: Span;
}

// The index timers_pending_due_idx serves the inner query exactly. SKIP LOCKED: timers another
// runner has claimed (or a caller's uncommitted schedule is still writing) are passed over, not
// waited for, so any number of runners share the table and none fires a timer another one holds.
// Claiming deletes in the same statement (one round trip for the batch); the deletion commits
// only with the batch, so a crash before the commit leaves every claimed timer due again.
// Exported for benchmarks that EXPLAIN it ($1 = now, $2 = batch size).
export const TIMER_CLAIM_SQL = `
  DELETE FROM timers WHERE id IN (
    SELECT id FROM timers
     WHERE due_at <= $1 AND claimed_until IS NULL
     ORDER BY due_at, id
     LIMIT $2
     FOR UPDATE SKIP LOCKED)
  RETURNING id, key, kind, due_at, payload, attempts, last_error, created_at`;

// A failed timer goes back with its id, key and creation time, one more attempt and its retry time.
const RESTORE_SQL = `
  INSERT INTO timers (id, key, kind, due_at, payload, attempts, last_error, created_at)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`;

/** A handler threw during the optimistic pass: the batch is rolled back and fired one by one. */
class BatchNeedsIsolation extends Error {}

/**
 * Fires due timers. One poll is one transaction: claim up to batchSize due timers (deleted with
 * row locks, FOR UPDATE SKIP LOCKED), then run each handler, in due order, with the transaction's
 * EntityManager. The batch commits once at the end, so a handler's effects and its timer's
 * deletion commit together, and a crash anywhere before the commit rolls everything back and leaves
 * the timers due for the next runner: at-least-once attempts, exactly-once committed effects.
 *
 * Optimistic first, isolated on failure: a batch runs its handlers without savepoints (the common
 * case, every handler succeeds, costs only the handlers' own queries and one commit). When one
 * throws, the whole batch rolls back and the same poll claims again in isolated mode, each timer in
 * a SAVEPOINT: a failing handler loses only its own work, its timer goes back with one more attempt
 * and a back-off, the others commit. The others' handlers ran twice then, once rolled back: handler
 * attempts are at-least-once anyway, committed effects are not.
 *
 * One commit (one fsync) per batch keeps a backlog of thousands cheap. The cost: a batch's locks
 * are held until its last handler finishes, so handlers must be short database work (state change
 * + outbox event); anything slow belongs behind an outbox event, not in a timer.
 *
 * The row is deleted before the handler runs so a handler may schedule the same key again (a
 * recurring reminder): that inserts a fresh row instead of updating the one about to be deleted.
 */
export class TimerRunner {
  private readonly handlers = new Map<string, TimerHandler<unknown>>();
  private readonly batchHandlers = new Map<string, TimerBatchHandler<unknown>>();
  private readonly dataSource: DataSource;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly poll: PollSettings;
  private readonly retry: RetryPolicy;
  private readonly clock: () => Date;
  private readonly metrics: TimerMetrics;
  private readonly logger: LoggerService;
  private loop?: Promise<void>;
  private abort = new AbortController();

  constructor(options: TimerRunnerOptions) {
    this.dataSource = options.dataSource;
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new Error('concurrency must be >= 1');
    this.poll = {
      batchSize: this.batchSize,
      intervalMs: options.pollIntervalMs ?? 250,
      maxErrorBackoffMs: options.maxErrorBackoffMs ?? 30_000,
    };
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error('batchSize must be >= 1');
    if (!(this.poll.intervalMs > 0)) throw new Error('pollIntervalMs must be > 0');
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    validatePolicy(this.retry);
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? new Logger(TimerRunner.name);
    this.metrics = createTimerMetrics(options.metricsRegistry ?? new Registry(), () => this.countPending());
    for (const [kind, handler] of Object.entries(options.handlers ?? {})) this.register(kind, handler);
  }

  /** Adds the handler of `kind`. A kind has one handler: registering it twice is a wiring bug. */
  register<P>(kind: string, handler: TimerHandler<P>): this {
    this.assertUnregistered(kind);
    this.handlers.set(kind, handler as TimerHandler<unknown>);
    return this;
  }

  /**
   * Adds a handler that takes all due timers of `kind` of a claimed batch in one call (in due
   * order), for kinds that fire in bulk (reminders): it can read and write for all of them in a few
   * statements. When the call throws, the batch is re-run one timer at a time, the handler called
   * with a single timer each, so a failing timer is isolated exactly as with register().
   */
  registerBatch<P>(kind: string, handler: TimerBatchHandler<P>): this {
    this.assertUnregistered(kind);
    this.batchHandlers.set(kind, handler as TimerBatchHandler<unknown>);
    return this;
  }

  private assertUnregistered(kind: string): void {
    if (this.handlers.has(kind) || this.batchHandlers.has(kind)) {
      throw new Error(`a handler for timer kind "${kind}" is already registered`);
    }
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Starts polling (call from the service's bootstrap hook). Idempotent. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.loop = Promise.all(Array.from({ length: this.concurrency }, () => this.run(signal))).then(
      () => undefined,
    );
  }

  /**
   * Stops polling: the batch in flight finishes and commits (its handlers are not interrupted), no
   * new one is claimed. Call from the service's shutdown hook, before the DataSource is destroyed.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** One poll: claims and fires what is due now. @returns how many timers were claimed. */
  async fireDue(): Promise<number> {
    try {
      return await this.fireBatch('optimistic');
    } catch (error) {
      if (!(error instanceof BatchNeedsIsolation)) throw error;
      return this.fireBatch('isolated');
    }
  }

  private async fireBatch(mode: 'optimistic' | 'isolated'): Promise<number> {
    const queryRunner = this.dataSource.createQueryRunner();
    const attempts: Attempt[] = [];
    try {
      await queryRunner.connect();
      await queryRunner.startTransaction();
      const rows = deletedRows(await queryRunner.query(TIMER_CLAIM_SQL, [this.clock(), this.batchSize]));
      // RETURNING has no order: fire in due order
      rows.sort((x, y) => x.due_at.getTime() - y.due_at.getTime() || Number(x.id) - Number(y.id));
      const timers = rows.map(toTimer);
      for (let i = 0; i < timers.length;) {
        const batchHandler = mode === 'optimistic' ? this.batchHandlers.get(timers[i]!.kind) : undefined;
        if (batchHandler) {
          // the run of consecutive timers of this kind, one call
          let end = i;
          while (end < timers.length && timers[end]!.kind === timers[i]!.kind) end += 1;
          attempts.push(...(await this.fireOptimisticRun(queryRunner, timers.slice(i, end), batchHandler)));
          i = end;
          continue;
        }
        const timer = timers[i]!;
        attempts.push(
          mode === 'optimistic'
            ? await this.fireOptimistic(queryRunner, timer)
            : await this.fireIsolated(queryRunner, timer),
        );
        i += 1;
      }
      await queryRunner.commitTransaction();
    } catch (error) {
      // Everything in this batch is rolled back: the timers are due again for any runner.
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
      const message =
        error instanceof BatchNeedsIsolation
          ? 'batch retried one timer at a time'
          : 'timer batch rolled back';
      for (const attempt of attempts) {
        attempt.span.setStatus({ code: SpanStatusCode.ERROR, message });
        attempt.span.end();
      }
      throw error;
    } finally {
      await queryRunner.release();
    }
    // Metrics and spans only after the commit: a batch that rolled back fired nothing.
    for (const attempt of attempts) this.recordCommitted(attempt);
    return attempts.length;
  }

  private startSpan(timer: Timer): Span {
    return trace.getTracer(TIMERS_TRACER_NAME).startSpan(`timer ${timer.kind}`, {
      kind: SpanKind.INTERNAL,
      // kind and key prefix only: keys may carry more, payloads may carry personal data.
      attributes: { 'portico.timer.kind': timer.kind, 'portico.timer.key_prefix': keyPrefix(timer.key) },
    });
  }

  private async runHandler(queryRunner: QueryRunner, timer: Timer): Promise<void> {
    const batchHandler = this.batchHandlers.get(timer.kind);
    if (batchHandler) return batchHandler([timer], queryRunner.manager);
    const handler = this.handlers.get(timer.kind);
    if (!handler) throw new UnknownTimerKindError(timer.kind);
    await handler(timer, queryRunner.manager);
  }

  /**
   * Several timers of one kind in one batch-handler call, no savepoint. Each timer keeps its own
   * span (ended with the commit); the call runs in the first one's context, so what the handler
   * writes continues a timer's trace.
   */
  private async fireOptimisticRun(
    queryRunner: QueryRunner,
    timers: readonly Timer[],
    handler: TimerBatchHandler<unknown>,
  ): Promise<Attempt[]> {
    const startedAt = this.clock();
    const spans = timers.map((t) => this.startSpan(t));
    for (const span of spans) span.setAttribute('portico.timer.batch_size', timers.length);
    try {
      await context.with(trace.setSpan(context.active(), spans[0]!), () =>
        handler(timers, queryRunner.manager),
      );
    } catch {
      for (const span of spans) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: 'handler failed; batch retried one timer at a time',
        });
        span.end();
      }
      throw new BatchNeedsIsolation();
    }
    return timers.map((timer, i) => ({ timer, outcome: 'fired' as const, startedAt, span: spans[i]! }));
  }

  /** No savepoint: a throw sends the whole batch to isolated mode. */
  private async fireOptimistic(queryRunner: QueryRunner, timer: Timer): Promise<Attempt> {
    const span = this.startSpan(timer);
    const startedAt = this.clock();
    // The span is active while the handler runs, so its queries and the outbox events it writes
    // continue this trace.
    return context.with(trace.setSpan(context.active(), span), async (): Promise<Attempt> => {
      try {
        await this.runHandler(queryRunner, timer);
        return { timer, outcome: 'fired', startedAt, span };
      } catch {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: 'handler failed; batch retried one timer at a time',
        });
        span.end();
        throw new BatchNeedsIsolation();
      }
    });
  }

  private async fireIsolated(queryRunner: QueryRunner, timer: Timer): Promise<Attempt> {
    const span = this.startSpan(timer);
    const startedAt = this.clock();
    return context.with(trace.setSpan(context.active(), span), async (): Promise<Attempt> => {
      await queryRunner.startTransaction(); // nested: SAVEPOINT
      try {
        await this.runHandler(queryRunner, timer);
        await queryRunner.commitTransaction(); // RELEASE SAVEPOINT
        return { timer, outcome: 'fired', startedAt, span };
      } catch (error) {
        // If this rollback fails the connection is gone: the error escapes and the whole batch
        // rolls back, which is just as safe.
        await queryRunner.rollbackTransaction(); // ROLLBACK TO SAVEPOINT: the handler's work is gone
        await this.recordFailure(queryRunner, timer, error, span);
        return { timer, outcome: 'failed', startedAt, span };
      }
    });
  }

  private async recordFailure(
    queryRunner: QueryRunner,
    timer: Timer,
    error: unknown,
    span: Span,
  ): Promise<void> {
    const failures = timer.attempts + 1;
    const message = describeFailure(error, timer.payload);
    const delayMs = retryDelayMs(failures, this.retry);
    const retryAt = new Date(this.clock().getTime() + delayMs);
    // the claim deleted the row (outside the savepoint): it goes back as it was, one attempt more
    await queryRunner.query(RESTORE_SQL, [
      timer.id,
      timer.key,
      timer.kind,
      retryAt,
      JSON.stringify(timer.payload ?? {}),
      failures,
      message,
      timer.createdAt,
    ]);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    this.logger.warn(
      `timer ${timer.kind} (${keyPrefix(timer.key)}) failed attempt ${failures}, retrying in ${delayMs} ms: ${message}`,
    );
  }

  private recordCommitted({ timer, outcome, startedAt, span }: Attempt): void {
    this.metrics.fired.inc({ kind: timer.kind, outcome });
    if (outcome === 'fired') {
      this.metrics.lateness.observe(
        { kind: timer.kind },
        Math.max(0, (startedAt.getTime() - timer.dueAt.getTime()) / 1_000),
      );
    }
    span.end();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let consecutiveFailures = 0;
    while (!signal.aborted) {
      let outcome: PollOutcome;
      try {
        outcome = { kind: 'claimed', count: await this.fireDue() };
        consecutiveFailures = 0;
      } catch (error) {
        consecutiveFailures += 1;
        outcome = { kind: 'failed', consecutiveFailures };
        this.logger.error(`timer poll rolled back: ${(error as Error).message}`);
      }
      const delayMs = nextPollDelayMs(outcome, this.poll);
      if (delayMs > 0) await sleep(delayMs, signal);
    }
  }

  private async countPending(): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM timers`)) as Array<{
      n: number;
    }>;
    return row?.n ?? 0;
  }
}

/** TypeORM's postgres driver answers DELETE … RETURNING with [rows, affected count]. */
function deletedRows(result: unknown): TimerRow[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]))
    return result[0] as TimerRow[];
  return result as TimerRow[];
}

function toTimer(row: TimerRow): Timer {
  return {
    id: String(row.id),
    key: row.key,
    kind: row.kind,
    dueAt: row.due_at,
    payload: row.payload,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

/** setTimeout that resolves early when the signal aborts (stop() must not wait out an interval). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
