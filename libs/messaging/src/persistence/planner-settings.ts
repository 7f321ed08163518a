import type { EntityManager } from 'typeorm';

/** Planner methods a statement can be kept from using (Postgres' `enable_*` settings). */
export type PlanMethod = 'bitmapscan' | 'seqscan' | 'hashjoin' | 'mergejoin';

/**
 * Runs `work` (statements of the caller's transaction) with the given plan methods off, then puts
 * them back. For statements whose only sane plan is a walk of an index in key order — a queue's
 * claim, a chunk's upsert that must lock rows in key order — on tables whose statistics are always
 * behind their rows (queue tables; any table where autovacuum lags or is off), where the planner
 * would otherwise pick a scan of the whole table. SET LOCAL: a failure rolls the transaction back
 * and the settings with it, so they are put back only after `work` succeeded.
 */
export async function withPlanMethodsOff<T>(
  m: EntityManager,
  methods: readonly PlanMethod[],
  work: () => Promise<T>,
): Promise<T> {
  await m.query(methods.map((method) => `SET LOCAL enable_${method} = off`).join('; '));
  const result = await work();
  await m.query(methods.map((method) => `SET LOCAL enable_${method} TO DEFAULT`).join('; '));
  return result;
}
