import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const HOOK = path.join(__dirname, '..', 'ts-require-hook.js');

export interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry in a child node (the same binary as the tests) and waits for `readyLine`. */
export async function startChild(
  script: string,
  settings: unknown,
  readyLine: string,
  timeoutMs = 60_000,
): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['-r', HOOK, path.join(__dirname, script), JSON.stringify(settings)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} not ready in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.includes(`${readyLine}\n`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
  return {
    process: child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
