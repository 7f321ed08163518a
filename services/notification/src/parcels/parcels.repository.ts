import { Injectable } from '@nestjs/common';
import { namedStatement, queryNamed, WHOLE_TABLE_PLAN_METHODS, withPlanMethodsOff } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type {
  ParcelProjection,
  RecipientHintRecord,
  StoredDigest,
  StoredResolution,
  TrackingRun,
} from './parcel-projection';

/** findManyForUpdate's statement (named: parsed and planned once per connection in a chunk). */
const FIND_MANY_FOR_UPDATE = namedStatement(
  'parcel_projection_find_many_for_update_v1',
  `SELECT p.*
     FROM (SELECT DISTINCT unnest($2::text[]) AS parcel_id ORDER BY 1) AS k
    CROSS JOIN LATERAL (
          SELECT * FROM parcel_projection
           WHERE tenant_id = $1 AND parcel_id = k.parcel_id
             FOR UPDATE) AS p
    ORDER BY k.parcel_id`,
);

/** All SQL of the parcel projection; every method takes the caller's transaction. */
@Injectable()
export class ParcelsRepository {
  /** Inserts the projection unless the parcel is already known; true when inserted. */
  async insertIfAbsent(m: EntityManager, p: ParcelProjection): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO parcel_projection (${COLUMNS.join(', ')})
       VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (tenant_id, parcel_id) DO NOTHING
       RETURNING parcel_id`,
      projectionValues(p),
    );
    return rows.length > 0;
  }

  /** The projection, row-locked until the caller's transaction ends (serialises updates and resolution). */
  async findForUpdate(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
  ): Promise<ParcelProjection | undefined> {
    const rows: ProjectionDbRow[] = await m.query(
      `SELECT * FROM parcel_projection WHERE tenant_id = $1 AND parcel_id = $2 FOR UPDATE`,
      [tenantId, parcelId],
    );
    return rows[0] && toProjection(rows[0]);
  }

  /**
   * findForUpdate for many parcels of one tenant in one statement; rows locked in parcel id order.
   * One primary-key probe per id (a lateral lookup on the whole key), whatever the statistics say:
   * written as `parcel_id = ANY(ids)`, a table whose statistics are older than its rows (autovacuum
   * lagging or off) got a bitmap scan of the tenant's every parcel, filtered by id — the tenant is
   * most of the table, so 118 ms for 40 ids at 20,000 parcels in `npm run bench:notify`.
   */
  async findManyForUpdate(
    m: EntityManager,
    tenantId: string,
    parcelIds: readonly string[],
  ): Promise<Map<string, ParcelProjection>> {
    if (parcelIds.length === 0) return new Map();
    const rows = await queryNamed<ProjectionDbRow>(m, FIND_MANY_FOR_UPDATE, [
      tenantId,
      [...new Set(parcelIds)],
    ]);
    return new Map(rows.map((row) => [row.parcel_id, toProjection(row)]));
  }

  /**
   * Folds the tracking runs of a chunk (at most one per parcel: foldTrackingRuns) into the
   * projection with ONE statement: unknown parcels get the run's `insert`, stored ones the run's
   * status / hint where they are not older (mergeTrackingRun is the same rule in TypeScript). A
   * MERGE rather than INSERT … ON CONFLICT because an update needs more than the proposed row (the
   * run's newest non-late status differs from the insert's when its first update is late). A
   * parcel another transaction inserts at the same moment makes MERGE fail with a unique
   * violation instead of losing either write; the transport then runs the chunk one by one, where
   * the row is visible. Rows are visited in (tenant, parcel) order, like findManyForUpdate's locks.
   */
  async upsertMany(m: EntityManager, runs: readonly TrackingRun[]): Promise<void> {
    if (runs.length === 0) return;
    const columns: unknown[][] = [...COLUMNS, ...RUN_COLUMNS].map(() => []);
    for (const run of runs) {
      const row = [
        ...projectionValues(run.insert),
        run.status?.status ?? null,
        run.status?.occurredAt ?? null,
        run.status?.eventId ?? null,
      ];
      // Dates as ISO text: node-postgres formats a Date element in JS, field by field, in local
      // time (its dateToString was ~2 % of the service's CPU in the profile); toISOString is native.
      row.forEach((v, i) => columns[i]!.push(v instanceof Date ? v.toISOString() : v));
    }
    // A probe of the primary key per run, in the source's (tenant, parcel) order: that order is
    // what keeps two chunks' row locks deadlock-free. With statistics older than the table the
    // planner chose a hash join over a sequential scan instead (every chunk read the whole table,
    // and locked in heap order: bench:notify saw a deadlock).
    await withPlanMethodsOff(m, WHOLE_TABLE_PLAN_METHODS, () => queryNamed(m, UPSERT_RUNS, columns));
  }

  async markResolved(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    resolution: StoredResolution,
    at: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE parcel_projection
          SET resolved_property_id = $3, resolved_unit_id = $4, resolved_resident_id = $5,
              resolution_method = $6, resolved_at = $7, updated_at = now()
        WHERE tenant_id = $1 AND parcel_id = $2`,
      [
        tenantId,
        parcelId,
        resolution.propertyId,
        resolution.unitId,
        resolution.residentId,
        resolution.method,
        at,
      ],
    );
  }
}

