import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { Money, Parcel } from './parcel';
import type { TrackingObservation } from './tracking-observation';

interface ParcelRow {
  tenant_id: string;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  status: Parcel['status'];
  exception_reason: Parcel['exceptionReason'];
  last_scan_at: Date;
  last_event_id: string;
  estimated_delivery: string | null;
  origin_country_code: string | null;
  destination_country_code: string | null;
  property_id: string | null;
  delivered_at: Date | null;
  declared_currency: string | null;
  declared_minor: string | null;
  insured_currency: string | null;
  insured_minor: string | null;
  insured_source: Parcel['insuredSource'];
  first_seen_at: Date;
  updated_at: Date;
}

const money = (currency: string | null, minor: string | null): Money | null =>
  currency && minor !== null ? { currencyCode: currency, amountMinor: BigInt(minor) } : null;

function toParcel(r: ParcelRow): Parcel {
  return {
    tenantId: r.tenant_id,
    parcel: { parcelId: r.parcel_id, carrierCode: r.carrier_code, trackingNumber: r.tracking_number },
    status: r.status,
    exceptionReason: r.exception_reason,
    lastScanAt: r.last_scan_at,
    lastEventId: r.last_event_id,
    estimatedDelivery: r.estimated_delivery,
    originCountryCode: r.origin_country_code,
    destinationCountryCode: r.destination_country_code,
    propertyId: r.property_id,
    deliveredAt: r.delivered_at,
    declaredValue: money(r.declared_currency, r.declared_minor),
    insuredValue: money(r.insured_currency, r.insured_minor),
    insuredSource: r.insured_source,
    firstSeenAt: r.first_seen_at,
    updatedAt: r.updated_at,
  };
}

/** The key of findMany's map. */
export const parcelKey = (tenantId: string, parcelId: string) => `${tenantId} ${parcelId}`;

export interface ScanRow {
  readonly eventId: string;
  readonly status: string;
  readonly exceptionReason: string | null;
  readonly rawStatusCode: string;
  readonly location: string;
  readonly occurredAt: Date;
  readonly late: boolean;
}

/** claims_parcels and claims_parcel_scans; every method takes the transaction it is given. */
@Injectable()
export class ParcelRepository {
  async find(m: EntityManager, tenantId: string, parcelId: string, opts: { lock?: boolean } = {}) {
    const rows = (await m.query(
      `SELECT *, to_char(estimated_delivery, 'YYYY-MM-DD') AS estimated_delivery
         FROM claims_parcels WHERE tenant_id = $1 AND parcel_id = $2 ${opts.lock ? 'FOR UPDATE' : ''}`,
      [tenantId, parcelId],
    )) as ParcelRow[];
    return rows[0] ? toParcel(rows[0]) : undefined;
  }

