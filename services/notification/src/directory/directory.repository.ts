import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@portico/messaging';
import type { Language, PropertyRecord, ResidentRecord, RotaEntry, StaffRole } from './directory.types';

export interface PropertyRow {
  id: string;
  name: string;
  countryCode: string;
  region: string;
  city: string;
  district: string;
  postalCode: string;
  addressLine: string;
  addressLineNorm: string;
  cityNorm: string;
  postalCodeNorm: string;
  defaultLanguage: Language;
  timeZone: string;
}

export interface UnitRow {
  id: string;
  propertyId: string;
  label: string;
  labelNorm: string;
}

export interface ResidentRow {
  id: string;
  unitId: string;
  propertyId: string;
  name: string;
  phone: string | null;
  language: Language;
  consentSms: boolean;
  consentEmail: boolean;
  consentWecom: boolean;
}

export interface PreRegistrationRow {
  residentId: string;
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
}

export interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  language: Language;
  channelKind: string;
  channelAddress: string;
}

export interface RotaRow {
  staffId: string;
  propertyId: string;
  onDuty: boolean;
  priority: number;
}

const col = <T, K extends keyof T>(rows: readonly T[], key: K): T[K][] => rows.map((r) => r[key]);

/**
 * All SQL of the property directory. Every method takes the EntityManager of the caller's
 * transaction. Upserts are one statement per table (unnest), and only ever update rows of the same
 * tenant: each returns the ids it wrote, so the service can refuse ids owned by another tenant.
 */
@Injectable()
export class DirectoryRepository {
  async upsertTenant(m: EntityManager, tenant: { id: string; name: string }): Promise<void> {
    await m.query(
      `INSERT INTO tenants (id, name) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
        WHERE tenants.name IS DISTINCT FROM EXCLUDED.name`,
      [tenant.id, tenant.name],
    );
  }

