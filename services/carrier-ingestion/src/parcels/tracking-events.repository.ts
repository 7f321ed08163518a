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

/** All SQL of the tracking history. Appends run in the intake's transaction (one statement per commit). */
export class TrackingEventsRepository {
  async append(
    m: EntityManager,
    entries: readonly (TrackingHistoryEntry & { late: boolean })[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const col = <T>(f: (e: TrackingHistoryEntry & { late: boolean }) => T) => entries.map(f);
    await m.query(
      `INSERT INTO tracking_events (parcel_id, tenant_id, carrier_code, status, hold_reason, exception_reason, location,
                                    raw_status_code, raw_description, occurred_at, received_at, late)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
                            $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::boolean[])`,
      [
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
      ],
    );
  }

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
