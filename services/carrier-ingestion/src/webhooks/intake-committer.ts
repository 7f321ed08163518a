import { context as otelContext } from '@opentelemetry/api';
import type { DescMessage } from '@bufbuild/protobuf';
import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import type { ParcelProjection, ProjectedScan } from '../parcels/parcel-projection';
import { isDatabaseUnavailable } from '../shared/database-errors';
import type { IntakeTransactions } from './intake-transactions';
import type { ReceiptOutcome, WebhookReceipt, WebhookRepository } from './webhook.repository';

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
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = {
  maxBatch: 200,
  maxInFlight: 4,
};

/** Per-statement and lock-wait bound of a batch (see PgIntakeTransactions). */
export const INTAKE_STATEMENT_TIMEOUT_MS = 5_000;

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
    private readonly transactions: IntakeTransactions,
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

  /**
   * One transaction, three statements between BEGIN and COMMIT: dedupe claim + archive, parcels
   * created and locked, parcel states + outbox rows (see the repositories).
   */
  private write(writes: readonly IntakeWrite[]): Promise<ReceiptOutcome[]> {
    return this.transactions.run(async (tx) => {
      const firsts = firstOfEachKey(writes);
      const byId = await this.webhooks.archive(
        tx,
        [...firsts.values()].sort(byKey).map((w) => ({
          carrierAccountId: w.receipt.carrierAccountId,
          dedupeKey: w.receipt.dedupeKey,
          firstSeenAt: w.receipt.receivedAt,
          receiptId: w.receipt.id,
        })),
        writes.map((w) => w.receipt),
      );
      const outcomes = writes.map((w): ReceiptOutcome => {
        const outcome = byId.get(w.receipt.id);
        if (!outcome) throw new Error('a receipt of the batch was not archived');
        return outcome;
      });
      const accepted = writes.filter((_, i) => outcomes[i] === 'accepted');
      const scans = accepted.flatMap((w) => w.scans);
      const events = accepted.flatMap((w) => w.events);
      // nothing to project or publish (all duplicates, or webhooks without updates): no statement
      if (scans.length === 0 && events.length === 0) return outcomes;
      // the projection decides which events are late before they are encoded
      await this.parcels.record(tx, scans, latestReceipt(writes), () => this.outbox.encode(events));
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
