import type { DataSource, QueryRunner } from 'typeorm';
import { OUTBOX_NOTIFY_CHANNEL } from './messaging.migration';

interface NotifyingClient {
  on(event: 'notification', listener: (msg: { channel: string }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeAllListeners(event?: string): void;
}

/**
 * Wakes an idle relay when rows are committed (LISTEN on the outbox trigger's channel). The relay
 * still polls with an adaptive interval, so a lost connection only costs latency, never rows.
 */
export class OutboxWakeup {
  private queryRunner?: QueryRunner;
  private waiter?: () => void;
  private pending = false;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onError: (error: Error) => void,
  ) {}

  async listen(): Promise<void> {
    if (this.closed) return;
    const queryRunner = this.dataSource.createQueryRunner();
    try {
      const client = (await queryRunner.connect()) as NotifyingClient;
      client.on('notification', (msg) => {
        if (msg.channel === OUTBOX_NOTIFY_CHANNEL) this.wake();
      });
      client.on('error', (error) => {
        this.onError(error);
        void this.reconnect();
      });
      await queryRunner.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
      this.queryRunner = queryRunner;
    } catch (error) {
      await queryRunner.release().catch(() => undefined);
      this.onError(error as Error);
      setTimeout(() => void this.reconnect(), 1_000).unref();
    }
  }

  /** Resolves on a notification (or one that arrived since the last wait), on timeout, or on close. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending || this.closed) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.waiter === done) this.waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiter = done;
    });
  }

  wake(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.releaseConnection();
  }

  private async reconnect(): Promise<void> {
    await this.releaseConnection();
    if (!this.closed) await this.listen();
  }

  private async releaseConnection(): Promise<void> {
    const queryRunner = this.queryRunner;
    this.queryRunner = undefined;
    if (!queryRunner) return;
    try {
      await queryRunner.query(`UNLISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    } catch {
      // the connection may be what failed
    }
    await queryRunner.release().catch(() => undefined);
  }
}
