import type { EntityManager } from 'typeorm';

/** Planner methods a statement can be kept from using (Postgres' `enable_*` settings). */
export type PlanMethod = 'bitmapscan' | 'seqscan' | 'hashjoin' | 'mergejoin' | 'sort';

/**
 * The methods a plan can read a whole table with (or hash or sort one after a full read): with all
 * of them off, a statement that can probe an index gets a plan that does, whatever the statistics
 * say, and so does any generic plan Postgres caches for it (named-statements.ts).
 */
export const WHOLE_TABLE_PLAN_METHODS: readonly PlanMethod[] = [
  'seqscan',
  'bitmapscan',
  'hashjoin',
  'mergejoin',
];

/** Transactions (their EntityManager) known to run with these methods off until they end. */
const offUntilCommit = new WeakMap<EntityManager, ReadonlySet<PlanMethod>>();

/**
 * Runs `work` (statements of the caller's transaction) with the given plan methods off, then puts
 * back the values they had. For statements whose only sane plan walks an index in key order — a
 * queue's claim, a chunk's upsert that must lock rows in key order — on tables whose statistics are
 * always behind their rows (queue tables; any table where autovacuum lags or is off), where the
 * planner would otherwise pick a scan of the whole table. Transaction-local (`set_config(…, true)`):
 * a failure rolls the transaction back and the settings with it, so they are put back only after
 * `work` succeeded. One round trip before, one after; none in a transaction that already runs with
 * these methods off to its end (planMethodsOffUntilCommit, a consumer's chunk: markedOffUntilCommit).
 */
export async function withPlanMethodsOff<T>(
  m: EntityManager,
  methods: readonly PlanMethod[],
  work: () => Promise<T>,
): Promise<T> {
  const off = offUntilCommit.get(m);
  if (methods.length === 0 || (off && methods.every((method) => off.has(method)))) return work();
  // the target list is evaluated left to right: each value is read before it is set
  const [was] = (await m.query(
    `SELECT ${methods
      .map((method, i) => `current_setting('enable_${method}') AS s${i}, ${turnedOff(method)}`)
      .join(', ')}`,
  )) as [Record<string, string>];
  const result = await work();
  await m.query(
    `SELECT ${methods.map((method, i) => `set_config('enable_${method}', $${i + 1}, true)`).join(', ')}`,
    methods.map((_, i) => was[`s${i}`]),
  );
  return result;
}

/**
 * The given plan methods off for the rest of the caller's transaction, in one statement and with
 * nothing to put back: for a transaction that runs only statements wanting index plans (the
 * relay's claim transaction), where withPlanMethodsOff's second round trip would be pure cost.
 */
export async function planMethodsOffUntilCommit(
  m: EntityManager,
  methods: readonly PlanMethod[],
): Promise<void> {
  if (methods.length === 0) return;
  await m.query(`SELECT ${turnedOffSql(methods)}`);
  markedOffUntilCommit(m, methods);
}

/**
 * Records that the transaction of `m` has these methods off until it ends (the caller turned them
 * off with turnedOffSql in a statement of its own), so withPlanMethodsOff skips its two statements.
 */
export function markedOffUntilCommit(m: EntityManager, methods: readonly PlanMethod[]): void {
  offUntilCommit.set(m, new Set([...(offUntilCommit.get(m) ?? []), ...methods]));
}

/** Whether the transaction of `m` runs with every WHOLE_TABLE_PLAN_METHODS method off until it ends. */
export function runsIndexPlansOnly(m: EntityManager): boolean {
  const off = offUntilCommit.get(m);
  return off !== undefined && WHOLE_TABLE_PLAN_METHODS.every((method) => off.has(method));
}

/**
 * SQL select-list items turning the methods off until the transaction ends (set_config(…, true)).
 * With every WHOLE_TABLE_PLAN_METHODS method among them, the transaction also runs generic plans
 * (`plan_cache_mode = force_generic_plan`): its statements can only get index plans, so a plan made
 * without the parameters' values is as good, and a named statement's is made once per connection
 * instead of at every execution (named-statements.ts, ADR 0016).
 */
export function turnedOffSql(methods: readonly PlanMethod[]): string {
  const items = methods.map(turnedOff);
  if (WHOLE_TABLE_PLAN_METHODS.every((method) => methods.includes(method))) {
    items.push(`set_config('plan_cache_mode', 'force_generic_plan', true)`);
  }
  return items.join(', ');
}

/** The call turning one plan method off until the transaction ends. */
function turnedOff(method: PlanMethod): string {
  return `set_config('enable_${method}', 'off', true)`;
}
