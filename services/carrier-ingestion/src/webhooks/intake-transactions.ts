import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { runNamedStatement, WHOLE_TABLE_PLAN_METHODS, type NamedStatement } from '@portico/messaging';

/** The node-postgres pool of an initialised TypeORM DataSource (the service keeps one pool). */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/** The intake transaction as its repositories see it: statements, nothing else. */
export interface IntakeTx {
  query<R = unknown>(st: NamedStatement, values: unknown[]): Promise<R[]>;
}

/** Runs the intake's group commits; a seam so the committer can be tested without Postgres. */
export abstract class IntakeTransactions {
  /** `work` commits or rolls back as a whole; its failure is rethrown after the rollback. */
  abstract run<T>(work: (tx: IntakeTx) => Promise<T>): Promise<T>;
}

export interface IntakeTransactionOptions {
  /** Bound of every statement and lock wait; past it the transaction fails and its callers get 503. */
  readonly statementTimeoutMs: number;
  /** Named prepared statements (off behind transaction-mode poolers: see @portico/messaging's named-statements.ts). */
  readonly preparedStatements: boolean;
}

/**
 * Intake transactions straight on node-postgres (the pool TypeORM's DataSource holds, so the
 * service keeps one pool): the group commit is the service's hottest path and each round trip to
 * Postgres costs CPU on both sides. BEGIN and the timeouts travel as one simple-protocol message
 * (TypeORM would send START TRANSACTION and a set_config separately), the statements can be named
 * prepared statements, and COMMIT ends it: five round trips for a batch of deliveries.
 *
 * The timeouts are SET LOCAL so they end with the transaction and never leak to the next user of
 * the pooled connection; they bound a hung database or a concurrent retry holding a dedupe row,
 * which turn into a 503 the carrier retries instead of a request that never answers.
 *
 * Plans (also SET LOCAL, ADR 0016): `plan_cache_mode = force_generic_plan` and the sequential,
 * bitmap, hash-join and merge-join methods off. Every intake statement reads and writes by key, and
 * its only sane plan probes an index. Forced custom plans (ADR 0011) were planned at every bind,
 * about 1.2 ms of Postgres CPU per group commit; a generic plan is made once per connection and
 * statement. Left to itself the planner would make that generic plan a sequential scan while the
 * parcels table is small and keep it until an ANALYZE (where autovacuum lags or is off, every group
 * commit would then read the whole table); with those methods off it is the index plan at any size.
 */
export class PgIntakeTransactions extends IntakeTransactions {
  private readonly begin: string;

  constructor(
    private readonly pool: () => Pool,
    private readonly options: IntakeTransactionOptions,
  ) {
    super();
    // an integer from the configuration, not input: safe to inline (SET takes no parameters)
    const ms = Math.max(1, Math.round(options.statementTimeoutMs));
    const indexPlansOnly = WHOLE_TABLE_PLAN_METHODS.map((method) => `SET LOCAL enable_${method} = off`);
    this.begin = [
      'BEGIN',
      `SET LOCAL statement_timeout = ${ms}`,
      `SET LOCAL lock_timeout = ${ms}`,
      'SET LOCAL plan_cache_mode = force_generic_plan',
      ...indexPlansOnly,
    ].join('; ');
  }

  async run<T>(work: (tx: IntakeTx) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool().connect();
    let broken: Error | undefined;
    // pg-pool listens for a checked-out client's errors no more: without a listener, a connection
    // lost mid-transaction would be an unhandled 'error' event (the process dies). The pending
    // query rejects with it anyway, and the client is destroyed on release.
    const onError = (e: Error) => (broken = e);
    client.on('error', onError);
    try {
      await client.query(this.begin);
      const prepared = this.options.preparedStatements;
      const result = await work({
        query: <R>(st: NamedStatement, values: unknown[]) =>
          runNamedStatement<R>(client, st, values, prepared),
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw error;
    } finally {
      client.off('error', onError);
      // a connection that failed or could not even roll back is destroyed, not given back to the pool
      client.release(broken);
    }
  }
}
