import { context as otelContext } from '@opentelemetry/api';
import type { DescMessage } from '@bufbuild/protobuf';
import { OutboxWriter, type OutboxEvent } from '@portico/messaging';
import { ParcelProjection, type ProjectedScan } from '../parcels/parcel-projection';
import { isDatabaseUnavailable } from '../shared/database-errors';
import { UnitOfWork } from '@portico/service-kit';
import { WebhookRepository, type ReceiptOutcome, type WebhookReceipt } from './webhook.repository';

/** One verified delivery, ready to be stored: its receipt (outcome still open) and its events. */
export interface IntakeWrite {
  readonly receipt: Omit<WebhookReceipt, 'outcome'>;
  readonly events: readonly OutboxEvent<DescMessage>[];
  /** The updates for the parcel projection, one per event. */
  readonly scans: readonly ProjectedScan[];
}

interface Pending {
  readonly write: IntakeWrite;
  readonly resolve: (outcome: ReceiptOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Deliveries per transaction at most. */
  readonly maxBatch: number;
  /** Transactions in flight at once (each holds one pooled connection). */
  readonly maxInFlight: number;
  /** Per-statement and lock-wait bound of a batch; past it the batch fails and its callers get 503. */
  readonly statementTimeoutMs: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = {
  maxBatch: 200,
  maxInFlight: 4,
  statementTimeoutMs: 5_000,
};

/**
 * Group commit for the intake: deliveries that arrive while earlier transactions are in flight are
 * written together in the next one, so one commit (one WAL flush) answers many carriers. No timer:
 * a lone delivery is written at once, and batches grow only with the load, so batching adds no
 * latency when the service is quiet. Every caller still learns only after its row committed.
 *
 * Deduplication is unchanged: a key claimed by an earlier batch or by an earlier delivery of the
 * same batch makes this one a duplicate. Keys are claimed in sorted order so two concurrent batches
 * always lock in the same order and never deadlock. When a batch fails for any reason other than an
 * unreachable database, its deliveries are retried one per transaction, so one bad row cannot fail
 * its neighbours.
 */
export class IntakeCommitter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly options: GroupCommitOptions;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly webhooks: WebhookRepository,
    private readonly outbox: OutboxWriter,
    private readonly parcels: ParcelProjection,
    options: Partial<GroupCommitOptions> = {},
  ) {
    this.options = { ...DEFAULT_GROUP_COMMIT, ...options };
  }

  /** Resolves once the delivery is committed: 'accepted' (first time, events queued) or 'duplicate'. */
  commit(write: IntakeWrite): Promise<ReceiptOutcome> {
    // Each request's events carry its own trace, whichever request's flush writes them.
    const traceContext = otelContext.active();
    const traced: IntakeWrite = { ...write, events: write.events.map((e) => ({ ...e, traceContext })) };
    return new Promise((resolve, reject) => {
      this.queue.push({ write: traced, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.write(batch.map((p) => p.write));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (error) {
      // Unreachable database: retrying one by one would only add load. Anything else: isolate.
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      await Promise.all(batch.map((p) => this.flush([p])));
    }
  }

  private write(writes: readonly IntakeWrite[]): Promise<ReceiptOutcome[]> {
    return this.uow.transaction(async (m) => {
      await this.webhooks.limitStatementTime(m, this.options.statementTimeoutMs);
      const firsts = firstOfEachKey(writes);
      const claimed = await this.webhooks.claimDedupeKeys(
        m,
        [...firsts.values()].sort(byKey).map((w) => ({
          carrierAccountId: w.receipt.carrierAccountId,
          dedupeKey: w.receipt.dedupeKey,
          firstSeenAt: w.receipt.receivedAt,
          receiptId: w.receipt.id,
        })),
      );
      const outcomes = writes.map((w): ReceiptOutcome =>
        claimed.has(w.receipt.id) ? 'accepted' : 'duplicate',
      );
      await this.webhooks.insertReceipts(
        m,
        writes.map((w, i) => ({ ...w.receipt, outcome: outcomes[i]! })),
      );
      const accepted = writes.filter((_, i) => outcomes[i] === 'accepted');
      // before the events are encoded: the projection decides which of them are late
      await this.parcels.record(
        m,
        accepted.flatMap((w) => w.scans),
        latestReceipt(writes),
      );
      await this.outbox.appendMany(
        m,
        accepted.flatMap((w) => w.events),
      );
      return outcomes;
    });
  }
}

/** The first write of every (account, dedupe key) in the batch: only it may claim the key. */
function firstOfEachKey(writes: readonly IntakeWrite[]): Map<string, IntakeWrite> {
  const firsts = new Map<string, IntakeWrite>();
  for (const w of writes) {
    const key = `${w.receipt.carrierAccountId}\u0000${w.receipt.dedupeKey}`;
    if (!firsts.has(key)) firsts.set(key, w);
  }
  return firsts;
}

function byKey(a: IntakeWrite, b: IntakeWrite): number {
  const x = a.receipt;
  const y = b.receipt;
  if (x.carrierAccountId !== y.carrierAccountId) return x.carrierAccountId < y.carrierAccountId ? -1 : 1;
  return x.dedupeKey < y.dedupeKey ? -1 : x.dedupeKey > y.dedupeKey ? 1 : 0;
}

function latestReceipt(writes: readonly IntakeWrite[]): Date {
  return new Date(Math.max(...writes.map((w) => w.receipt.receivedAt.getTime())));
}
