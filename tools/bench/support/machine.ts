import { readFileSync } from 'node:fs';
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

/** The 1, 5 and 15 minute load averages, e.g. "1.24 / 0.40 / 0.20": printed at a run's start and end. */
export function loadAverages(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** User + system CPU time of a process so far (Linux /proc; clock ticks of 10 ms), in milliseconds. */
export function cpuTimeMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces: count fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
