import type { DescMessage } from '@bufbuild/protobuf';
import type { EncodedOutboxRows, OutboxEvent, OutboxWriter } from '@portico/messaging';
import type { ParcelProjection, ProjectedScan } from '../parcels/parcel-projection';
import type { ParcelScan } from '../parcels/parcel-state';
import type { TrackingHistoryEntry } from '../parcels/tracking-history';
import { IntakeCommitter, type IntakeWrite } from './intake-committer';
import type { IntakeTransactions, IntakeTx } from './intake-transactions';
import type { DedupeClaim, WebhookReceipt, WebhookRepository } from './webhook.repository';

let n = 0;
function write(dedupeKey: string, account = 'ca_a'): IntakeWrite {
  n++;
  return {
    receipt: {
      id: `r${n}`,
      receivedAt: new Date('2026-12-01T00:00:00Z'),
      carrierAccountId: account,
      provider: 'portico-native',
      headers: {},
      body: Buffer.from('{}'),
      dedupeKey,
      parcelIds: [],
    },
    events: [{ topic: 't', key: `prc_${dedupeKey}` } as unknown as OutboxEvent<DescMessage>],
    scans: [
      {
        scan: { parcelId: `prc_${dedupeKey}` } as ParcelScan,
        history: {} as TrackingHistoryEntry,
        setLate: () => undefined,
      },
    ],
  };
}

/** Fakes at the repository boundary: a set of claimed keys and the transactions as they ran. */
function setup(options: { failWhen?: (receipts: readonly WebhookReceipt[]) => Error | undefined } = {}) {
  const claimedKeys = new Set<string>();
  const transactions: { receipts: WebhookReceipt[]; events: number; claimOrder: string[] }[] = [];
  const releases: (() => void)[] = [];
  let hold = false;
  const transactionsFake = {
    run: async (work: (tx: IntakeTx) => Promise<unknown>) => {
      if (hold) await new Promise<void>((resolve) => releases.push(resolve));
      const tx = {
        receipts: [] as WebhookReceipt[],
        events: 0,
        claimOrder: [] as string[],
        claimed: [] as string[],
      };
      const m = { tx } as unknown as IntakeTx;
      const result = await work(m);
      const error = options.failWhen?.(tx.receipts);
      if (error) throw error; // rolled back: nothing of it counts
      for (const k of tx.claimed) claimedKeys.add(k);
      transactions.push(tx);
      return result;
    },
  };
  type Tx = { tx: { receipts: WebhookReceipt[]; events: number; claimOrder: string[]; claimed: string[] } };
  const repo = {
    archive: async (m: Tx, claims: DedupeClaim[], receipts: Omit<WebhookReceipt, 'outcome'>[]) => {
      const claimed = new Set<string>();
      for (const k of claims) {
        const key = `${k.carrierAccountId}/${k.dedupeKey}`;
        m.tx.claimOrder.push(key);
        if (claimedKeys.has(key)) continue;
        m.tx.claimed.push(key);
        claimed.add(k.receiptId);
      }
      const outcomes = receipts.map((r) => [r.id, claimed.has(r.id) ? 'accepted' : 'duplicate'] as const);
      m.tx.receipts.push(...receipts.map((r, i) => ({ ...r, outcome: outcomes[i]![1] })));
      return new Map(outcomes);
    },
  };
  const outbox = {
    encode: (events: unknown[]) => ({ values: [[], [], [], [], []], appended: events }),
  };
  const projected: string[][] = [];
  const projection = {
    record: async (m: Tx, scans: ProjectedScan[], _now: Date, encodeEvents: () => EncodedOutboxRows) => {
      // the projection runs before the events are encoded (it decides their late flag)
      expect(m.tx.events).toBe(0);
      projected.push(scans.map((x) => x.scan.parcelId));
      m.tx.events += encodeEvents().appended.length;
    },
  };
  const committer = new IntakeCommitter(
    transactionsFake as unknown as IntakeTransactions,
    repo as unknown as WebhookRepository,
    outbox as unknown as OutboxWriter,
    projection as unknown as ParcelProjection,
    { maxBatch: 50, maxInFlight: 1 },
  );
  return {
    committer,
    transactions,
    projected,
    holdTransactions: () => (hold = true),
    releaseAll: () => {
      hold = false;
      releases.splice(0).forEach((r) => r());
    },
  };
}

