import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FailureRecord, ThrottlePolicy } from './login-throttle';

/** All SQL for console_login_failures (keys are hashes: see throttleKey). */
@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(key: Buffer): Promise<FailureRecord | undefined> {
    const rows: { failures: number; last_failure_at: Date }[] = await this.dataSource.query(
      `SELECT failures, last_failure_at FROM console_login_failures WHERE key_hash = $1`,
      [key],
    );
    const row = rows[0];
    return row ? { failures: row.failures, lastFailureAt: new Date(row.last_failure_at) } : undefined;
  }

  /** One more failure, in one statement (concurrent guesses all count); a forgotten record starts over at 1. */
  async recordFailure(key: Buffer, now: Date, policy: ThrottlePolicy): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO console_login_failures AS f (key_hash, failures, last_failure_at)
       VALUES ($1, 1, $2)
       ON CONFLICT (key_hash) DO UPDATE
         SET failures = CASE WHEN f.last_failure_at <= $2 - make_interval(secs => $3) THEN 1 ELSE f.failures + 1 END,
             last_failure_at = GREATEST(f.last_failure_at, $2)`,
      [key, now, policy.forgetAfterSeconds],
    );
  }

  async clear(key: Buffer): Promise<void> {
    await this.dataSource.query(`DELETE FROM console_login_failures WHERE key_hash = $1`, [key]);
  }

  /** Records past every policy's memory: nothing left to count. */
  async purgeOlderThan(cutoff: Date): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `DELETE FROM console_login_failures WHERE last_failure_at < $1 RETURNING 1`,
      [cutoff],
    );
    return rows.length;
  }
}