// Resolution columns are written by markResolved only, so a tracking update never clears them.
const COLUMNS = [
  'tenant_id',
  'parcel_id',
  'carrier_code',
  'tracking_number',
  'status',
  'status_occurred_at',
  'last_event_id',
  'hint_occurred_at',
  'hint_country_code',
  'hint_region',
  'hint_city',
  'hint_district',
  'hint_postal_code',
  'hint_address_line',
  'hint_unit',
  'name_digest',
  'name_digest_key_id',
  'phone_digest',
  'phone_digest_key_id',
] as const;

const COLUMN_TYPES: Record<(typeof COLUMNS)[number], string> = {
  tenant_id: 'text',
  parcel_id: 'text',
  carrier_code: 'text',
  tracking_number: 'text',
  status: 'text',
  status_occurred_at: 'timestamptz',
  last_event_id: 'uuid',
  hint_occurred_at: 'timestamptz',
  hint_country_code: 'text',
  hint_region: 'text',
  hint_city: 'text',
  hint_district: 'text',
  hint_postal_code: 'text',
  hint_address_line: 'text',
  hint_unit: 'text',
  name_digest: 'bytea',
  name_digest_key_id: 'text',
  phone_digest: 'bytea',
  phone_digest_key_id: 'text',
};

/** The run's newest non-late status (NULL when every update of the run was late). */
const RUN_COLUMNS = [
  ['run_status', 'text'],
  ['run_status_occurred_at', 'timestamptz'],
  ['run_last_event_id', 'uuid'],
] as const;

// The insert's hint IS the run's hint (the fold from nothing keeps the newest hint too), so the
// hint_* source columns serve both branches; hint_occurred_at is NULL when the run had none.
const HINT_COLUMNS = COLUMNS.filter((c) => c.startsWith('hint_') || c.includes('_digest'));
const STATUS_NEWER = 'i.run_status_occurred_at >= p.status_occurred_at'; // NULL (all late) → not newer
const HINT_NEWER =
  '(i.hint_occurred_at IS NOT NULL AND (p.hint_occurred_at IS NULL OR i.hint_occurred_at >= p.hint_occurred_at))';