  /**
   * Several parcels in one round trip (a batch of due detection timers), keyed `tenant parcel`.
   * Locked in key order, so two claim loops locking overlapping parcels cannot deadlock.
   */
  async findMany(
    m: EntityManager,
    keys: ReadonlyArray<{ tenantId: string; parcelId: string }>,
    opts: { lock?: boolean } = {},
  ): Promise<Map<string, Parcel>> {
    if (keys.length === 0) return new Map();
    const rows = (await m.query(
      `SELECT *, to_char(estimated_delivery, 'YYYY-MM-DD') AS estimated_delivery
         FROM claims_parcels
        WHERE (tenant_id, parcel_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY tenant_id, parcel_id ${opts.lock ? 'FOR UPDATE' : ''}`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.parcelId)],
    )) as ParcelRow[];
    return new Map(rows.map((r) => [parcelKey(r.tenant_id, r.parcel_id), toParcel(r)]));
  }

  async upsert(m: EntityManager, p: Parcel): Promise<void> {
    await m.query(
      `INSERT INTO claims_parcels (tenant_id, parcel_id, carrier_code, tracking_number, status, exception_reason,
         last_scan_at, last_event_id, estimated_delivery, origin_country_code, destination_country_code,
         property_id, delivered_at, declared_currency, declared_minor, insured_currency, insured_minor,
         insured_source, first_seen_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::date,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
       ON CONFLICT (tenant_id, parcel_id) DO UPDATE SET status = EXCLUDED.status,
         exception_reason = EXCLUDED.exception_reason, last_scan_at = EXCLUDED.last_scan_at,
         last_event_id = EXCLUDED.last_event_id, estimated_delivery = EXCLUDED.estimated_delivery,
         origin_country_code = EXCLUDED.origin_country_code,
         destination_country_code = EXCLUDED.destination_country_code, property_id = EXCLUDED.property_id,
         delivered_at = EXCLUDED.delivered_at, declared_currency = EXCLUDED.declared_currency,
         declared_minor = EXCLUDED.declared_minor, insured_currency = EXCLUDED.insured_currency,
         insured_minor = EXCLUDED.insured_minor, insured_source = EXCLUDED.insured_source,
         updated_at = EXCLUDED.updated_at`,
      [
        p.tenantId,
        p.parcel.parcelId,
        p.parcel.carrierCode,
        p.parcel.trackingNumber,
        p.status,
        p.exceptionReason,
        p.lastScanAt,
        p.lastEventId,
        p.estimatedDelivery,
        p.originCountryCode,
        p.destinationCountryCode,
        p.propertyId,
        p.deliveredAt,
        p.declaredValue?.currencyCode ?? null,
        p.declaredValue?.amountMinor.toString() ?? null,
        p.insuredValue?.currencyCode ?? null,
        p.insuredValue?.amountMinor.toString() ?? null,
        p.insuredSource,
        p.firstSeenAt,
        p.updatedAt,
      ],
    );
  }

  async addScan(m: EntityManager, o: TrackingObservation): Promise<void> {
    await m.query(
      `INSERT INTO claims_parcel_scans (event_id, tenant_id, parcel_id, status, exception_reason, raw_status_code,
         location, occurred_at, late)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (event_id) DO NOTHING`,
      [
        o.eventId,
        o.tenantId,
        o.parcel.parcelId,
        o.status,
        o.exceptionReason,
        o.rawStatusCode,
        o.location,
        o.occurredAt,
        o.late,
      ],
    );
  }

  async scans(m: EntityManager, tenantId: string, parcelId: string): Promise<ScanRow[]> {
    const rows = (await m.query(
      `SELECT * FROM claims_parcel_scans WHERE tenant_id = $1 AND parcel_id = $2 ORDER BY occurred_at, event_id`,
      [tenantId, parcelId],
    )) as Array<{
      event_id: string;
      status: string;
      exception_reason: string | null;
      raw_status_code: string;
      location: string;
      occurred_at: Date;
      late: boolean;
    }>;
    return rows.map((r) => ({
      eventId: r.event_id,
      status: r.status,
      exceptionReason: r.exception_reason,
      rawStatusCode: r.raw_status_code,
      location: r.location,
      occurredAt: r.occurred_at,
      late: r.late,
    }));
  }

  /**
   * The property learned from notification. RecipientResolved may arrive before the first tracking
   * event reaches claims (different topics): then it is kept in a placeholder-free way by
   * returning false, and the caller ignores it (the next RecipientResolved or the claim's own
   * lookup fills it).
   */
  async setProperty(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    propertyId: string,
  ): Promise<boolean> {
    const rows = returnedRows(
      await m.query(
        `UPDATE claims_parcels SET property_id = $3 WHERE tenant_id = $1 AND parcel_id = $2 RETURNING parcel_id`,
        [tenantId, parcelId, propertyId],
      ),
    );
    return rows.length === 1;
  }

  /** The parcel by carrier + tracking number within a tenant (self-service lookups). */
  async findByTracking(m: EntityManager, tenantId: string, parcelId: string) {
    return this.find(m, tenantId, parcelId);
  }
}
