import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { CarrierIngestionConfig } from '../../config';
import { CARRIER_INGESTION_CONFIG, CLOCK, type Clock } from '../../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import { planArchiveMaintenance } from './archive-plan';
import { WebhookArchiveRepository } from './webhook-archive.repository';

export const ARCHIVE_MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
/** Partitions exist this many days ahead, so a few failed rounds never send rows to the default partition. */
const DAYS_AHEAD = 3;
const DEDUPE_PURGE_BATCH = 5_000;

export interface ArchiveMaintenanceReport {
  skipped: boolean;
  created: string[];
  dropped: string[];
  movedFromDefault: number;
  purgedFromDefault: number;
  purgedDedupeKeys: number;
}

/**
 * Keeps the raw archive's day partitions ahead of time and enforces retention: drops day partitions
 * older than WEBHOOK_RAW_RETENTION_DAYS (the bodies hold personal data) and forgets dedupe keys older
 * than WEBHOOK_DEDUPE_WINDOW_HOURS. Runs at start and hourly. Every round is idempotent and works
 * from the clock, not from remembered state, so a restart or a missed round loses nothing: the next
 * round catches up. That is why a plain interval is fine here, unlike for business timers.
 */
@Injectable()
export class WebhookArchiveMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('webhook-archive');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly archive: WebhookArchiveRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CARRIER_INGESTION_CONFIG)
    private readonly config: Pick<
      CarrierIngestionConfig,
      'webhookRawRetentionDays' | 'webhookDedupeWindowHours'
    >,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Before the first request, so today's rows go straight to their partition.
    await this.safeRun();
    this.timer = setInterval(() => void this.safeRun(), ARCHIVE_MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<ArchiveMaintenanceReport> {
    const now = this.clock();
    const report = await this.uow.transaction(async (m) => {
      const out: ArchiveMaintenanceReport = {
        skipped: false,
        created: [],
        dropped: [],
        movedFromDefault: 0,
        purgedFromDefault: 0,
        purgedDedupeKeys: 0,
      };
      if (!(await this.archive.tryLock(m))) return { ...out, skipped: true };
      const plan = planArchiveMaintenance({
        now,
        existing: await this.archive.dayPartitions(m),
        retentionDays: this.config.webhookRawRetentionDays,
        daysAhead: DAYS_AHEAD,
      });
      for (const day of plan.create) {
        out.movedFromDefault += await this.archive.createDayPartition(m, day);
        out.created.push(day.toISOString().slice(0, 10));
      }
      for (const name of plan.drop) {
        await this.archive.dropDayPartition(m, name);
        out.dropped.push(name);
      }
      out.purgedFromDefault = await this.archive.purgeDefaultBefore(m, plan.cutoff);
      return out;
    });
    if (!report.skipped) report.purgedDedupeKeys = await this.purgeDedupeKeys(now);
    return report;
  }

  private async purgeDedupeKeys(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.webhookDedupeWindowHours * 3_600_000);
    let total = 0;
    // Small transactions: a large backlog never holds row locks for long.
    for (;;) {
      const n = await this.uow.transaction((m) =>
        this.archive.purgeDedupeBefore(m, cutoff, DEDUPE_PURGE_BATCH),
      );
      total += n;
      if (n < DEDUPE_PURGE_BATCH) return total;
    }
  }

  private async safeRun(): Promise<void> {
    if (this.running) return;
    const run = this.runOnce()
      .then((r) => {
        if (
          r.created.length +
            r.dropped.length +
            r.movedFromDefault +
            r.purgedFromDefault +
            r.purgedDedupeKeys >
          0
        )
          this.logger.log(
            `archive maintenance: created ${r.created.join(', ') || 'no'} partitions, dropped ${r.dropped.join(', ') || 'none'}, ` +
              `moved ${r.movedFromDefault} and purged ${r.purgedFromDefault} rows of the default partition, ` +
              `forgot ${r.purgedDedupeKeys} dedupe keys`,
          );
      })
      .catch((e: unknown) => {
        // The default partition takes today's rows meanwhile; the next round retries.
        this.logger.error(`archive maintenance failed: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = run;
    await run;
  }
}
