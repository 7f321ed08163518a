import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');

/**
 * One Portico service running as a real process from its build output, the way `npm run up` runs
 * it: migrations first, then main.js. Output goes to test-artifacts/e2e/<name>.log for inspection.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    mkdirSync(ARTIFACTS, { recursive: true });
    this.logFile = join(ARTIFACTS, `${name}.log`);
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
    this.child = spawn(process.execPath, [join(REPO_ROOT, 'services', this.name, 'dist/src/main.js')], {
      env: this.environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
