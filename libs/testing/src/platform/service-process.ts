import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** The workspace root (where nx.json is), whether this runs from sources or from a build. */
function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
  }
  throw new Error(`no nx.json above ${from}`);
}

export const REPO_ROOT = findRepoRoot(__dirname);

/**
 * One Portico service running as a real process from its build output, the way `npm run up` runs
 * it: migrations first, then main.js. Output goes to test-artifacts/e2e/<name>.log for inspection.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly logFile: string;

  /** `logDir`: where `<name>.log` is appended to (test-artifacts/<suite> for tests). */
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${name}.log`);
  }

  /** Whether the process is running (started and neither exited nor killed). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process id while started (benchmarks read /proc/<pid> for its memory), else undefined. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private get environment(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.env, HTTP_PORT: String(this.port), HTTP_HOST: '127.0.0.1' };
  }

  migrate(): void {
    const result = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'services', this.name, 'dist/src/migrate.js')],
      {
        env: this.environment,
        encoding: 'utf8',
      },
    );
    if (result.status !== 0)
      throw new Error(`${this.name} migrations failed:\n${result.stdout}\n${result.stderr}`);
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    // PORTICO_SERVICE_CPU_PROF_DIR: a V8 CPU profile of every service started here, written when it
    // exits (benchmarks: profile the services under load without changing how they start)
    const profileDir = process.env.PORTICO_SERVICE_CPU_PROF_DIR;
    const profile = profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${this.name}.${Date.now()}.cpuprofile`,
        ]
      : [];
    this.child = spawn(
      process.execPath,
      [...profile, join(REPO_ROOT, 'services', this.name, 'dist/src/main.js')],
      {
        env: this.environment,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited (${this.child.exitCode}):\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.baseUrl}/health/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Graceful stop (SIGTERM), or a crash (SIGKILL) for the reliability tests. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  logText(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 40): string {
    return this.logText().split('\n').slice(-lines).join('\n');
  }
}

/** A TCP port free on 127.0.0.1 right now (for a child process to listen on). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
