import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ParcelProjection,
  RecipientHintRecord,
  StoredDigest,
  StoredResolution,
} from './parcel-projection';

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
      values(p),
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

  /** findForUpdate for many parcels of one tenant in one statement; rows locked in parcel id order. */
  async findManyForUpdate(
    m: EntityManager,
    tenantId: string,
    parcelIds: readonly string[],
  ): Promise<Map<string, ParcelProjection>> {
    if (parcelIds.length === 0) return new Map();
    const rows: ProjectionDbRow[] = await m.query(
      `SELECT * FROM parcel_projection WHERE tenant_id = $1 AND parcel_id = ANY($2::text[])
        ORDER BY parcel_id FOR UPDATE`,
      [tenantId, [...new Set(parcelIds)]],
    );
    return new Map(rows.map((row) => [row.parcel_id, toProjection(row)]));
  }

  async update(m: EntityManager, p: ParcelProjection): Promise<void> {
    const assignments = COLUMNS.slice(2).map((c, i) => `${c} = $${i + 3}`);
    await m.query(
      `UPDATE parcel_projection SET ${assignments.join(', ')}, updated_at = now()
        WHERE tenant_id = $1 AND parcel_id = $2`,
      values(p),
    );
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

function values(p: ParcelProjection): unknown[] {
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
