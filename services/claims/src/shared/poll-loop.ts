/**
 * Runs `work` again `intervalMs` after each run ends, until stopped: the carrier worker's polling
 * and the scorecard gauges' refresh. In memory on purpose: both keep their state in the database
 * (request rows, the tables the gauges are computed from), so a restart only delays the next run;
 * deadlines belong in durable timers instead. A failed run is reported and the loop goes on.
 */
export class PollLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private halted = false;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  /** The first run after `firstDelayMs` (default: one interval). */
  start(firstDelayMs = this.intervalMs): void {
    this.schedule(firstDelayMs);
  }

  /** No new run; waits for the one in flight (call before the DataSource closes). */
  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.halted) return;
    this.timer = setTimeout(() => {
      this.running = this.work()
        .then(() => undefined)
        .catch(this.onError)
        .finally(() => this.schedule(this.intervalMs));
    }, delay);
  }
}
