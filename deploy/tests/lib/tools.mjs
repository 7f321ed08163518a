// Running the external tools the deploy tests need (promtool, docker compose, java/mvn for Helm).
// A missing tool skips its test with the reason, visibly (node --test prints "# SKIP"); with
// PORTICO_REQUIRE_TOOLS=1 (CI) a missing tool fails instead, so a skip can never hide in CI.
import { spawnSync } from 'node:child_process';
import { ROOT } from './metrics.mjs';

export const REQUIRE_TOOLS = process.env.PORTICO_REQUIRE_TOOLS === '1';

export function which(cmd) {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Skips (or, with PORTICO_REQUIRE_TOOLS=1, fails) the test when `ok` is false. Returns ok. */
export function needTool(t, ok, reason) {
  if (ok) return true;
  if (REQUIRE_TOOLS) throw new Error(`${reason} (PORTICO_REQUIRE_TOOLS=1)`);
  t.skip(reason);
  return false;
}

export function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (res.error) throw res.error;
  return res;
}

/** `docker compose` (v2 plugin) if it works without an engine, else Debian's docker-compose (v1). */
export function composeCommand() {
  if (which('docker') && run('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (which('docker-compose')) return ['docker-compose'];
  return undefined;
}
