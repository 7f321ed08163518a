/**
 * What the archive maintenance should do now, as a pure function of the clock and the existing day
 * partitions: create today's and the next days' partitions, drop the ones wholly older than the
 * retention. Kept apart from the SQL so the date arithmetic is tested without a database.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;
const PARTITION_NAME = /^webhook_receipts_p(\d{4})(\d{2})(\d{2})$/;

export interface ArchivePlan {
  /** UTC midnights of the day partitions to create, oldest first. */
  create: Date[];
  /** Names of the day partitions to drop. */
  drop: string[];
  /** Rows received before this instant are past the retention (also purged from the default partition). */
  cutoff: Date;
}

export function utcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

export function partitionName(day: Date): string {
  return `webhook_receipts_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The UTC day a partition name stands for, or undefined for any other table. */
export function partitionDay(name: string): Date | undefined {
  const m = PARTITION_NAME.exec(name);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
}

export function planArchiveMaintenance(input: {
  now: Date;
  existing: readonly string[];
  retentionDays: number;
  daysAhead: number;
}): ArchivePlan {
  const today = utcDay(input.now);
  const cutoff = new Date(input.now.getTime() - input.retentionDays * DAY_MS);
  const existing = new Set(input.existing);
  const create: Date[] = [];
  for (let d = 0; d <= input.daysAhead; d++) {
    const day = new Date(today.getTime() + d * DAY_MS);
    if (!existing.has(partitionName(day))) create.push(day);
  }
  const drop = input.existing.filter((name) => {
    const day = partitionDay(name);
    // only whole days: a partition is dropped once its last instant is past the cutoff
    return day !== undefined && day.getTime() + DAY_MS <= cutoff.getTime();
  });
  return { create, drop, cutoff };
}
