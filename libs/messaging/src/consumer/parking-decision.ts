/**
 * Per-key ordering while a record is in retry, as pure decisions (the Postgres row lives in
 * consumer-key-parking.repository.ts).
 *
 * While any record of a key sits in the retry topic, the key is "parked": every later record of the
 * key gets the next sequence number and joins the retry topic behind it, without running its
 * handler. Only the record whose number equals `headSeq` may run; when it succeeds or is
 * dead-lettered the head moves on, and when the queue is empty the row goes away. Order is decided
 * by the numbers, not by positions in the retry topic, so re-queued copies cannot overtake.
 */
export interface ParkingState {
  /** Sequence number of the record allowed to run now. */
  readonly headSeq: number;
  /** Number the next parked record gets. Always > headSeq. */
  readonly nextSeq: number;
}

/** A record read from the stream topic (or a replayed one without a number). */
export type FreshRecordDecision = 'run' | 'park';

export function decideFreshRecord(state: ParkingState | null): FreshRecordDecision {
  return state === null ? 'run' : 'park';
}

/** A numbered record read from the retry topic. */
export type QueuedRecordDecision =
  /** its turn (or the key is not parked any more, e.g. the row was lost with a crashed
   * transaction: running is safe, the inbox drops a record that already ran) */
  | 'run'
  /** an earlier record of the key is still unresolved: back to the end of the retry topic */
  | 'requeue'
  /** already resolved: a duplicate copy from a crash between produce and commit */
  | 'drop';

export function decideQueuedRecord(state: ParkingState | null, seq: number): QueuedRecordDecision {
  if (state === null) return 'run';
  if (seq < state.headSeq) return 'drop';
  if (seq > state.headSeq) return 'requeue';
  return 'run';
}

/** The state after the record numbered `seq` succeeded or was dead-lettered; null = key free. */
export function afterResolved(state: ParkingState | null, seq: number): ParkingState | null {
  if (state === null || seq !== state.headSeq) return state;
  const headSeq = state.headSeq + 1;
  return headSeq >= state.nextSeq ? null : { headSeq, nextSeq: state.nextSeq };
}

/** The state after a record got `seq` to wait in the retry topic (a failure or a parked record). */
export function afterEnqueued(state: ParkingState | null): { state: ParkingState; seq: number } {
  if (state === null) return { state: { headSeq: 0, nextSeq: 1 }, seq: 0 };
  return { state: { headSeq: state.headSeq, nextSeq: state.nextSeq + 1 }, seq: state.nextSeq };
}

/** A record that failed while the key was not parked (e.g. after a lost row) opens the queue at
 * its own number so later parked records (higher numbers) wait for it. */
export function afterHeadFailed(state: ParkingState | null, seq: number): ParkingState {
  return state ?? { headSeq: seq, nextSeq: seq + 1 };
}
