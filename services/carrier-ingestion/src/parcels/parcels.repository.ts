import { namedStatement, outboxInsertSql, type EncodedOutboxRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { IntakeTx } from '../webhooks/intake-transactions';
import type { TrackingStatus } from '../webhooks/tracking-update';
import type { ParcelState } from './parcel-state';
import {
  trackingHistoryInsertSql,
  trackingHistoryValues,
  type KeptTrackingEvent,
} from './tracking-events.repository';

interface ParcelRow {
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  status: TrackingStatus;
  status_occurred_at: Date | string;
  first_seen_at: Date;
  last_scan_at: Date | null;
  updates: number;
  late_updates: number;
}

const PARCEL_COLUMNS = `parcel_id, carrier_code, tracking_number, status, status_occurred_at::text AS status_occurred_at,
              first_seen_at, last_scan_at, updates, late_updates`;

/**
 * Creates the parcels not seen before and answers every given one locked, in one statement: the
 * new rows come back from the INSERT (this transaction holds them), the existing ones from a
 * SELECT … FOR UPDATE, both in parcel-id order so concurrent batches lock alike. A row another
 * transaction created after this statement's snapshot is neither inserted nor visible here:
 * `lockForUpdate` locks those in a second statement (rare: two batches seeing one new parcel).
 */
const CREATE_AND_LOCK = namedStatement(
  'parcels_create_and_lock_v1',
  `WITH created AS (
     INSERT INTO parcels (parcel_id, carrier_code, tracking_number, status, status_occurred_at, first_seen_at, updated_at)
     SELECT id, carrier, tracking, 'unknown', '-infinity', seen, seen
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS t(id, carrier, tracking, seen, n)
      ORDER BY n
     ON CONFLICT (parcel_id) DO NOTHING
     RETURNING ${PARCEL_COLUMNS}
   ), existing AS (
     SELECT ${PARCEL_COLUMNS}
       FROM parcels WHERE parcel_id = ANY($1::text[]) ORDER BY parcel_id FOR UPDATE
   )
   SELECT * FROM created UNION ALL SELECT * FROM existing`,
);

const LOCK = namedStatement(
  'parcels_lock_v1',
  `SELECT ${PARCEL_COLUMNS} FROM parcels WHERE parcel_id = ANY($1::text[]) ORDER BY parcel_id FOR UPDATE`,
);

const SAVE = `UPDATE parcels p
          SET status = t.status, status_occurred_at = t.status_at, last_scan_at = t.last_scan,
              updates = t.updates, late_updates = t.late, updated_at = $7
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::int[])
              AS t(id, status, status_at, last_scan, updates, late)
        WHERE p.parcel_id = t.id`;

/**
 * The projection's new states, the updates' tracking history and the events they come from, in one
 * statement: the UPDATE and the history INSERT run as data-modifying CTEs of the outbox INSERT (all
 * always execute, one round trip).
 */
const SAVE_WITH_EVENTS = namedStatement(
  'parcels_save_with_events_v2',
  `WITH saved AS (${SAVE}), history AS (${trackingHistoryInsertSql(8)}) ${outboxInsertSql(20)}`,
);

/** All SQL of the parcel projection. Runs in the transaction it is given (the intake's). */
export class ParcelsRepository {
  /**
   * Creates the parcels not seen before and locks every given one for this transaction, in
   * parcel-id order so concurrent batches lock alike; answers their current states.
   */
  async lockForUpdate(tx: IntakeTx, unseen: readonly ParcelState[]): Promise<Map<string, ParcelState>> {
    const sorted = [...unseen].sort((a, b) =>
      a.parcelId < b.parcelId ? -1 : a.parcelId > b.parcelId ? 1 : 0,
    );
    const ids = sorted.map((p) => p.parcelId);
    const rows = await tx.query<ParcelRow>(CREATE_AND_LOCK, [
      ids,
      sorted.map((p) => p.carrierCode),
      sorted.map((p) => p.trackingNumber),
      sorted.map((p) => p.firstSeenAt),
    ]);
    const states = new Map(rows.map((r) => [r.parcel_id, stateOf(r)]));
    const missed = ids.filter((id) => !states.has(id));
    if (missed.length > 0) {
      for (const r of await tx.query<ParcelRow>(LOCK, [missed])) states.set(r.parcel_id, stateOf(r));
    }
    return states;
  }

  /** Saves the projection's states and the history, and appends the events (encoded outbox rows), in one statement. */
  async saveWithEvents(
    tx: IntakeTx,
    states: readonly ParcelState[],
    now: Date,
    history: readonly KeptTrackingEvent[],
    events: EncodedOutboxRows,
  ): Promise<void> {
    await tx.query(SAVE_WITH_EVENTS, [
      states.map((s) => s.parcelId),
      states.map((s) => s.status),
      states.map((s) => s.statusOccurredAt ?? '-infinity'),
      states.map((s) => s.lastScanAt ?? null),
      states.map((s) => s.updates),
      states.map((s) => s.lateUpdates),
      now,
      ...trackingHistoryValues(history),
      ...events.values,
    ]);
  }

  /** One parcel's state, for the operators' API. */
  async find(m: EntityManager, parcelId: string): Promise<ParcelState | undefined> {
    const rows: ParcelRow[] = await m.query(
      `SELECT parcel_id, carrier_code, tracking_number, status, status_occurred_at::text AS status_occurred_at,
              first_seen_at, last_scan_at, updates, late_updates
         FROM parcels WHERE parcel_id = $1`,
      [parcelId],
    );
    return rows[0] ? stateOf(rows[0]) : undefined;
  }
}

function stateOf(r: ParcelRow): ParcelState {
  // -infinity (no update applied yet) comes back as text; pg would turn it into an invalid Date
  const occurred = String(r.status_occurred_at);
  return {
    parcelId: r.parcel_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    status: r.status,
    statusOccurredAt: occurred === '-infinity' ? undefined : new Date(occurred),
    firstSeenAt: r.first_seen_at,
    lastScanAt: r.last_scan_at ?? undefined,
    updates: r.updates,
    lateUpdates: r.late_updates,
  };
}
