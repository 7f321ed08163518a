// @portico/timers: durable timers (deadlines, reminders, escalations, purges) as rows in the
// service's Postgres, scheduled in the caller's transaction and fired with SKIP LOCKED, never
// in-memory setTimeout: a restart loses none.
export { createTimersMigration, TIMERS_MIGRATION_TIMESTAMP, type MigrationClass } from './timers.migration';
export { TimerScheduler, type OnExistingTimer } from './timer-scheduler';
export {
  TimerRunner,
  TIMER_CLAIM_SQL,
  TIMERS_TRACER_NAME,
  UnknownTimerKindError,
  type TimerRunnerOptions,
} from './timer-runner';
export type { ScheduleTimer, Timer, TimerBatchHandler, TimerHandler } from './timer';
export { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './backoff';
export { nextPollDelayMs, type PollOutcome, type PollSettings } from './poll-decision';
export { describeFailure, MAX_ERROR_LENGTH } from './failure-message';
export { keyPrefix } from './timer-key';
