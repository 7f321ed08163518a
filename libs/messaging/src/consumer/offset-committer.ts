import type { LoggerService } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (last finished + 1). */
  readonly offset: string;
}

/**
 * Commits finished offsets in the background, one request for every partition at most every
 * `intervalMs`, instead of one request per record. Safe because a record's effects and its inbox
 * row commit in Postgres before its offset is marked: an offset lost to a crash or a rebalance only
 * means the record is delivered again, and the inbox (or its parking number) drops it. The last
 * marks are committed by flush() when the consumer closes.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly intervalMs: number,
    private readonly log: LoggerService,
  ) {}

  /** The record at `offset` is finished: the partition may resume after it. */
  mark(topic: string, partition: number, offset: string): void {
    this.pending.set(`${topic}\u0000${partition}`, {
      topic,
      partition,
      offset: (BigInt(offset) + 1n).toString(),
    });
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs).unref();
  }

  /** Commits what is marked now (and cancels the scheduled commit). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.consumer.commitOffsets([...offsets]);
    } catch (error) {
      // The records are finished; if the commit is lost (rebalance) they are delivered again and
      // the inbox or their parking numbers drop them.
      this.log.warn(
        `offset commit failed for ${offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`).join(', ')}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }
}
