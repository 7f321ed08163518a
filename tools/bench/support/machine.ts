import os from 'node:os';

/** One line naming the machine a benchmark ran on: its figures mean nothing without it. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  const load = os.loadavg()[0]!.toFixed(2);
  return `${cpus.length} cores (${cpus[0]?.model ?? 'unknown CPU'}), ${memory}, node ${process.version}, load ${load} at start of report`;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
