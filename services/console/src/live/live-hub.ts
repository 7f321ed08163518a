import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account';
import { ConsoleMetrics } from '../shared/console-metrics';
import { mayReceive, type LiveUpdate } from './live-scope';

type Listener = (update: LiveUpdate) => void;

/**
 * Fans consumed events out to the open SSE streams of this process, each filtered by its session's
 * rights (mayReceive). Nothing durable lives here: a browser that misses a push (reconnect, restart)
 * refetches its inbox when the stream reopens.
 */
@Injectable()
export class LiveHub {
  private readonly listeners = new Map<number, { account: Account; listener: Listener; end: () => void }>();
  private nextId = 0;

  constructor(private readonly metrics: ConsoleMetrics) {}

  /** `end` closes the stream from our side (its account's sessions were ended). */
  subscribe(account: Account, listener: Listener, end: () => void = () => undefined): () => void {
    const id = this.nextId++;
    this.listeners.set(id, { account, listener, end });
    this.metrics.liveStreams.set(this.listeners.size);
    return () => {
      this.listeners.delete(id);
      this.metrics.liveStreams.set(this.listeners.size);
    };
  }

  /** Closes every open stream of the account (disabled: its sessions ended). Returns how many. */
  endAccount(accountId: string): number {
    let closed = 0;
    for (const [id, entry] of [...this.listeners]) {
      if (entry.account.id !== accountId) continue;
      this.listeners.delete(id);
      entry.end();
      closed++;
    }
    this.metrics.liveStreams.set(this.listeners.size);
    if (closed > 0) this.metrics.liveStreamsClosed.inc({ reason: 'account_disabled' }, closed);
    return closed;
  }

  publish(update: LiveUpdate): number {
    let delivered = 0;
    for (const { account, listener } of this.listeners.values()) {
      if (!mayReceive(account, update)) continue;
      listener(update);
      delivered++;
    }
    this.metrics.liveEvents.inc({ topic: update.topic, delivered: delivered > 0 ? 'yes' : 'no' });
    return delivered;
  }
}
