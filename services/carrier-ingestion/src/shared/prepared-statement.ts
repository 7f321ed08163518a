/**
 * A hot SQL statement with a stable name. With `prepared` on, node-postgres parses it once per
 * connection (named prepared statement) and afterwards only binds and executes it: Postgres skips
 * the parse and analysis of the intake's few large statements on every group commit, and (with the
 * intake transaction's plan settings: see PgIntakeTransactions) their planning too.
 *
 * Transaction-mode connection poolers (PgBouncer before 1.21, or later ones without
 * `max_prepared_statements`) hand a session's statements to other server connections, where the
 * name is unknown: run with WEBHOOK_PREPARED_STATEMENTS=false behind one of those.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/** The one call of node-postgres' client the intake needs (pg's PoolClient has it). */
export interface SqlClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Runs `st` on `client`, as a named prepared statement when `prepared`; answers its rows. */
export async function runStatement<R>(
  client: SqlClient,
  st: Statement,
  values: unknown[],
  prepared: boolean,
): Promise<R[]> {
  const result = await client.query(
    prepared ? { name: st.name, text: st.text, values } : { text: st.text, values },
  );
  return result.rows as R[];
}
