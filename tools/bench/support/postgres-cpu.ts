import type { Client } from 'pg';
import { cpuTimeMs } from './machine';

/**
 * CPU time the Postgres backends of the client's database spend from now until `spentMs()`: read
 * from /proc of the backend pids pg_stat_activity lists (the server runs on this machine). Backends
 * that connect meanwhile count from zero; one that exits before the second read is missed (pools
 * keep theirs open under load, so this undercounts little). Excludes this client's own backend and
 * the shared processes (WAL writer, checkpointer), which belong to no database.
 */
export async function postgresBackendCpu(pg: Client): Promise<{ spentMs: () => Promise<number> }> {
  const before = await backendCpu(pg);
  return {
    async spentMs() {
      const after = await backendCpu(pg);
      let spent = 0;
      for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
      return spent;
    },
  };
}

async function backendCpu(pg: Client): Promise<Map<number, number>> {
  const { rows } = await pg.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = cpuTimeMs(pid);
    if (Number.isFinite(ms)) cpu.set(pid, ms);
  }
  return cpu;
}

/**
 * The server settings a reader of the Postgres figures needs: these machines' shared server runs
 * with autovacuum off (queue tables such as the outbox keep their dead rows for the whole run), a
 * production server would not.
 */
export async function describePostgres(pg: Client): Promise<string> {
  const { rows } = await pg.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
      WHERE name IN ('server_version', 'autovacuum', 'synchronous_commit', 'fsync', 'shared_buffers')`,
  );
  const s = new Map(rows.map((r) => [r.name, r.setting]));
  const buffers = `${Math.round((Number(s.get('shared_buffers')) * 8) / 1024)} MB`;
  return (
    `PostgreSQL ${s.get('server_version')}, autovacuum ${s.get('autovacuum')}, fsync ${s.get('fsync')}, ` +
    `synchronous_commit ${s.get('synchronous_commit')}, shared_buffers ${buffers}`
  );
}
