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

/** Busy and total jiffies of all cores so far (/proc/stat): two reads give the machine's busy share. */
export function machineCpuTicks(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** The share of the whole machine (all cores) that was busy between two machineCpuTicks() reads, in %. */
export function busyPercent(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 100;
}

/**
 * The pid of the Kafka broker a benchmark runs against when it is this checkout's scratch broker
 * (scratch-broker.sh exports KAFKA_LOCAL_DIR; deploy/local/kafka.sh keeps kafka.pid there), so its
 * CPU can be counted; undefined for any other cluster.
 */
export function scratchBrokerPid(): number | undefined {
  const dir = process.env.KAFKA_LOCAL_DIR;
  if (!dir) return undefined;
  try {
    const pid = Number(readFileSync(`${dir}/kafka.pid`, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) this process has spent so far, in milliseconds. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
