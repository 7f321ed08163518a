import type { EntityManager } from 'typeorm';
import type { StoredTrackingEvent, TrackingEventsQuery, TrackingHistoryEntry } from './tracking-history';

interface Row {
  seq: string;
  parcel_id: string;
  tenant_id: string;
  carrier_code: string;
  status: StoredTrackingEvent['status'];
  hold_reason: StoredTrackingEvent['holdReason'];
  exception_reason: StoredTrackingEvent['exceptionReason'];
  location: StoredTrackingEvent['location'];
  raw_status_code: string;
  raw_description: string;
  occurred_at: Date;
  received_at: Date;
  late: boolean;
}

/** An accepted update as the history keeps it, with the projection's late verdict. */
export type KeptTrackingEvent = TrackingHistoryEntry & { readonly late: boolean };

/**
 * The history's INSERT reading its twelve parameter arrays from `$first` on (trackingHistoryValues,
 * in order): written as a data-modifying CTE of the intake's projection statement, so keeping the
 * history costs the group commit no round trip of its own.
 */
export function trackingHistoryInsertSql(first: number): string {
  const p = (i: number, type: string) => `$${first + i}::${type}[]`;
  return `INSERT INTO tracking_events (parcel_id, tenant_id, carrier_code, status, hold_reason, exception_reason, location,
                                   raw_status_code, raw_description, occurred_at, received_at, late)
     SELECT * FROM unnest(${p(0, 'text')}, ${p(1, 'text')}, ${p(2, 'text')}, ${p(3, 'text')}, ${p(4, 'text')}, ${p(5, 'text')},
                          ${p(6, 'jsonb')}, ${p(7, 'text')}, ${p(8, 'text')}, ${p(9, 'timestamptz')}, ${p(10, 'timestamptz')},
                          ${p(11, 'boolean')})`;
}

export function trackingHistoryValues(entries: readonly KeptTrackingEvent[]): unknown[] {
  const col = <T>(f: (e: KeptTrackingEvent) => T) => entries.map(f);
  return [
    col((e) => e.parcelId),
    col((e) => e.tenantId),
    col((e) => e.carrierCode),
    col((e) => e.status),
    col((e) => e.holdReason),
    col((e) => e.exceptionReason),
    col((e) => (e.location ? JSON.stringify(e.location) : null)),
    col((e) => e.rawStatusCode),
    col((e) => e.rawDescription),
    col((e) => e.occurredAt),
    col((e) => e.receivedAt),
    col((e) => e.late),
  ];
}

/** The tracking history's reads (the writes: trackingHistoryInsertSql, in the intake's statement). */
export class TrackingEventsRepository {
  /** One page in carrier-time order (arrival order on ties), plus one row to tell a next page exists. */
  async page(m: EntityManager, parcelId: string, q: TrackingEventsQuery): Promise<StoredTrackingEvent[]> {
    const desc = q.order === 'desc';
    const params: unknown[] = [parcelId, q.limit + 1];
    let after = '';
    if (q.cursor) {
      params.push(q.cursor.occurredAt, q.cursor.seq);
      after = `AND (occurred_at, seq) ${desc ? '<' : '>'} ($3::timestamptz, $4::bigint)`;
    }
    const dir = desc ? 'DESC' : 'ASC';
    const rows: Row[] = await m.query(
      `SELECT seq::text AS seq, parcel_id, tenant_id, carrier_code, status, hold_reason, exception_reason, location,
              raw_status_code, raw_description, occurred_at, received_at, late
         FROM tracking_events
        WHERE parcel_id = $1 ${after}
        ORDER BY occurred_at ${dir}, seq ${dir}
        LIMIT $2`,
      params,
    );
    return rows.map((r) => ({
      seq: r.seq,
      parcelId: r.parcel_id,
      tenantId: r.tenant_id,
      carrierCode: r.carrier_code,
      status: r.status,
      holdReason: r.hold_reason,
      exceptionReason: r.exception_reason,
      location: r.location,
      rawStatusCode: r.raw_status_code,
      rawDescription: r.raw_description,
      occurredAt: r.occurred_at,
      receivedAt: r.received_at,
      late: r.late,
    }));
  }
}