describe('IntakeCommitter (group commit)', () => {
  it('writes a lone delivery at once, in a transaction of its own', async () => {
    const t = setup();
    await expect(t.committer.commit(write('k1'))).resolves.toBe('accepted');
    expect(t.transactions).toHaveLength(1);
    expect(t.transactions[0]!.events).toBe(1);
  });

  it('groups the deliveries that arrive while a transaction is in flight into the next one', async () => {
    const t = setup();
    t.holdTransactions();
    const first = t.committer.commit(write('a'));
    const waiting = ['b', 'c', 'd', 'e'].map((k) => t.committer.commit(write(k)));
    t.releaseAll();
    await expect(first).resolves.toBe('accepted');
    await expect(Promise.all(waiting)).resolves.toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(t.transactions.map((tx) => tx.receipts.length)).toEqual([1, 4]);
    expect(t.transactions[1]!.events).toBe(4);
  });

  it('makes the second delivery of a key in one batch a duplicate, and a key seen before too', async () => {
    const t = setup();
    await t.committer.commit(write('seen'));
    await new Promise(setImmediate); // let that flush finish, so 'x' below gets a transaction alone
    t.holdTransactions();
    const blocker = t.committer.commit(write('x'));
    const batch = [write('dup'), write('dup'), write('seen'), write('new')].map((w) => t.committer.commit(w));
    t.releaseAll();
    await blocker;
    await expect(Promise.all(batch)).resolves.toEqual(['accepted', 'duplicate', 'duplicate', 'accepted']);
    const last = t.transactions.at(-1)!;
    expect(last.receipts.map((r) => r.outcome)).toEqual(['accepted', 'duplicate', 'duplicate', 'accepted']);
    expect(last.events).toBe(2); // only the accepted ones publish
    expect(t.projected.at(-1)).toEqual(['prc_dup', 'prc_new']); // and only they move the projection
  });

  it('runs no projection or outbox statement for a batch of duplicates only', async () => {
    const t = setup();
    await t.committer.commit(write('once'));
    expect(t.projected).toHaveLength(1);
    await expect(t.committer.commit(write('once'))).resolves.toBe('duplicate');
    expect(t.transactions).toHaveLength(2);
    expect(t.projected).toHaveLength(1);
    expect(t.transactions[1]!.events).toBe(0);
  });

  it('claims keys in sorted order, so concurrent batches lock alike and cannot deadlock', async () => {
    const t = setup();
    t.holdTransactions();
    const blocker = t.committer.commit(write('m'));
    const batch = [write('z', 'ca_b'), write('b', 'ca_b'), write('y', 'ca_a')].map((w) =>
      t.committer.commit(w),
    );
    t.releaseAll();
    await Promise.all([blocker, ...batch]);
    expect(t.transactions.at(-1)!.claimOrder).toEqual(['ca_a/y', 'ca_b/b', 'ca_b/z']);
  });

  it('retries a failed batch one delivery per transaction, so one bad row fails alone', async () => {
    const poison = write('poison');
    const t = setup({
      failWhen: (receipts) =>
        receipts.some((r) => r.id === poison.receipt.id) ? new Error('check violation') : undefined,
    });
    t.holdTransactions();
    const blocker = t.committer.commit(write('first'));
    const good = t.committer.commit(write('good'));
    const bad = t.committer.commit(poison);
    t.releaseAll();
    await blocker;
    await expect(good).resolves.toBe('accepted');
    await expect(bad).rejects.toThrow('check violation');
    expect(t.transactions.flatMap((tx) => tx.receipts.map((r) => r.dedupeKey))).toEqual(['first', 'good']);
  });

  it('fails the whole batch at once when the database is unreachable (no one-by-one retries)', async () => {
    let attempts = 0;
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const t = setup({
      failWhen: () => {
        attempts++;
        return down;
      },
    });
    const all = [write('1'), write('2'), write('3')].map((w) => t.committer.commit(w));
    const results = await Promise.allSettled(all);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(attempts).toBe(2); // the first alone, then the other two together; nothing retried
  });
});
