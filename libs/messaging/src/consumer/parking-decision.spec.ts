import {
  afterEnqueued,
  afterHeadFailed,
  afterResolved,
  decideFreshRecord,
  decideQueuedRecord,
  type ParkingState,
} from './parking-decision';

describe('parking decisions', () => {
  it('runs a fresh record when its key is free and parks it otherwise', () => {
    expect(decideFreshRecord(null)).toBe('run');
    expect(decideFreshRecord({ headSeq: 0, nextSeq: 1 })).toBe('park');
  });

  it('numbers records in arrival order and opens the queue with the first failure', () => {
    const first = afterEnqueued(null);
    expect(first).toEqual({ seq: 0, state: { headSeq: 0, nextSeq: 1 } });
    const second = afterEnqueued(first.state);
    expect(second).toEqual({ seq: 1, state: { headSeq: 0, nextSeq: 2 } });
  });

  it('lets only the head run, re-queues later numbers and drops resolved ones', () => {
    const state: ParkingState = { headSeq: 3, nextSeq: 6 };
    expect(decideQueuedRecord(state, 3)).toBe('run');
    expect(decideQueuedRecord(state, 4)).toBe('requeue');
    expect(decideQueuedRecord(state, 2)).toBe('drop');
    expect(decideQueuedRecord(null, 7)).toBe('run');
  });

  it('moves the head on when the head resolves and frees the key when the queue is empty', () => {
    expect(afterResolved({ headSeq: 0, nextSeq: 3 }, 0)).toEqual({ headSeq: 1, nextSeq: 3 });
    expect(afterResolved({ headSeq: 2, nextSeq: 3 }, 2)).toBeNull();
    // a duplicate copy of an older record changes nothing
    expect(afterResolved({ headSeq: 2, nextSeq: 3 }, 1)).toEqual({ headSeq: 2, nextSeq: 3 });
    expect(afterResolved(null, 5)).toBeNull();
  });

  it('keeps the queue as it is when the head fails again, and reopens it at the record’s own number if lost', () => {
    expect(afterHeadFailed({ headSeq: 1, nextSeq: 4 }, 1)).toEqual({ headSeq: 1, nextSeq: 4 });
    expect(afterHeadFailed(null, 5)).toEqual({ headSeq: 5, nextSeq: 6 });
  });

  it('keeps order for any interleaving of failures and arrivals (model check)', () => {
    // A key receives records 0..n-1; some fail a few times. Simulate the retry topic as a FIFO and
    // check that handlers succeed in arrival order.
    for (let trial = 0; trial < 200; trial++) {
      const random = mulberry32(trial);
      const failuresLeft = Array.from({ length: 8 }, () => Math.floor(random() * 3));
      const succeeded: number[] = [];
      let state: ParkingState | null = null;
      const retryTopic: Array<{ event: number; seq: number }> = [];
      const streamOrder = [...failuresLeft.keys()];
      // interleave stream arrivals with retry-topic processing
      while (streamOrder.length > 0 || retryTopic.length > 0) {
        if (streamOrder.length > 0 && (retryTopic.length === 0 || random() < 0.5)) {
          const event = streamOrder.shift()!;
          if (decideFreshRecord(state) === 'park' || failuresLeft[event]! > 0) {
            if (decideFreshRecord(state) === 'run') failuresLeft[event]!--;
            const enqueued = afterEnqueued(state);
            state = enqueued.state;
            retryTopic.push({ event, seq: enqueued.seq });
          } else {
            succeeded.push(event);
          }
          continue;
        }
        const record = retryTopic.shift()!;
        const decision = decideQueuedRecord(state, record.seq);
        if (decision === 'drop') continue;
        if (decision === 'requeue') {
          retryTopic.push(record);
          continue;
        }
        if (failuresLeft[record.event]! > 0) {
          failuresLeft[record.event]!--;
          state = afterHeadFailed(state, record.seq);
          retryTopic.push(record);
        } else {
          succeeded.push(record.event);
          state = afterResolved(state, record.seq);
        }
      }
      expect(succeeded).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(state).toBeNull();
    }
  });
});

function mulberry32(seed: number): () => number {
  let a = seed + 0x6d2b79f5;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
