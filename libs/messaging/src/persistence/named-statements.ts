import type { DataSource, EntityManager } from 'typeorm';
import { runsIndexPlansOnly } from './planner-settings';
import { returnedRows } from './returned-rows';

/**
 * A hot SQL statement with a stable name. Run as a named prepared statement, Postgres parses it
 * once per connection, and once it has made a generic plan for it (at once under
 * `plan_cache_mode = force_generic_plan`, otherwise from the sixth execution on when that plan
 * looks no costlier) it no longer plans it either: both took more Postgres CPU than the execution
 * for the platform's key-probing statements (ADR 0016). The name must change when the text does.
 *
 * A cached generic plan is made once, with the statistics and plan settings of that moment, and kept
 * until the table's statistics change: made while a table is small, it is a sequential scan kept
 * for good where autovacuum lags or is off. So statements run named only where the plan methods
 * that could make such a plan are off (queryNamed, the intake transaction of carrier-ingestion).
 *
 * Transaction-mode connection poolers (PgBouncer before 1.21, or later ones without
 * `max_prepared_statements`) hand a session's statements to other server connections, where the
 * name is unknown: behind one of those, run unnamed (`prepared = false`, runStatementsUnnamed).
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

export function namedStatement(name: string, text: string): NamedStatement {
  return { name, text };
}

/** The one call of node-postgres' client a named statement needs (pg's Client and PoolClient have it). */
export interface SqlClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Data sources whose statements never run named (DATABASE_PREPARED_STATEMENTS=false). */
const unnamedOnly = new WeakSet<DataSource>();

/** queryNamed runs every statement on `dataSource` unnamed: behind a pooler that cannot keep names. */
export function runStatementsUnnamed(dataSource: DataSource): void {
  unnamedOnly.add(dataSource);
}

/** Runs `st` on `client`, as a named prepared statement when `prepared`; answers its rows. */
export async function runNamedStatement<R>(
  client: SqlClient,
  st: NamedStatement,
  values: unknown[],
  prepared: boolean,
): Promise<R[]> {
  const result = await client.query(
    prepared ? { name: st.name, text: st.text, values } : { text: st.text, values },
  );
  return result.rows as R[];
}

/**
 * Runs `st` in the transaction of `m` and answers its rows (for UPDATE and DELETE too, unlike
 * TypeORM's query()). As a named prepared statement on the transaction's connection when that
 * transaction runs with the sequential, bitmap, hash-join and merge-join methods off until it ends
 * (markedOffUntilCommit: a consumer chunk with planMethodsOff, the outbox relay's claim
 * transaction), so whatever generic plan Postgres caches for it probes an index; anywhere else as
 * a plain query, parsed and planned at every execution (and always on a data source given to
 * runStatementsUnnamed). A failure is the driver's error (with its
 * `code`), which carries no parameters, unlike TypeORM's QueryFailedError.
 */
export async function queryNamed<R>(m: EntityManager, st: NamedStatement, values: unknown[]): Promise<R[]> {
  const runner = m.queryRunner as unknown as { connect(): Promise<SqlClient> } | undefined;
  if (!runner || !runsIndexPlansOnly(m) || unnamedOnly.has(m.connection)) {
    return returnedRows<R>(await m.query(st.text, values));
  }
  return runNamedStatement<R>(await runner.connect(), st, values, true);
}
