import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The property directory notification owns: tenants, properties, units, residents (the only place
 * on the platform where residents' names and phone numbers live), their pre-registered tracking
 * numbers, staff and the duty rota.
 *
 * Ids come from the tenant's property system (`POST /v1/directory/import`) and are platform-wide
 * (person tokens list property ids without a tenant), so they are plain primary keys; every row
 * also carries its tenant, and imports refuse to take over another tenant's id.
 */
export class Directory1795478400001 implements MigrationInterface {
  name = 'Directory1795478400001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id          text PRIMARY KEY,
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE properties (
        id                 text PRIMARY KEY,
        tenant_id          text NOT NULL REFERENCES tenants (id),
        name               text NOT NULL,
        country_code       text NOT NULL CHECK (country_code ~ '^[A-Z]{2}$'),
        region             text NOT NULL DEFAULT '',
        city               text NOT NULL,
        district           text NOT NULL DEFAULT '',
        postal_code        text NOT NULL DEFAULT '',
        -- building level: street, number, compound, building; never a unit
        address_line       text NOT NULL,
        -- comparison keys (directory/address.ts), the same functions normalise carriers' hints
        address_line_norm  text NOT NULL,
        city_norm          text NOT NULL,
        postal_code_norm   text NOT NULL,
        default_language   text NOT NULL DEFAULT 'zh' CHECK (default_language IN ('zh', 'en')),
        -- deadlines in scripts are shown in the property's local time
        time_zone          text NOT NULL DEFAULT 'Asia/Shanghai',
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX properties_address_idx ON properties (tenant_id, address_line_norm)`);
    await q.query(`
      CREATE TABLE units (
        id           text PRIMARY KEY,
        tenant_id    text NOT NULL REFERENCES tenants (id),
        property_id  text NOT NULL REFERENCES properties (id),
        label        text NOT NULL,
        label_norm   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX units_property_idx ON units (property_id, label_norm)`);
    await q.query(`
      CREATE TABLE residents (
        id                  text PRIMARY KEY,
        tenant_id           text NOT NULL REFERENCES tenants (id),
        unit_id             text NOT NULL REFERENCES units (id),
        -- denormalised from the unit: resolution reads residents by property
        property_id         text NOT NULL REFERENCES properties (id),
        name                text NOT NULL,
        phone               text NULL,
        preferred_language  text NOT NULL DEFAULT 'zh' CHECK (preferred_language IN ('zh', 'en')),
        -- what the resident agreed to be contacted by; Portico sends nothing without it
        consent_sms         boolean NOT NULL DEFAULT false,
        consent_email       boolean NOT NULL DEFAULT false,
        consent_wecom       boolean NOT NULL DEFAULT false,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX residents_property_idx ON residents (property_id)`);
    await q.query(`CREATE INDEX residents_unit_idx ON residents (unit_id)`);
    await q.query(`
      CREATE TABLE pre_registered_parcels (
        tenant_id        text NOT NULL REFERENCES tenants (id),
        -- libs/contracts parcelId(carrier, tracking number): what every event is keyed by
        parcel_id        text NOT NULL,
        resident_id      text NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
        carrier_code     text NOT NULL,
        tracking_number  text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        -- two residents may register the same number; resolution then treats it as ambiguous
        PRIMARY KEY (tenant_id, parcel_id, resident_id)
      )`);
    await q.query(`CREATE INDEX pre_registered_parcels_resident_idx ON pre_registered_parcels (resident_id)`);
    await q.query(`
      CREATE TABLE staff (
        id               text PRIMARY KEY,
        tenant_id        text NOT NULL REFERENCES tenants (id),
        name             text NOT NULL,
        role             text NOT NULL CHECK (role IN ('steward', 'manager')),
        language         text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
        channel_kind     text NOT NULL CHECK (channel_kind IN ('email', 'sms', 'wecom', 'dingtalk')),
        channel_address  text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE staff_properties (
        staff_id     text NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
        property_id  text NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
        PRIMARY KEY (staff_id, property_id)
      )`);
    await q.query(`CREATE INDEX staff_properties_property_idx ON staff_properties (property_id)`);
    // Today the import sets a plain on-duty flag and a priority; the window columns are there for
    // roster feeds (weekday set + local time window, may cross midnight). NULL window = always.
    await q.query(`
      CREATE TABLE duty_rota (
        property_id  text NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
        staff_id     text NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
        on_duty      boolean NOT NULL DEFAULT false,
        -- higher first
        priority     integer NOT NULL DEFAULT 100,
        -- ISO weekdays 1 (Monday) .. 7 (Sunday)
        weekdays     smallint[] NULL,
        starts_at    time NULL,
        ends_at      time NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (property_id, staff_id),
        CHECK ((starts_at IS NULL) = (ends_at IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'duty_rota',
      'staff_properties',
      'staff',
      'pre_registered_parcels',
      'residents',
      'units',
      'properties',
      'tenants',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
