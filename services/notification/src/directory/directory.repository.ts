import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { namedStatement, queryNamed, returnedRows } from '@portico/messaging';
import type { DutyWindow, ResidentChannel } from './directory-import.schema';
import {
  usableChannels,
  type Language,
  type PropertyRecord,
  type ResidentContact,
  type ResidentOutreachPolicy,
  type ResidentRecord,
  type RotaEntry,
  type StaffContact,
  type StaffRole,
} from './directory.types';

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
  residentOutreach: ResidentOutreachPolicy;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
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
  email: string | null;
  wecomUserId: string | null;
  channelPreferences: ResidentChannel[];
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
  /** undefined: the row keeps the window it has; null: no window (always). */
  window?: DutyWindow | null;
}

/** Which kind of entity a roster change or an import wrote, for last-writer-wins. */
export type VersionedKind = 'resident' | 'staff' | 'duty';

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
                               default_language, time_zone, resident_outreach, quiet_hours_start, quiet_hours_end)
       SELECT u.id, $1, u.name, u.country_code, u.region, u.city, u.district, u.postal_code,
              u.address_line, u.address_line_norm, u.city_norm, u.postal_code_norm, u.default_language, u.time_zone,
              u.resident_outreach, u.quiet_hours_start::time, u.quiet_hours_end::time
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                     $15::text[], $16::text[], $17::text[])
              AS u(id, name, country_code, region, city, district, postal_code, address_line,
                   address_line_norm, city_norm, postal_code_norm, default_language, time_zone,
                   resident_outreach, quiet_hours_start, quiet_hours_end)
       ON CONFLICT (id) DO UPDATE SET
              name = EXCLUDED.name, country_code = EXCLUDED.country_code, region = EXCLUDED.region,
              city = EXCLUDED.city, district = EXCLUDED.district, postal_code = EXCLUDED.postal_code,
              address_line = EXCLUDED.address_line, address_line_norm = EXCLUDED.address_line_norm,
              city_norm = EXCLUDED.city_norm, postal_code_norm = EXCLUDED.postal_code_norm,
              default_language = EXCLUDED.default_language, time_zone = EXCLUDED.time_zone,
              resident_outreach = EXCLUDED.resident_outreach, quiet_hours_start = EXCLUDED.quiet_hours_start,
              quiet_hours_end = EXCLUDED.quiet_hours_end, updated_at = now()
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
        col(rows, 'residentOutreach'),
        col(rows, 'quietHoursStart'),
        col(rows, 'quietHoursEnd'),
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

  /** What the tenant's listed residents consent to now, locked (compared with what an import writes). */
  async consentOf(
    m: EntityManager,
    tenantId: string,
    residentIds: readonly string[],
  ): Promise<Map<string, { sms: boolean; email: boolean; wecom: boolean }>> {
    if (residentIds.length === 0) return new Map();
    const rows = (await m.query(
      `SELECT id, consent_sms, consent_email, consent_wecom FROM residents
        WHERE tenant_id = $1 AND id = ANY($2::text[]) AND removed_at IS NULL
        FOR UPDATE`,
      [tenantId, residentIds],
    )) as { id: string; consent_sms: boolean; consent_email: boolean; consent_wecom: boolean }[];
    return new Map(
      rows.map((r) => [r.id, { sms: r.consent_sms, email: r.consent_email, wecom: r.consent_wecom }]),
    );
  }

  async upsertResidents(m: EntityManager, tenantId: string, rows: readonly ResidentRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await m.query(
      `INSERT INTO residents (id, tenant_id, unit_id, property_id, name, phone, preferred_language,
                              consent_sms, consent_email, consent_wecom, email, wecom_user_id,
                              channel_preferences)
       SELECT u.id, $1, u.unit_id, u.property_id, u.name, u.phone, u.language, u.sms, u.email_ok, u.wecom,
              u.email, u.wecom_user_id, string_to_array(u.prefs, ',')
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::boolean[], $9::boolean[], $10::boolean[], $11::text[], $12::text[], $13::text[])
              AS u(id, unit_id, property_id, name, phone, language, sms, email_ok, wecom, email,
                   wecom_user_id, prefs)
       ON CONFLICT (id) DO UPDATE SET
              unit_id = EXCLUDED.unit_id, property_id = EXCLUDED.property_id, name = EXCLUDED.name,
              phone = EXCLUDED.phone, preferred_language = EXCLUDED.preferred_language,
              consent_sms = EXCLUDED.consent_sms, consent_email = EXCLUDED.consent_email,
              consent_wecom = EXCLUDED.consent_wecom, email = EXCLUDED.email,
              wecom_user_id = EXCLUDED.wecom_user_id, channel_preferences = EXCLUDED.channel_preferences,
              -- listed again: moved (back) in
              removed_at = NULL, purged_at = NULL, updated_at = now()
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
        col(rows, 'email'),
        col(rows, 'wecomUserId'),
        // text[][] cannot be unnested row by row; the channel names contain no comma
        rows.map((r) => r.channelPreferences.join(',')),
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
              removed_at = NULL, updated_at = now()
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
    await this.upsertRota(m, rota);
  }

  /**
   * On-duty flag, priority and (when the row says so) the time window of rota rows. Rows whose
   * `window` is undefined keep the window they have.
   */
  async upsertRota(m: EntityManager, rota: readonly RotaRow[]): Promise<void> {
    const keep = rota.filter((r) => r.window === undefined);
    const set = rota.filter((r) => r.window !== undefined);
    if (keep.length > 0) {
      await m.query(
        `INSERT INTO duty_rota (property_id, staff_id, on_duty, priority)
         SELECT u.property_id, u.staff_id, u.on_duty, u.priority
           FROM unnest($1::text[], $2::text[], $3::boolean[], $4::int[]) AS u(property_id, staff_id, on_duty, priority)
         ON CONFLICT (property_id, staff_id) DO UPDATE SET
                on_duty = EXCLUDED.on_duty, priority = EXCLUDED.priority, updated_at = now()`,
        [col(keep, 'propertyId'), col(keep, 'staffId'), col(keep, 'onDuty'), col(keep, 'priority')],
      );
    }
    if (set.length > 0) {
      await m.query(
        `INSERT INTO duty_rota (property_id, staff_id, on_duty, priority, weekdays, starts_at, ends_at)
         SELECT u.property_id, u.staff_id, u.on_duty, u.priority,
                CASE WHEN u.weekdays = '' THEN NULL ELSE string_to_array(u.weekdays, ',')::smallint[] END,
                u.starts_at::time, u.ends_at::time
           FROM unnest($1::text[], $2::text[], $3::boolean[], $4::int[], $5::text[], $6::text[], $7::text[])
                AS u(property_id, staff_id, on_duty, priority, weekdays, starts_at, ends_at)
         ON CONFLICT (property_id, staff_id) DO UPDATE SET
                on_duty = EXCLUDED.on_duty, priority = EXCLUDED.priority, weekdays = EXCLUDED.weekdays,
                starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, updated_at = now()`,
        [
          col(set, 'propertyId'),
          col(set, 'staffId'),
          col(set, 'onDuty'),
          col(set, 'priority'),
          // text[][] cannot be unnested row by row: weekdays travel as "1,2,3"
          set.map((r) => r.window?.weekdays?.join(',') ?? ''),
          set.map((r) => r.window?.start ?? null),
          set.map((r) => r.window?.end ?? null),
        ],
      );
    }
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

  async tenantName(m: EntityManager, tenantId: string): Promise<string | undefined> {
    const rows: { name: string }[] = await m.query(`SELECT name FROM tenants WHERE id = $1`, [tenantId]);
    return rows[0]?.name;
  }

  async property(m: EntityManager, propertyId: string): Promise<PropertyRecord | undefined> {
    const rows: PropertyDbRow[] = await m.query(`${PROPERTY_SELECT} WHERE id = $1`, [propertyId]);
    return rows[0] && toProperty(rows[0]);
  }

  /**
   * What resolving a tenant's parcels reads from the directory, in ONE statement (it was three, and
   * notification runs it for every run of hold predictions): the current residents who
   * pre-registered each parcel, the tenant's properties at the given building-level address lines
   * (the indexed part of the match), and the current residents of those properties. Rows travel as
   * JSON (all text columns, so nothing is lost) tagged with their kind.
   */
  async resolutionInputs(
    m: EntityManager,
    tenantId: string,
    parcelIds: readonly string[],
    addressLinesNorm: readonly string[],
  ): Promise<ResolutionInputs> {
    const inputs: ResolutionInputs = { preRegistered: new Map(), properties: [], residents: [] };
    if (parcelIds.length === 0 && addressLinesNorm.length === 0) return inputs;
    const rows = await queryNamed<{
      kind: 'pre' | 'property' | 'resident';
      parcel_id: string | null;
      row: unknown;
    }>(m, RESOLUTION_INPUTS, [tenantId, [...new Set(parcelIds)], [...new Set(addressLinesNorm)]]);
    for (const { kind, parcel_id, row } of rows) {
      if (kind === 'property') inputs.properties.push(toProperty(row as PropertyDbRow));
      else if (kind === 'resident') inputs.residents.push(toResident(row as ResidentDbRow));
      else {
        const list = inputs.preRegistered.get(parcel_id!) ?? [];
        list.push(toResident(row as ResidentDbRow));
        inputs.preRegistered.set(parcel_id!, list);
      }
    }
    return inputs;
  }

  /** A current resident; one who moved out (removed) is not returned, so nothing reaches them any more. */
  async resident(m: EntityManager, residentId: string): Promise<ResidentRecord | undefined> {
    const rows: ResidentDbRow[] = await m.query(
      `${RESIDENT_SELECT} WHERE r.id = $1 AND r.removed_at IS NULL`,
      [residentId],
    );
    return rows[0] && toResident(rows[0]);
  }

  /** How a current resident may be reached (contact addresses, consent, ordered channels). */
  async residentContact(m: EntityManager, residentId: string): Promise<ResidentContact | undefined> {
    const rows: ContactDbRow[] = await m.query(
      `SELECT id, tenant_id, property_id, preferred_language, phone, email, wecom_user_id,
              consent_sms, consent_email, consent_wecom, channel_preferences
         FROM residents WHERE id = $1 AND removed_at IS NULL`,
      [residentId],
    );
    const r = rows[0];
    if (!r) return undefined;
    const contact = {
      residentId: r.id,
      tenantId: r.tenant_id,
      propertyId: r.property_id,
      language: r.preferred_language,
      phone: r.phone,
      email: r.email,
      wecomUserId: r.wecom_user_id,
      consent: { sms: r.consent_sms, email: r.consent_email, wecom: r.consent_wecom },
      channelPreferences: r.channel_preferences,
    };
    return { ...contact, channels: usableChannels(contact) };
  }

  /**
   * The managers of a property (the escalation step after the steward), highest rota priority
   * first, then by id. Removed staff are not managers of anything.
   */
  async managersOf(m: EntityManager, propertyId: string): Promise<StaffContact[]> {
    const rows: StaffContactDbRow[] = await m.query(
      `SELECT s.id, s.role, s.language, s.channel_kind, s.channel_address, COALESCE(d.priority, 100) AS priority
         FROM staff_properties sp
         JOIN staff s ON s.id = sp.staff_id
         LEFT JOIN duty_rota d ON d.property_id = sp.property_id AND d.staff_id = sp.staff_id
        WHERE sp.property_id = $1 AND s.role = 'manager' AND s.removed_at IS NULL
        ORDER BY priority DESC, s.id`,
      [propertyId],
    );
    return rows.map((r) => ({
      staffId: r.id,
      role: r.role,
      language: r.language,
      channelKind: r.channel_kind,
      channelAddress: r.channel_address,
      priority: r.priority,
    }));
  }

  // --- roster changes: removals, last-writer-wins, idempotency --------------------------------

  /** The unit's property when the unit belongs to the tenant. */
  async unitOfTenant(
    m: EntityManager,
    tenantId: string,
    unitId: string,
  ): Promise<{ propertyId: string } | undefined> {
    const rows: { property_id: string }[] = await m.query(
      `SELECT property_id FROM units WHERE tenant_id = $1 AND id = $2`,
      [tenantId, unitId],
    );
    return rows[0] && { propertyId: rows[0].property_id };
  }

  /** Marks a current resident of the tenant moved out; false when there is none (or it is another tenant's). */
  async removeResident(m: EntityManager, tenantId: string, residentId: string, at: Date): Promise<boolean> {
    const result = await m.query(
      `UPDATE residents SET removed_at = $3, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL
       RETURNING id`,
      [tenantId, residentId, at],
    );
    return returnedRows(result).length > 0;
  }

  /** Marks a staff member of the tenant as gone and takes them off every rota. */
  async removeStaff(m: EntityManager, tenantId: string, staffId: string, at: Date): Promise<boolean> {
    const result = await m.query(
      `UPDATE staff SET removed_at = $3, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL
       RETURNING id`,
      [tenantId, staffId, at],
    );
    if (returnedRows(result).length === 0) return false;
    await m.query(`UPDATE duty_rota SET on_duty = false, updated_at = now() WHERE staff_id = $1`, [staffId]);
    return true;
  }

  /** Whether the staff member is a current one of the tenant assigned to the property. */
  async staffAssigned(
    m: EntityManager,
    tenantId: string,
    staffId: string,
    propertyId: string,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM staff s JOIN staff_properties sp ON sp.staff_id = s.id
        WHERE s.tenant_id = $1 AND s.id = $2 AND sp.property_id = $3 AND s.removed_at IS NULL`,
      [tenantId, staffId, propertyId],
    );
    return rows.length > 0;
  }

  /**
   * Records a roster change id; false when the tenant sent it before (the change is a no-op then).
   */
  async recordChange(
    m: EntityManager,
    tenantId: string,
    change: {
      changeId: string;
      kind: VersionedKind;
      entityId: string;
      occurredAt: Date;
      outcome: 'applied' | 'stale';
    },
  ): Promise<boolean> {
    const result = await m.query(
      `INSERT INTO directory_changes (tenant_id, change_id, entity_kind, entity_id, occurred_at, outcome)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, change_id) DO NOTHING
       RETURNING change_id`,
      [tenantId, change.changeId, change.kind, change.entityId, change.occurredAt, change.outcome],
    );
    return returnedRows(result).length > 0;
  }

  async changeSeen(m: EntityManager, tenantId: string, changeId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM directory_changes WHERE tenant_id = $1 AND change_id = $2`,
      [tenantId, changeId],
    );
    return rows.length > 0;
  }

  /**
   * Moves the entity's version to `at` when `at` is newer; true when it did (the change wins),
   * false when an equal or newer change is already applied. Row-locks the version until commit,
   * so two batches touching one entity serialise.
   */
  async advanceVersion(
    m: EntityManager,
    tenantId: string,
    kind: VersionedKind,
    entityId: string,
    at: Date,
  ): Promise<boolean> {
    const result = await m.query(
      `INSERT INTO directory_entity_versions (tenant_id, entity_kind, entity_id, occurred_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, entity_kind, entity_id) DO UPDATE SET occurred_at = EXCLUDED.occurred_at
        WHERE directory_entity_versions.occurred_at < EXCLUDED.occurred_at
       RETURNING entity_id`,
      [tenantId, kind, entityId, at],
    );
    return returnedRows(result).length > 0;
  }

  /** An import is the truth as of now: changes that happened before it no longer apply to what it listed. */
  async stampVersions(
    m: EntityManager,
    tenantId: string,
    kind: VersionedKind,
    entityIds: readonly string[],
    at: Date,
  ): Promise<void> {
    if (entityIds.length === 0) return;
    await m.query(
      `INSERT INTO directory_entity_versions (tenant_id, entity_kind, entity_id, occurred_at)
       SELECT $1, $2, id, $4 FROM unnest($3::text[]) AS id
       ON CONFLICT (tenant_id, entity_kind, entity_id) DO UPDATE
         SET occurred_at = GREATEST(directory_entity_versions.occurred_at, EXCLUDED.occurred_at)`,
      [tenantId, kind, entityIds, at],
    );
  }

  /**
   * Blanks the personal data of a resident removed at or before `removedBefore` (name, phone,
   * e-mail, WeCom id, pre-registrations); the ids stay so tasks and resolutions remain
   * explainable. False when the resident came back or was purged already.
   */
  async purgeResident(m: EntityManager, residentId: string, removedBefore: Date, at: Date): Promise<boolean> {
    const result = await m.query(
      `UPDATE residents
          SET name = '', phone = NULL, email = NULL, wecom_user_id = NULL, channel_preferences = '{}',
              consent_sms = false, consent_email = false, consent_wecom = false,
              purged_at = $3, updated_at = now()
        WHERE id = $1 AND removed_at IS NOT NULL AND removed_at <= $2 AND purged_at IS NULL
       RETURNING id`,
      [residentId, removedBefore, at],
    );
    if (returnedRows(result).length === 0) return false;
    await m.query(`DELETE FROM pre_registered_parcels WHERE resident_id = $1`, [residentId]);
    return true;
  }

  /** The property's rota joined with each staff member's role and language. */
  async dutyRota(m: EntityManager, propertyId: string): Promise<RotaEntry[]> {
    const rows: RotaDbRow[] = await m.query(
      `SELECT d.staff_id, s.role, s.language, d.on_duty, d.priority, d.weekdays,
              to_char(d.starts_at, 'HH24:MI') AS starts_at, to_char(d.ends_at, 'HH24:MI') AS ends_at
         FROM duty_rota d JOIN staff s ON s.id = d.staff_id
        WHERE d.property_id = $1 AND s.removed_at IS NULL`,
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

const PROPERTY_SELECT = `SELECT id, tenant_id, name, country_code, region, city, district, postal_code_norm, address_line_norm,
                                default_language, time_zone, resident_outreach,
                                to_char(quiet_hours_start, 'HH24:MI') AS quiet_hours_start,
                                to_char(quiet_hours_end, 'HH24:MI') AS quiet_hours_end
                           FROM properties`;

interface PropertyDbRow {
  id: string;
  tenant_id: string;
  name: string;
  country_code: string;
  region: string;
  city: string;
  district: string;
  postal_code_norm: string;
  address_line_norm: string;
  default_language: Language;
  time_zone: string;
  resident_outreach: ResidentOutreachPolicy;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
}

function toProperty(r: PropertyDbRow): PropertyRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    countryCode: r.country_code,
    region: r.region,
    city: r.city,
    district: r.district,
    postalCodeNorm: r.postal_code_norm,
    addressLineNorm: r.address_line_norm,
    defaultLanguage: r.default_language,
    timeZone: r.time_zone,
    residentOutreach: r.resident_outreach,
    quietHours:
      r.quiet_hours_start !== null && r.quiet_hours_end !== null
        ? { start: r.quiet_hours_start, end: r.quiet_hours_end }
        : null,
  };
}

/** The directory rows resolution needs for a tenant's parcels (DirectoryRepository.resolutionInputs). */
export interface ResolutionInputs {
  /** Current residents who pre-registered the parcel, by parcel id (parcels nobody did are absent). */
  readonly preRegistered: Map<string, ResidentRecord[]>;
  /** The tenant's properties at the address lines asked for. */
  readonly properties: PropertyRecord[];
  /** The current residents of those properties. */
  readonly residents: ResidentRecord[];
}

const RESIDENT_SELECT = `SELECT r.id, r.tenant_id, r.property_id, r.unit_id, u.label_norm, r.name, r.phone,
                                r.preferred_language
                           FROM residents r JOIN units u ON u.id = r.unit_id`;

/** resolutionInputs' statement (named: parsed and planned once per connection in a chunk). */
const RESOLUTION_INPUTS = namedStatement(
  'directory_resolution_inputs_v1',
  `WITH pre AS (
     SELECT DISTINCT ON (pr.parcel_id, q.id) pr.parcel_id AS pre_registered_parcel_id, q.*
       FROM pre_registered_parcels pr
       JOIN (${RESIDENT_SELECT} WHERE r.tenant_id = $1 AND r.removed_at IS NULL) q ON q.id = pr.resident_id
      WHERE pr.tenant_id = $1 AND pr.parcel_id = ANY($2::text[])
   ), props AS (
     ${PROPERTY_SELECT} WHERE tenant_id = $1 AND address_line_norm = ANY($3::text[])
   ), res AS (
     ${RESIDENT_SELECT} WHERE r.property_id IN (SELECT id FROM props) AND r.removed_at IS NULL
   )
   SELECT 'pre' AS kind, pre_registered_parcel_id AS parcel_id, to_jsonb(pre) AS row FROM pre
   UNION ALL SELECT 'property', NULL, to_jsonb(props) FROM props
   UNION ALL SELECT 'resident', NULL, to_jsonb(res) FROM res`,
);

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

interface ContactDbRow {
  id: string;
  tenant_id: string;
  property_id: string;
  preferred_language: Language;
  phone: string | null;
  email: string | null;
  wecom_user_id: string | null;
  consent_sms: boolean;
  consent_email: boolean;
  consent_wecom: boolean;
  channel_preferences: ResidentChannel[];
}

interface StaffContactDbRow {
  id: string;
  role: StaffRole;
  language: Language;
  channel_kind: string;
  channel_address: string;
  priority: number;
}
