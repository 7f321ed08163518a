// Integration-test plumbing: a fresh database per test file (from @portico/testing) with the
// timers table migrated and a `side_effects` table that test handlers write in the runner's
// transaction, so "fired exactly once" is checked on committed effects, not on handler calls.
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { createTimersMigration } from '../timers.migration';

export type TimersTestDatabase = MigratedTestDatabase;

export function createTimersTestDatabase(prefix: string): Promise<TimersTestDatabase> {
  return createMigratedTestDatabase(prefix, [createTimersMigration()], {
    setupSql: [
      `CREATE TABLE side_effects (
        id         bigserial   PRIMARY KEY,
        timer_key  text        NOT NULL,
        kind       text        NOT NULL,
        fired_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        runner     text        NULL
      )`,
    ],
  });
}

/** Polls until `check` is truthy. */
export async function waitUntil(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(private nowMs: number) {}
  readonly now = (): Date => new Date(this.nowMs);
  advance(ms: number): void {
    this.nowMs += ms;
  }
}
