import { installTestTracing } from '@portico/testing';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import {
  createTimersTestDatabase,
  FakeClock,
  waitUntil,
  type TimersTestDatabase,
} from './test-support/integration';
import type { Timer, TimerHandler } from './timer';
import { TimerRunner, type TimerRunnerOptions } from './timer-runner';
import { TimerScheduler } from './timer-scheduler';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const scheduler = new TimerScheduler();

describe('@portico/timers (real Postgres)', () => {
  let db: TimersTestDatabase;
  const runners: TimerRunner[] = [];

  beforeAll(async () => {
    db = await createTimersTestDatabase('timers_int');
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await db.dataSource.query(`TRUNCATE timers, side_effects`);
  });
  afterAll(async () => {
    await db.drop();
  });

  function runner(options: Partial<TimerRunnerOptions> = {}): TimerRunner {
    const r = new TimerRunner({ dataSource: db.dataSource, logger: silentLogger, ...options });
    runners.push(r);
    return r;
  }

  const schedule = (key: string, kind: string, dueAt: Date, payload: unknown = {}) =>
    db.dataSource.transaction((m) => scheduler.schedule(m, { key, kind, dueAt, payload }));

  /** A handler that records its firing in side_effects, in the runner's transaction. */
  const recording =
    (runnerName = 'r'): TimerHandler =>
    async (timer: Timer, manager: EntityManager) => {
      await manager.query(`INSERT INTO side_effects (timer_key, kind, runner) VALUES ($1, $2, $3)`, [
        timer.key,
        timer.kind,
        runnerName,
      ]);
    };

  const pendingRows = () =>
    db.dataSource.query(`SELECT key, kind, due_at, payload, attempts, last_error FROM timers ORDER BY key`);
  const effects = async () =>
    (await db.dataSource.query(`SELECT timer_key FROM side_effects ORDER BY id`)).map(
      (r: { timer_key: string }) => r.timer_key,
    );
  const count = async (table: 'timers' | 'side_effects') =>
    Number((await db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

  describe('TimerScheduler', () => {
    it('keeps one timer per key: a second schedule moves it (due_at, payload), or keeps it with onExisting keep', async () => {
      await schedule('sla:prc_1', 'sla', new Date(T0), { v: 1 });
      await schedule('sla:prc_1', 'sla', new Date(T0 + 60_000), { v: 2 });
      let rows = await pendingRows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ key: 'sla:prc_1', payload: { v: 2 }, attempts: 0 });
      expect(new Date(rows[0].due_at).getTime()).toBe(T0 + 60_000);

      const kept = await db.dataSource.transaction((m) =>
        scheduler.schedule(
          m,
          { key: 'sla:prc_1', kind: 'sla', dueAt: new Date(T0), payload: { v: 3 } },
          {
            onExisting: 'keep',
          },
        ),
      );
      expect(kept).toBe(false);
      rows = await pendingRows();
      expect(rows[0].payload).toEqual({ v: 2 });
    });

    it('refuses to move a pending key to another kind', async () => {
      await schedule('sla:prc_2', 'sla', new Date(T0));
      await expect(schedule('sla:prc_2', 'reminder', new Date(T0))).rejects.toThrow(/another kind/);
      expect((await pendingRows())[0].kind).toBe('sla');
    });

    it('commits and rolls back with the caller’s transaction', async () => {
      await expect(
        db.dataSource.transaction(async (m) => {
          await scheduler.schedule(m, { key: 'sla:rolled-back', kind: 'sla', dueAt: new Date(T0) });
          throw new Error('state change failed');
        }),
      ).rejects.toThrow('state change failed');
      await schedule('sla:committed', 'sla', new Date(T0));
      expect((await pendingRows()).map((r: { key: string }) => r.key)).toEqual(['sla:committed']);
    });

    it('schedules several timers in one statement, moving pending ones, refusing a kind clash', async () => {
      await schedule('case:cc_1:ack', 'sla', new Date(T0), { v: 1 });
      await db.dataSource.transaction((m) =>
        scheduler.scheduleMany(m, [
          { key: 'case:cc_1:ack', kind: 'sla', dueAt: new Date(T0 + 1_000), payload: { v: 2 } },
          { key: 'case:cc_1:reminder', kind: 'reminder', dueAt: new Date(T0 + 2_000) },
        ]),
      );
      const rows = await pendingRows();
      expect(rows.map((r: { key: string; payload: unknown }) => [r.key, r.payload])).toEqual([
        ['case:cc_1:ack', { v: 2 }],
        ['case:cc_1:reminder', {}],
      ]);
      await expect(
        db.dataSource.transaction((m) =>
          scheduler.scheduleMany(m, [
            { key: 'case:cc_1:new', kind: 'sla', dueAt: new Date(T0) },
            { key: 'case:cc_1:ack', kind: 'reminder', dueAt: new Date(T0) },
          ]),
        ),
      ).rejects.toThrow(/another kind/);
      await expect(
        db.dataSource.transaction((m) =>
          scheduler.scheduleMany(m, [
            { key: 'case:cc_1:x', kind: 'sla', dueAt: new Date(T0) },
            { key: 'case:cc_1:x', kind: 'sla', dueAt: new Date(T0) },
          ]),
        ),
      ).rejects.toThrow(/distinct keys/);
      expect((await pendingRows()).map((r: { key: string }) => r.key)).toEqual([
        'case:cc_1:ack',
        'case:cc_1:reminder',
      ]);
    });

    it('needs an open transaction', async () => {
      await expect(
        scheduler.schedule(db.dataSource.manager, { key: 'k:1', kind: 'sla', dueAt: new Date(T0) }),
      ).rejects.toThrow(/open transaction/);
    });

    it('cancels by key and by literal prefix', async () => {
      for (const key of ['r:prc_1:a', 'r:prc_1:b', 'r:prc_12:a', 'r:prc%1:a', 'other:prc_1:a']) {
        await schedule(key, 'r', new Date(T0));
      }
      const byKey = await db.dataSource.transaction((m) => scheduler.cancel(m, 'other:prc_1:a'));
      const again = await db.dataSource.transaction((m) => scheduler.cancel(m, 'other:prc_1:a'));
      expect([byKey, again]).toEqual([true, false]);
      // `_` and `%` are literal: 'r:prc%1:' must not match 'r:prc_1:...' and vice versa
      expect(await db.dataSource.transaction((m) => scheduler.cancelByPrefix(m, 'r:prc_1:'))).toBe(2);
      expect(await db.dataSource.transaction((m) => scheduler.cancelByPrefix(m, 'r:prc%'))).toBe(1);
      expect((await pendingRows()).map((r: { key: string }) => r.key)).toEqual(['r:prc_12:a']);
    });
  });

  describe('TimerRunner', () => {
    it('fires due timers once, in due order, and none before it is due', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      const r = runner({
        clock: clock.now,
        handlers: {
          reminder: async (timer, m) => {
            fired.push(timer.key);
            await recording()(timer, m);
          },
        },
      });
      // scheduled out of order; one already overdue
      await schedule('rem:c', 'reminder', new Date(T0 + 3_000));
      await schedule('rem:a', 'reminder', new Date(T0 - 5_000));
      await schedule('rem:b', 'reminder', new Date(T0 + 1_000));
      await schedule('rem:later', 'reminder', new Date(T0 + 60_000));

      expect(await r.fireDue()).toBe(1); // only the overdue one
      clock.advance(3_000);
      expect(await r.fireDue()).toBe(2);
      expect(await r.fireDue()).toBe(0);
      expect(fired).toEqual(['rem:a', 'rem:b', 'rem:c']);
      expect(await effects()).toEqual(['rem:a', 'rem:b', 'rem:c']);
      expect((await pendingRows()).map((x: { key: string }) => x.key)).toEqual(['rem:later']);

      clock.advance(57_000);
      expect(await r.fireDue()).toBe(1);
      expect(await count('timers')).toBe(0);
      expect(await count('side_effects')).toBe(4);
    });

    it('retries a failing handler with capped exponential back-off without blocking others', async () => {
      const clock = new FakeClock(T0);
      const registry = new Registry();
      const r = runner({
        clock: clock.now,
        metricsRegistry: registry,
        retry: { baseMs: 1_000, maxMs: 3_000 },
        handlers: {
          ok: recording(),
          flaky: async (timer, m) => {
            await recording()(timer, m); // rolled back with the failure
            // down for its first three recorded attempts (the runner may call a handler more than
            // once per attempt: an optimistic batch that failed is re-run one timer at a time)
            if (timer.attempts < 3)
              throw new Error(`carrier down for ${String((timer.payload as { email: string }).email)}`);
          },
        },
      });
      await schedule('flaky:prc_1', 'flaky', new Date(T0 - 2), { email: 'anna@example.com' });
      await schedule('ok:prc_2', 'ok', new Date(T0 - 1));
      await schedule('mystery:prc_3', 'unregistered', new Date(T0));

      expect(await r.fireDue()).toBe(3);
      expect(await effects()).toEqual(['ok:prc_2']); // the flaky one's insert was rolled back
      const [firstFlaky, mystery] = await pendingRows();
      let flaky = firstFlaky;
      expect(flaky).toMatchObject({ key: 'flaky:prc_1', attempts: 1 });
      expect(flaky.last_error).toBe('Error: carrier down for [redacted]');
      expect(new Date(flaky.due_at).getTime()).toBe(T0 + 1_000);
      expect(mystery).toMatchObject({ attempts: 1 });
      expect(mystery.last_error).toMatch(/no handler registered for timer kind "unregistered"/);

      expect(await r.fireDue()).toBe(0); // not due again yet
      clock.advance(1_000);
      expect(await r.fireDue()).toBe(2); // flaky and the unknown kind: both failed once at T0
      [flaky] = await pendingRows();
      expect(flaky).toMatchObject({ attempts: 2 });
      expect(new Date(flaky.due_at).getTime()).toBe(T0 + 1_000 + 2_000);
      clock.advance(2_000);
      await r.fireDue();
      [flaky] = await pendingRows();
      expect(flaky).toMatchObject({ attempts: 3 });
      expect(new Date(flaky.due_at).getTime()).toBe(T0 + 3_000 + 3_000); // capped at maxMs
      clock.advance(3_000);
      await r.fireDue();
      expect(await effects()).toEqual(['ok:prc_2', 'flaky:prc_1']);
      // unknown kinds are failures like any other: they stay, visibly, and keep being retried
      expect(await pendingRows()).toEqual([
        expect.objectContaining({ key: 'mystery:prc_3', kind: 'unregistered', attempts: 4 }),
      ]);

      const metrics = await registry.getSingleMetricAsString('portico_timers_fired_total');
      expect(metrics).toContain('portico_timers_fired_total{kind="flaky",outcome="failed"} 3');
      expect(metrics).toContain('portico_timers_fired_total{kind="flaky",outcome="fired"} 1');
      expect(metrics).toContain('portico_timers_fired_total{kind="ok",outcome="fired"} 1');
      expect(await registry.getSingleMetricAsString('portico_timers_pending')).toContain(
        'portico_timers_pending 1',
      );
    });

    it('hands a batch handler all due timers of its kind at once, and isolates a failure one by one', async () => {
      const clock = new FakeClock(T0);
      const calls: string[][] = [];
      const r = runner({ clock: clock.now });
      r.registerBatch('bulk', async (timers, m) => {
        calls.push(timers.map((t) => t.key));
        if (timers.some((t) => t.key === 'bulk:bad' && t.attempts === 0))
          throw new Error('one of them fails');
        for (const t of timers) await recording()(t, m);
      });
      r.register('single', recording());
      for (const [i, key] of ['bulk:1', 'bulk:2', 'bulk:3'].entries())
        await schedule(key, 'bulk', new Date(T0 - 10 + i));
      await schedule('single:1', 'single', new Date(T0 - 5));
      expect(await r.fireDue()).toBe(4);
      expect(calls).toEqual([['bulk:1', 'bulk:2', 'bulk:3']]); // one call for the run of its kind
      expect(await effects()).toEqual(['bulk:1', 'bulk:2', 'bulk:3', 'single:1']);

      calls.length = 0;
      await schedule('bulk:4', 'bulk', new Date(T0 - 3));
      await schedule('bulk:bad', 'bulk', new Date(T0 - 2));
      expect(await r.fireDue()).toBe(2); // the pair failed together, then each alone: only bad fails
      expect(calls).toEqual([['bulk:4', 'bulk:bad'], ['bulk:4'], ['bulk:bad']]);
      expect((await effects()).slice(4)).toEqual(['bulk:4']);
      expect(await pendingRows()).toEqual([expect.objectContaining({ key: 'bulk:bad', attempts: 1 })]);
      expect(() => r.register('bulk', recording())).toThrow(/already registered/);
    });

    it('lets a handler schedule its own key again (recurring timer)', async () => {
      const clock = new FakeClock(T0);
      const r = runner({
        clock: clock.now,
        handlers: {
          daily: async (timer, m) => {
            await recording()(timer, m);
            await scheduler.schedule(m, {
              key: timer.key,
              kind: timer.kind,
              dueAt: new Date(timer.dueAt.getTime() + 86_400_000),
            });
          },
        },
      });
      await schedule('daily:prc_1', 'daily', new Date(T0));
      expect(await r.fireDue()).toBe(1);
      const rows = await pendingRows();
      expect(rows).toHaveLength(1);
      expect(new Date(rows[0].due_at).getTime()).toBe(T0 + 86_400_000);
    });

    it('two runners on one database, one with three claim loops, fire each of 2,000 timers exactly once', async () => {
      await db.dataSource.query(`
        INSERT INTO timers (key, kind, due_at, payload)
        SELECT 'load:' || g, 'load', now() - interval '1 second' + g * interval '1 microsecond', '{}'
          FROM generate_series(1, 2000) g`);
      const registries = [new Registry(), new Registry()];
      const [a, b] = ['a', 'b'].map((name, i) =>
        runner({
          batchSize: 50,
          pollIntervalMs: 20,
          concurrency: i === 0 ? 3 : 1,
          metricsRegistry: registries[i],
          handlers: { load: recording(name) },
        }),
      );
      a!.start();
      b!.start();
      await waitUntil(async () => (await count('timers')) === 0, 'all 2,000 timers fired');
      await Promise.all([a!.stop(), b!.stop()]);

      const [stats] = await db.dataSource.query(
        `SELECT count(*)::int AS total, count(DISTINCT timer_key)::int AS distinct_keys FROM side_effects`,
      );
      expect(stats).toEqual({ total: 2000, distinct_keys: 2000 });
      const firedBy = await Promise.all(registries.map(firedCount));
      expect(firedBy[0]! + firedBy[1]!).toBe(2000);
      // both really competed for the same rows (otherwise this would prove nothing about SKIP LOCKED)
      expect(Math.min(...firedBy)).toBeGreaterThan(0);
    });

    it('a runner stopped mid-way and a new one fire the rest, none twice', async () => {
      await db.dataSource.query(`
        INSERT INTO timers (key, kind, due_at, payload)
        SELECT 'stop:' || g, 'slow', now() - interval '1 second', '{}' FROM generate_series(1, 600) g`);
      const slow =
        (name: string): TimerHandler =>
        async (timer, m) => {
          await recording(name)(timer, m);
          await new Promise((resolve) => setTimeout(resolve, 2));
        };
      const first = runner({ batchSize: 20, pollIntervalMs: 20, handlers: { slow: slow('first') } });
      first.start();
      await waitUntil(async () => (await count('side_effects')) >= 100, 'the first runner to fire some');
      await first.stop(); // finishes and commits the batch in flight
      const afterStop = await count('side_effects');
      expect(afterStop).toBeLessThan(600);
      expect(afterStop + (await count('timers'))).toBe(600); // everything claimed was committed
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await count('side_effects')).toBe(afterStop); // really stopped

      const second = runner({ batchSize: 20, pollIntervalMs: 20, handlers: { slow: slow('second') } });
      second.start();
      await waitUntil(async () => (await count('timers')) === 0, 'the rest fired');
      const [stats] = await db.dataSource.query(
        `SELECT count(*)::int AS total, count(DISTINCT timer_key)::int AS distinct_keys,
                count(*) FILTER (WHERE runner = 'second')::int AS by_second FROM side_effects`,
      );
      expect(stats).toEqual({ total: 600, distinct_keys: 600, by_second: 600 - afterStop });
    });

    it('skips timers a crashed instance had claimed, and fires them once its transaction is gone', async () => {
      for (const key of ['crash:1', 'crash:2', 'crash:3'])
        await schedule(key, 'c', new Date(Date.now() - 1_000));
      const crashed = new Client({ connectionString: db.url });
      crashed.on('error', () => undefined);
      await crashed.connect();
      await crashed.query('BEGIN');
      await crashed.query(`SELECT id FROM timers WHERE key = 'crash:2' FOR UPDATE SKIP LOCKED`);

      const r = runner({ handlers: { c: recording() } });
      expect(await r.fireDue()).toBe(2);
      expect(await effects()).toEqual(['crash:1', 'crash:3']);
      await crashed.end(); // the connection dies without a commit: Postgres rolls back, locks go
      expect(await r.fireDue()).toBe(1);
      expect(await effects()).toEqual(['crash:1', 'crash:3', 'crash:2']);
    });

    it('fires a timer soon after it is due, never before, with a span carrying kind and key prefix only', async () => {
      const { exporter, uninstall } = installTestTracing();
      try {
        const registry = new Registry();
        const firedAt: number[] = [];
        const r = runner({
          pollIntervalMs: 50,
          metricsRegistry: registry,
          handlers: { reminder: async () => void firedAt.push(Date.now()) },
        });
        r.start();
        const dueAt = Date.now() + 300;
        await schedule('reminder:prc_9:secret-part', 'reminder', new Date(dueAt), {
          email: 'anna@example.com',
        });
        await waitUntil(async () => (await count('timers')) === 0, 'the timer to fire');
        await r.stop();

        expect(firedAt).toHaveLength(1);
        expect(firedAt[0]!).toBeGreaterThanOrEqual(dueAt);
        expect(firedAt[0]! - dueAt).toBeLessThan(5_000); // generous: a loaded CI machine, not a target
        const lateness = await registry.getSingleMetricAsString('portico_timer_lateness_seconds');
        expect(lateness).toContain('portico_timer_lateness_seconds_count{kind="reminder"} 1');

        const spans = exporter.getFinishedSpans().filter((s) => s.name === 'timer reminder');
        expect(spans).toHaveLength(1);
        expect(spans[0]!.attributes).toEqual({
          'portico.timer.kind': 'reminder',
          'portico.timer.key_prefix': 'reminder',
        });
      } finally {
        uninstall();
      }
    });
  });
});

async function firedCount(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('portico_timers_fired_total')!.get();
  return metric.values.filter((v) => v.labels.outcome === 'fired').reduce((sum, v) => sum + v.value, 0);
}

const silentLogger = { log() {}, warn() {}, error() {} };
