/**
 * What a benchmark must undo (service processes, scratch databases, child servers), run last-in
 * first-out when it ends and also on Ctrl-C or SIGTERM: a benchmark that leaves services running
 * would skew everyone's next figures on a shared machine. scratch-broker.sh removes the broker
 * itself once this process has exited.
 */
export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> | unknown }[] = [];
  private running?: Promise<void>;

  constructor() {
    // `on`, not `once`: signal-exit (loaded with testcontainers by @portico/testing) re-sends the
    // signal, which kills the process mid-cleanup, when it finds no other listener left.
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.on(signal, () => {
        if (this.running) return; // a second Ctrl-C: the cleanup is already under way
        process.stderr.write(`\n${signal}: cleaning up before exit\n`);
        // The run itself fails in all directions while its services and clients go away: those
        // errors must not end the process before the databases are dropped.
        const ignore = (error: unknown) =>
          process.stderr.write(`(while cleaning up) ${(error as Error)?.message ?? String(error)}\n`);
        process.on('uncaughtException', ignore);
        process.on('unhandledRejection', ignore);
        void this.runAll().finally(() => process.exit(130));
      });
  }

  add(what: string, run: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, run });
  }

  /** Runs one step now (and forgets it), e.g. stopping a phase's services before the next phase. */
  async runNow(what: string): Promise<void> {
    const index = this.steps.findIndex((s) => s.what === what);
    if (index < 0) return;
    const [step] = this.steps.splice(index, 1);
    await step!.run();
  }

  runAll(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          process.stderr.write(`cleanup "${step.what}" failed: ${(error as Error).message}\n`);
        }
      }
    })();
    return this.running;
  }
}
