import type { EntityManager } from 'typeorm';

/** A timer as the runner hands it to its handler. */
export interface Timer<P = unknown> {
  /** bigserial, as a string: pg returns int8 as text so no precision is lost. */
  readonly id: string;
  readonly key: string;
  readonly kind: string;
  /** When it was due for this attempt (after a failure: the retry time, not the original one). */
  readonly dueAt: Date;
  readonly payload: P;
  /** Failed attempts before this one. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

/**
 * Runs one due timer. `manager` is the runner's open transaction: write the state change and any
 * outbox event through it, so they commit together with the timer's deletion (or not at all).
 * Throwing rolls back this timer's effects only; it is retried later with back-off.
 */
export type TimerHandler<P = unknown> = (timer: Timer<P>, manager: EntityManager) => Promise<void>;

/**
 * Runs all due timers of one kind of a claimed batch (in due order) through the runner's open
 * transaction, like TimerHandler for each of them. Throwing rolls the batch back; it is then re-run
 * one timer at a time (the handler called with one timer each), so failures stay isolated.
 */
export type TimerBatchHandler<P = unknown> = (
  timers: readonly Timer<P>[],
  manager: EntityManager,
) => Promise<void>;

export interface ScheduleTimer<P = unknown> {
  /**
   * Unique among pending timers; scheduling a key that is already pending updates that timer
   * instead of adding a second one. Convention `<purpose>:<entity id>[:<more>]`: the part before
   * the first `:` is what traces show (see keyPrefix), and cancelByPrefix works on these segments.
   */
  readonly key: string;
  /** Selects the handler. */
  readonly kind: string;
  readonly dueAt: Date;
  /** JSON. Never logged, never traced, never stored in last_error. */
  readonly payload?: P;
}