  async upsertProperties(
    m: EntityManager,
    tenantId: string,
    rows: readonly PropertyRow[],
  ): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await m.query(
      `INSERT INTO properties (id, tenant_id, name, country_code, region, city, district, postal_code,
                               address_line, address_line_norm, city_norm, postal_code_norm,
                               default_language, time_zone)
       SELECT u.id, $1, u.name, u.country_code, u.region, u.city, u.district, u.postal_code,
              u.address_line, u.address_line_norm, u.city_norm, u.postal_code_norm, u.default_language, u.time_zone
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
              AS u(id, name, country_code, region, city, district, postal_code, address_line,
                   address_line_norm, city_norm, postal_code_norm, default_language, time_zone)
       ON CONFLICT (id) DO UPDATE SET
              name = EXCLUDED.name, country_code = EXCLUDED.country_code, region = EXCLUDED.region,
              city = EXCLUDED.city, district = EXCLUDED.district, postal_code = EXCLUDED.postal_code,
              address_line = EXCLUDED.address_line, address_line_norm = EXCLUDED.address_line_norm,
              city_norm = EXCLUDED.city_norm, postal_code_norm = EXCLUDED.postal_code_norm,
              default_language = EXCLUDED.default_language, time_zone = EXCLUDED.time_zone,
              updated_at = now()
        WHERE properties.tenant_id = EXCLUDED.tenant_id
       RETURNING id`,
      [
        tenantId,
        col(rows, 'id'),
        col(rows, 'name'),
        col(rows, 'countryCode'),
        col(rows, 'region'),
        col(rows, 'city'),
        col(rows, 'district'),
        col(rows, 'postalCode'),
        col(rows, 'addressLine'),
        col(rows, 'addressLineNorm'),
        col(rows, 'cityNorm'),
        col(rows, 'postalCodeNorm'),
        col(rows, 'defaultLanguage'),
        col(rows, 'timeZone'),
      ],
    );
    return returnedRows<{ id: string }>(result).map((r) => r.id);
  }

  async upsertUnits(m: EntityManager, tenantId: string, rows: readonly UnitRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await m.query(
      `INSERT INTO units (id, tenant_id, property_id, label, label_norm)
       SELECT u.id, $1, u.property_id, u.label, u.label_norm
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, property_id, label, label_norm)
       ON CONFLICT (id) DO UPDATE SET
              property_id = EXCLUDED.property_id, label = EXCLUDED.label, label_norm = EXCLUDED.label_norm,
              updated_at = now()
        WHERE units.tenant_id = EXCLUDED.tenant_id
       RETURNING id`,
      [tenantId, col(rows, 'id'), col(rows, 'propertyId'), col(rows, 'label'), col(rows, 'labelNorm')],
    );
    return returnedRows<{ id: string }>(result).map((r) => r.id);
  }

  async upsertResidents(m: EntityManager, tenantId: string, rows: readonly ResidentRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await m.query(
      `INSERT INTO residents (id, tenant_id, unit_id, property_id, name, phone, preferred_language,
                              consent_sms, consent_email, consent_wecom)
       SELECT u.id, $1, u.unit_id, u.property_id, u.name, u.phone, u.language, u.sms, u.email, u.wecom
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::boolean[], $9::boolean[], $10::boolean[])
              AS u(id, unit_id, property_id, name, phone, language, sms, email, wecom)
       ON CONFLICT (id) DO UPDATE SET
              unit_id = EXCLUDED.unit_id, property_id = EXCLUDED.property_id, name = EXCLUDED.name,
              phone = EXCLUDED.phone, preferred_language = EXCLUDED.preferred_language,
              consent_sms = EXCLUDED.consent_sms, consent_email = EXCLUDED.consent_email,
              consent_wecom = EXCLUDED.consent_wecom, updated_at = now()
        WHERE residents.tenant_id = EXCLUDED.tenant_id
       RETURNING id`,
      [
        tenantId,
        col(rows, 'id'),
        col(rows, 'unitId'),
        col(rows, 'propertyId'),
        col(rows, 'name'),
        col(rows, 'phone'),
        col(rows, 'language'),
        col(rows, 'consentSms'),
        col(rows, 'consentEmail'),
        col(rows, 'consentWecom'),
      ],
    );
    return returnedRows<{ id: string }>(result).map((r) => r.id);
  }

  /** The import is the truth for each listed resident's pre-registrations: others of theirs go. */
  async replacePreRegistrations(
    m: EntityManager,
    tenantId: string,
    residentIds: readonly string[],
    rows: readonly PreRegistrationRow[],
  ): Promise<void> {
    if (residentIds.length === 0) return;
    await m.query(
      `DELETE FROM pre_registered_parcels WHERE tenant_id = $1 AND resident_id = ANY($2::text[])`,
      [tenantId, residentIds],
    );
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO pre_registered_parcels (tenant_id, parcel_id, resident_id, carrier_code, tracking_number)
       SELECT $1, u.parcel_id, u.resident_id, u.carrier_code, u.tracking_number
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(parcel_id, resident_id, carrier_code, tracking_number)
       ON CONFLICT DO NOTHING`,
      [
        tenantId,
        col(rows, 'parcelId'),
        col(rows, 'residentId'),
        col(rows, 'carrierCode'),
        col(rows, 'trackingNumber'),
      ],
    );
  }

  async upsertStaff(m: EntityManager, tenantId: string, rows: readonly StaffRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await m.query(
      `INSERT INTO staff (id, tenant_id, name, role, language, channel_kind, channel_address)
       SELECT u.id, $1, u.name, u.role, u.language, u.channel_kind, u.channel_address
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS u(id, name, role, language, channel_kind, channel_address)
       ON CONFLICT (id) DO UPDATE SET
              name = EXCLUDED.name, role = EXCLUDED.role, language = EXCLUDED.language,
              channel_kind = EXCLUDED.channel_kind, channel_address = EXCLUDED.channel_address,
              updated_at = now()
        WHERE staff.tenant_id = EXCLUDED.tenant_id
       RETURNING id`,
      [
        tenantId,
        col(rows, 'id'),
        col(rows, 'name'),
        col(rows, 'role'),
        col(rows, 'language'),
        col(rows, 'channelKind'),
        col(rows, 'channelAddress'),
      ],
    );
    return returnedRows<{ id: string }>(result).map((r) => r.id);
  }

  /**
   * The import is the truth for each listed staff member's properties and on-duty flags. Rota rows
   * keep their time windows (set by roster feeds, not by the import).
   */
  async replaceStaffAssignments(
    m: EntityManager,
    staffIds: readonly string[],
    rota: readonly RotaRow[],
  ): Promise<void> {
    if (staffIds.length === 0) return;
    await m.query(`DELETE FROM staff_properties WHERE staff_id = ANY($1::text[])`, [staffIds]);
    await m.query(
      `INSERT INTO staff_properties (staff_id, property_id)
       SELECT * FROM unnest($1::text[], $2::text[])`,
      [col(rota, 'staffId'), col(rota, 'propertyId')],
    );
    await m.query(
      `DELETE FROM duty_rota d
        WHERE d.staff_id = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM staff_properties sp WHERE sp.staff_id = d.staff_id AND sp.property_id = d.property_id)`,
      [staffIds],
    );
    await m.query(
      `INSERT INTO duty_rota (property_id, staff_id, on_duty, priority)
       SELECT u.property_id, u.staff_id, u.on_duty, u.priority
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::int[]) AS u(property_id, staff_id, on_duty, priority)
       ON CONFLICT (property_id, staff_id) DO UPDATE SET
              on_duty = EXCLUDED.on_duty, priority = EXCLUDED.priority, updated_at = now()`,
      [col(rota, 'propertyId'), col(rota, 'staffId'), col(rota, 'onDuty'), col(rota, 'priority')],
    );
  }

  /** Which of `ids` are properties of the tenant (staff may name properties imported earlier). */
  async propertyIdsOfTenant(
    m: EntityManager,
    tenantId: string,
    ids: readonly string[],
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM properties WHERE tenant_id = $1 AND id = ANY($2::text[])`,
      [tenantId, ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  // --- reads for resolution and outreach -------------------------------------------------------

  async tenantExists(m: EntityManager, tenantId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId]);
    return rows.length > 0;
  }

  async property(m: EntityManager, propertyId: string): Promise<PropertyRecord | undefined> {
    const rows: PropertyDbRow[] = await m.query(`${PROPERTY_SELECT} WHERE id = $1`, [propertyId]);
    return rows[0] && toProperty(rows[0]);
  }

  /** Properties of the tenant at this building-level address line (the indexed part of the match). */
  async propertiesAtAddress(
    m: EntityManager,
    tenantId: string,
    addressLineNorm: string,
  ): Promise<PropertyRecord[]> {
    const rows: PropertyDbRow[] = await m.query(
      `${PROPERTY_SELECT} WHERE tenant_id = $1 AND address_line_norm = $2`,
      [tenantId, addressLineNorm],
    );
    return rows.map(toProperty);
  }

  /** Residents of the tenant who pre-registered this parcel. */
  async residentsWithPreRegistration(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
  ): Promise<ResidentRecord[]> {
    const rows: ResidentDbRow[] = await m.query(
      `${RESIDENT_SELECT}
        WHERE r.tenant_id = $1
          AND r.id IN (SELECT resident_id FROM pre_registered_parcels WHERE tenant_id = $1 AND parcel_id = $2)`,
      [tenantId, parcelId],
    );
    return rows.map(toResident);
  }

  async residentsOfProperties(m: EntityManager, propertyIds: readonly string[]): Promise<ResidentRecord[]> {
    if (propertyIds.length === 0) return [];
    const rows: ResidentDbRow[] = await m.query(`${RESIDENT_SELECT} WHERE r.property_id = ANY($1::text[])`, [
      propertyIds,
    ]);
    return rows.map(toResident);
  }

  async resident(m: EntityManager, residentId: string): Promise<ResidentRecord | undefined> {
    const rows: ResidentDbRow[] = await m.query(`${RESIDENT_SELECT} WHERE r.id = $1`, [residentId]);
    return rows[0] && toResident(rows[0]);
  }

  /** The property's rota joined with each staff member's role and language. */
  async dutyRota(m: EntityManager, propertyId: string): Promise<RotaEntry[]> {
    const rows: RotaDbRow[] = await m.query(
      `SELECT d.staff_id, s.role, s.language, d.on_duty, d.priority, d.weekdays,
              to_char(d.starts_at, 'HH24:MI') AS starts_at, to_char(d.ends_at, 'HH24:MI') AS ends_at
         FROM duty_rota d JOIN staff s ON s.id = d.staff_id
        WHERE d.property_id = $1`,
      [propertyId],
    );
    return rows.map((r) => ({
      staffId: r.staff_id,
      role: r.role,
      language: r.language,
      onDuty: r.on_duty,
      priority: r.priority,
      weekdays: r.weekdays,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
    }));
  }
}

