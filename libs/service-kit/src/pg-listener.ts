import { Client } from 'pg';

const RECONNECT_MS = [250, 1_000, 2_000, 5_000];

export interface PgListenerOptions {
  readonly connectionString: string;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
  readonly channels: readonly string[];
  readonly onNotification: (channel: string, payload: string | undefined) => void;
  /**
   * `true` once every LISTEN is in place (notices committed from then on arrive), `false` when the
   * connection is lost (notices are missed until the next `true`), with the cause and the retry delay.
   */
  readonly onConnectionChange?: (connected: boolean, lost?: { error?: unknown; retryInMs: number }) => void;
}

/**
 * LISTENs on Postgres channels over one dedicated connection (not a pool's: it is held for the life
 * of the process), and reconnects after 0.25 / 1 / 2 / 5 s when it is lost. Notices sent while it is
 * down are not replayed: a caller that must not miss one learns of the gap from onConnectionChange.
 */
export class PgListener {
  private client?: Client;
  private stopped = false;
  private failures = 0;

  constructor(private readonly options: PgListenerOptions) {}

  /** Resolves after the first attempt (connected or not; a failure is retried in the background). */
  start(): Promise<void> {
    return this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName,
      // a connection that died without a word is found (and reported) sooner
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', (n) => this.options.onNotification(n.channel, n.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${channel}`);
      if (this.client !== client) return; // lost or stopped meanwhile
      this.failures = 0;
      this.options.onConnectionChange?.(true);
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return; // an older connection's late event, or stopped
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const retryInMs = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)]!;
    this.options.onConnectionChange?.(false, { error, retryInMs });
    setTimeout(() => void this.listen(), retryInMs).unref();
  }
}