const UPSERT_RUNS_SQL = (() => {
  const all = [...COLUMNS.map((c) => [c, COLUMN_TYPES[c]] as const), ...RUN_COLUMNS];
  const unnest = all.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const names = all.map(([c]) => c).join(', ');
  const set = [
    `status = CASE WHEN ${STATUS_NEWER} THEN i.run_status ELSE p.status END`,
    `status_occurred_at = CASE WHEN ${STATUS_NEWER} THEN i.run_status_occurred_at ELSE p.status_occurred_at END`,
    `last_event_id = CASE WHEN ${STATUS_NEWER} THEN i.run_last_event_id ELSE p.last_event_id END`,
    ...HINT_COLUMNS.map((c) => `${c} = CASE WHEN ${HINT_NEWER} THEN i.${c} ELSE p.${c} END`),
    'updated_at = now()',
  ];
  return `MERGE INTO parcel_projection AS p
    USING (SELECT * FROM unnest(${unnest}) AS u(${names}) ORDER BY tenant_id, parcel_id) AS i
       ON p.tenant_id = i.tenant_id AND p.parcel_id = i.parcel_id
    WHEN MATCHED THEN UPDATE SET ${set.join(', ')}
    WHEN NOT MATCHED THEN INSERT (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `i.${c}`).join(', ')})`;
})();
const UPSERT_RUNS = namedStatement('parcel_projection_upsert_runs_v1', UPSERT_RUNS_SQL);

/** The row's values in COLUMNS order (also the measure's per-record UPDATE). */
export function projectionValues(p: ParcelProjection): unknown[] {
  const h = p.hint;
  return [
    p.tenantId,
    p.parcelId,
    p.carrierCode,
    p.trackingNumber,
    p.status,
    p.statusOccurredAt,
    p.lastEventId,
    p.hintOccurredAt,
    h?.countryCode ?? '',
    h?.region ?? '',
    h?.city ?? '',
    h?.district ?? '',
    h?.postalCode ?? '',
    h?.addressLine ?? '',
    h?.unit ?? '',
    h?.nameDigest ? Buffer.from(h.nameDigest.value) : null,
    h?.nameDigest?.keyId ?? null,
    h?.phoneDigest ? Buffer.from(h.phoneDigest.value) : null,
    h?.phoneDigest?.keyId ?? null,
  ];
}

interface ProjectionDbRow {
  tenant_id: string;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  status: string;
  status_occurred_at: Date;
  last_event_id: string;
  hint_occurred_at: Date | null;
  hint_country_code: string;
  hint_region: string;
  hint_city: string;
  hint_district: string;
  hint_postal_code: string;
  hint_address_line: string;
  hint_unit: string;
  name_digest: Buffer | null;
  name_digest_key_id: string | null;
  phone_digest: Buffer | null;
  phone_digest_key_id: string | null;
  resolved_property_id: string | null;
  resolved_unit_id: string | null;
  resolved_resident_id: string | null;
  resolution_method: StoredResolution['method'] | null;
}

function digest(value: Buffer | null, keyId: string | null): StoredDigest | null {
  return value && keyId ? { value: new Uint8Array(value), keyId } : null;
}

function toProjection(r: ProjectionDbRow): ParcelProjection {
  const hint: RecipientHintRecord | null =
    r.hint_occurred_at === null
      ? null
      : {
          countryCode: r.hint_country_code,
          region: r.hint_region,
          city: r.hint_city,
          district: r.hint_district,
          postalCode: r.hint_postal_code,
          addressLine: r.hint_address_line,
          unit: r.hint_unit,
          nameDigest: digest(r.name_digest, r.name_digest_key_id),
          phoneDigest: digest(r.phone_digest, r.phone_digest_key_id),
        };
  const resolution: StoredResolution | null =
    r.resolved_resident_id && r.resolved_property_id && r.resolved_unit_id && r.resolution_method
      ? {
          propertyId: r.resolved_property_id,
          unitId: r.resolved_unit_id,
          residentId: r.resolved_resident_id,
          method: r.resolution_method,
        }
      : null;
  return {
    tenantId: r.tenant_id,
    parcelId: r.parcel_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    status: r.status,
    statusOccurredAt: r.status_occurred_at,
    lastEventId: r.last_event_id,
    hint,
    hintOccurredAt: r.hint_occurred_at,
    resolution,
  };
}