const PROPERTY_SELECT = `SELECT id, tenant_id, name, country_code, city_norm, postal_code_norm, address_line_norm,
                                default_language, time_zone
                           FROM properties`;

interface PropertyDbRow {
  id: string;
  tenant_id: string;
  name: string;
  country_code: string;
  city_norm: string;
  postal_code_norm: string;
  address_line_norm: string;
  default_language: Language;
  time_zone: string;
}

function toProperty(r: PropertyDbRow): PropertyRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    countryCode: r.country_code,
    cityNorm: r.city_norm,
    postalCodeNorm: r.postal_code_norm,
    addressLineNorm: r.address_line_norm,
    defaultLanguage: r.default_language,
    timeZone: r.time_zone,
  };
}

const RESIDENT_SELECT = `SELECT r.id, r.tenant_id, r.property_id, r.unit_id, u.label_norm, r.name, r.phone,
                                r.preferred_language
                           FROM residents r JOIN units u ON u.id = r.unit_id`;

interface ResidentDbRow {
  id: string;
  tenant_id: string;
  property_id: string;
  unit_id: string;
  label_norm: string;
  name: string;
  phone: string | null;
  preferred_language: Language;
}

function toResident(r: ResidentDbRow): ResidentRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    unitId: r.unit_id,
    unitLabelNorm: r.label_norm,
    name: r.name,
    phone: r.phone,
    language: r.preferred_language,
  };
}

interface RotaDbRow {
  staff_id: string;
  role: StaffRole;
  language: Language;
  on_duty: boolean;
  priority: number;
  weekdays: number[] | null;
  starts_at: string | null;
  ends_at: string | null;
}
