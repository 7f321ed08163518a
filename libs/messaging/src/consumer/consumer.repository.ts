import type { DataSource, EntityManager } from 'typeorm';
import { namedStatement, queryNamed } from '../persistence/named-statements';
import { markedOffUntilCommit, turnedOffSql, type PlanMethod } from '../persistence/planner-settings';
import { returnedRows } from '../persistence/returned-rows';
import type { ParkingState } from './parking-decision';

/** A chunk's parking read and inbox claim (lockAndClaimChunk's second statement). */
const PARKING_AND_CLAIM = namedStatement(
  'consumer_parking_and_claim_v1',
  `WITH claimed AS (
     INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($4::uuid[])
       ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id)
   SELECT key, head_seq, next_seq, NULL AS event_id FROM consumer_key_parking
    WHERE consumer = $1 AND topic = $2 AND key = ANY($3::text[])
   UNION ALL
   SELECT NULL, NULL, NULL, event_id FROM claimed`,
);

/** A single record's parking read (lockParking's second statement, peekParking). */
const READ_PARKING = namedStatement(
  'consumer_read_parking_v1',
  `SELECT head_seq, next_seq FROM consumer_key_parking WHERE consumer = $1 AND topic = $2 AND key = $3`,
);

/** A single record's inbox claim. */
const CLAIM_ONE = namedStatement(
  'consumer_claim_one_v1',
  `INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
);

/**
 * The head of a consumer transaction's first statement turning its plan methods off until commit
 * (a one-row CTE, evaluated once, before the locks), or nothing when there are none; the statement
 * reads `FROM settings` when there are.
 */
function settingsCte(off: readonly PlanMethod[]): string {
  return off.length > 0 ? `WITH settings AS MATERIALIZED (SELECT ${turnedOffSql(off)}) ` : '';
}

/** One transaction of a consumer: inbox, parking row and the handler's writes commit together. */
export interface ConsumerUnitOfWork {
  readonly manager: EntityManager;
  /** Serialises everyone touching this key's parking state until the transaction ends (also when
   * there is no row yet), then reads the state. */
  lockParking(topic: string, key: string): Promise<ParkingState | null>;
  /**
   * A chunk's start, two statements whatever its size: every key of one topic locked (in a fixed
   * order) as lockParking does, then their parking states read and the events claimed in the inbox
   * together. `claimed` holds the ids claimed now, lower-cased; an id missing from it was processed
   * before (or appears twice in the list). A caller that finds a key parked rolls the transaction
   * back, and the claims with it.
   */
  lockAndClaimChunk(topic: string, keys: readonly string[], eventIds: readonly string[]): Promise<ChunkStart>;
  /** Writes the state; null removes the row (the key is free again). */
  saveParking(topic: string, key: string, state: ParkingState | null): Promise<void>;
  /** Records the event as processed by this consumer; false when it already was. */
  claimInbox(eventId: string): Promise<boolean>;
}

export interface ChunkStart {
  readonly parked: Map<string, ParkingState | null>;
  readonly claimed: Set<string>;
}

export interface ConsumerRepository {
  inTransaction<T>(work: (uow: ConsumerUnitOfWork) => Promise<T>): Promise<T>;
  /** The state without locking: enough to decide that a record must wait, re-checked under the
   * lock before anything runs. */
  peekParking(topic: string, key: string): Promise<ParkingState | null>;
}

/** The Postgres tables created by createMessagingMigration(). */
export class PostgresConsumerRepository implements ConsumerRepository {
  constructor(
    private readonly dataSource: DataSource,
    /** The consumer group: inbox and parking rows are per group. */
    private readonly consumer: string,
    /**
     * Plan methods every transaction of the consumer runs without, turned off in its first
     * statement, the key locks (no round trip of their own): for consumers whose statements all
     * want index plans (key probes), see KafkaEventTransportOptions.planMethodsOff.
     */
    private readonly planMethodsOff: readonly PlanMethod[] = [],
  ) {}

  inTransaction<T>(work: (uow: ConsumerUnitOfWork) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) =>
      work(new PostgresUnitOfWork(manager, this.consumer, this.planMethodsOff)),
    );
  }

  async peekParking(topic: string, key: string): Promise<ParkingState | null> {
    return readParking(this.dataSource.manager, this.consumer, topic, key);
  }
}

class PostgresUnitOfWork implements ConsumerUnitOfWork {
  constructor(
    readonly manager: EntityManager,
    private readonly consumer: string,
    private readonly planMethodsOff: readonly PlanMethod[],
  ) {}

  async lockParking(topic: string, key: string): Promise<ParkingState | null> {
    // An advisory lock rather than FOR UPDATE: it also covers the moment before the row exists.
    // Separate statement on purpose: under READ COMMITTED the following SELECT takes its snapshot
    // after the lock is granted, so it sees what the previous holder committed.
    // The consumer's plan settings ride along, as in lockAndClaimChunk.
    const off = this.planMethodsOff;
    await this.manager.query(
      `${settingsCte(off)}SELECT pg_advisory_xact_lock(hashtextextended($1, 0))${off.length > 0 ? ' FROM settings' : ''}`,
      [`${this.consumer}\u001f${topic}\u001f${key}`],
    );
    if (off.length > 0) markedOffUntilCommit(this.manager, off);
    return readParking(this.manager, this.consumer, topic, key);
  }

  async lockAndClaimChunk(
    topic: string,
    keys: readonly string[],
    eventIds: readonly string[],
  ): Promise<ChunkStart> {
    const distinct = [...new Set(keys)].sort();
    // One statement for all locks, taken in a fixed order (sorted keys), so two batches never wait
    // on each other in a cycle; the read is a separate statement for the reason lockParking gives.
    // The chunk's plan settings ride along (a one-row CTE, evaluated once, before the locks).
    const off = this.planMethodsOff;
    await this.manager.query(
      `${settingsCte(off)}SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
         FROM ${off.length > 0 ? 'settings, ' : ''}unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`,
      [distinct.map((key) => `${this.consumer}\u001f${topic}\u001f${key}`)],
    );
    if (off.length > 0) markedOffUntilCommit(this.manager, off);
    // The parking read and the inbox claim share one round trip (they touch different tables, so
    // the CTE's snapshot changes nothing); DO NOTHING also absorbs an id listed twice. Named (parsed
    // and planned once per connection) when the chunk runs with index plans only.
    const rows = await queryNamed<{
      key: string | null;
      head_seq: string;
      next_seq: string;
      event_id: string | null;
    }>(this.manager, PARKING_AND_CLAIM, [this.consumer, topic, distinct, eventIds]);
    const parked = new Map<string, ParkingState | null>(distinct.map((key) => [key, null]));
    const claimed = new Set<string>();
    for (const row of rows) {
      if (row.event_id !== null) claimed.add(row.event_id.toLowerCase());
      else if (row.key !== null)
        parked.set(row.key, { headSeq: Number(row.head_seq), nextSeq: Number(row.next_seq) });
    }
    return { parked, claimed };
  }

  async saveParking(topic: string, key: string, state: ParkingState | null): Promise<void> {
    if (state === null) {
      await this.manager.query(
        `DELETE FROM consumer_key_parking WHERE consumer = $1 AND topic = $2 AND key = $3`,
        [this.consumer, topic, key],
      );
      return;
    }
    await this.manager.query(
      `INSERT INTO consumer_key_parking (consumer, topic, key, head_seq, next_seq)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (consumer, topic, key)
       DO UPDATE SET head_seq = EXCLUDED.head_seq, next_seq = EXCLUDED.next_seq, updated_at = now()`,
      [this.consumer, topic, key, state.headSeq, state.nextSeq],
    );
  }

  async claimInbox(eventId: string): Promise<boolean> {
    const rows = await queryNamed(this.manager, CLAIM_ONE, [this.consumer, eventId]);
    return rows.length === 1;
  }
}

async function readParking(
  manager: EntityManager,
  consumer: string,
  topic: string,
  key: string,
): Promise<ParkingState | null> {
  const rows = await queryNamed<{ head_seq: string; next_seq: string }>(manager, READ_PARKING, [
    consumer,
    topic,
    key,
  ]);
  const row = rows[0];
  return row ? { headSeq: Number(row.head_seq), nextSeq: Number(row.next_seq) } : null;
}

/** Inbox rows only need to outlive the longest redelivery window (topic retention). */
export async function purgeInbox(dataSource: DataSource, olderThan: Date, limit = 10_000): Promise<number> {
  const result: unknown = await dataSource.query(
    `DELETE FROM inbox WHERE ctid IN (SELECT ctid FROM inbox WHERE processed_at < $1 LIMIT $2) RETURNING 1`,
    [olderThan, limit],
  );
  return returnedRows(result).length;
}
