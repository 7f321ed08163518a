import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const LOCAL_KAFKA_BROKERS = ['127.0.0.1:9092'];
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const KAFKA_SCRIPT = join('deploy', 'local', 'kafka.sh');
/** First start on a fresh machine includes fetching ~50 MB of jars with Maven. */
const KAFKA_START_TIMEOUT_MS = 300_000;

/** The repository root, found from this file (src or a build output) rather than assumed. */
export function findRepositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, KAFKA_SCRIPT))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no ${KAFKA_SCRIPT} above ${from}: cannot start the local broker`);
  }
}

/**
 * Runs `deploy/local/kafka.sh start` (fetch + format + start + wait; a no-op when running, and
 * serialised by the script's own lock when several Jest workers get here at once).
 */
export function startLocalKafka(): Promise<void> {
  const root = findRepositoryRoot();
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(root, KAFKA_SCRIPT), 'start'],
      { cwd: root, timeout: KAFKA_START_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        reject(
          new Error(
            `${KAFKA_SCRIPT} start failed (${error.message.split('\n')[0]}):\n${stderr.slice(-4000)}`,
          ),
        );
      },
    );
  });
}
