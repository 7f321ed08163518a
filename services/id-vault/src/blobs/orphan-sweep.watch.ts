import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { OrphanBlobSweeper } from './orphan-blob-sweeper';

export const ORPHAN_SWEEPER = 'id-vault:orphan-sweeper';
export const ORPHAN_SWEEP_INTERVAL_MS = 'id-vault:orphan-sweep-interval-ms';

/**
 * Runs the orphan-blob sweep every VAULT_ORPHAN_SWEEP_INTERVAL_MS while the service runs. An
 * in-process interval is enough here: a missed or failed sweep loses nothing (the next one finds
 * the same orphans), and the advisory lock keeps instances from sweeping at the same time.
 */
@Injectable()
export class OrphanSweepWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(ORPHAN_SWEEPER) private readonly sweeper: OrphanBlobSweeper,
    @Inject(ORPHAN_SWEEP_INTERVAL_MS) private readonly intervalMs: number,
    @InjectPinoLogger('id-vault-blobs') private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One sweep (skipped when the previous one is still running). */
  async sweepOnce(): Promise<void> {
    if (this.running) return;
    this.running = this.sweeper
      .sweep(new Date())
      .then((report) => {
        if (report.ran) this.logger.info(report, 'orphan blob sweep done');
      })
      .catch((e: unknown) => this.logger.warn({ err: e }, 'orphan blob sweep failed; retried next interval'))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
