import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATES = `'opened', 'awaiting_documents', 'documents_received', 'under_review', 'rejected',
  'submitted_to_carrier', 'cleared', 'expired', 'returned_to_sender', 'cancelled'`;
const TERMINAL = `'cleared', 'expired', 'returned_to_sender', 'cancelled'`;
const HOLD_REASONS = `'id_documents_required', 'duties_unpaid', 'inspection', 'other'`;

// Coarse reference rates (CNY per unit), used only to decide "declared value >= 5000 CNY" for
// parcels declared in another currency. Not for accounting; edited with the policy.
const CNY_REFERENCE_RATES = {
  USD: 7.2,
  EUR: 7.8,
  GBP: 9.2,
  JPY: 0.048,
  KRW: 0.0052,
  HKD: 0.92,
  MOP: 0.89,
  TWD: 0.22,
  SGD: 5.3,
  AUD: 4.7,
  NZD: 4.3,
  CAD: 5.2,
  CHF: 8.1,
};

const DEFAULT_EXPEDITE = {
  highValue: { minimum: { currencyCode: 'CNY', amountMinor: 500_000 }, referenceRates: CNY_REFERENCE_RATES },
  perishable: true,
  deadlineWithinHours: 48,
};

/**
 * Clearance cases, their transition history, and the requirement policies that decide what a hold
 * needs. Seeds the platform's default policies.
 */
export class ClearanceCases1795478400001 implements MigrationInterface {
  name = 'ClearanceCases1795478400001';

  async up(q: QueryRunner): Promise<void> {
    // Policies are data so tenants, carriers and lanes can get their own without a deploy. Scope
    // fields left NULL match anything; the most specific active match wins (requirement-policy.ts).
    await q.query(`
      CREATE TABLE clearance_policies (
        id                        text PRIMARY KEY,
        tenant_id                 text NULL,
        carrier_code              text NULL,
        origin_country_code       text NULL,
        destination_country_code  text NULL,
        version                   integer NOT NULL DEFAULT 1,
        active                    boolean NOT NULL DEFAULT true,
        description               text NOT NULL DEFAULT '',
        -- hold reason -> document types, e.g. {"id_documents_required": ["resident_id_card"]}
        requirements              jsonb NOT NULL,
        -- when the carrier gives no deadline: counted from the hold's occurred_at
        default_deadline_hours    integer NOT NULL CHECK (default_deadline_hours > 0),
        -- {"highValue": {"minimum": {...}, "referenceRates": {...}}, "perishable": bool, "deadlineWithinHours": n}
        expedite                  jsonb NOT NULL,
        created_at                timestamptz NOT NULL DEFAULT now(),
        updated_at                timestamptz NOT NULL DEFAULT now()
      )`);
    // One active policy per scope, so "the most specific match" is never a tie between rows.
    await q.query(`
      CREATE UNIQUE INDEX clearance_policies_scope_idx ON clearance_policies (
        coalesce(tenant_id, ''), coalesce(carrier_code, ''),
        coalesce(origin_country_code, ''), coalesce(destination_country_code, '')
      ) WHERE active`);
    await q.query(
      `INSERT INTO clearance_policies
         (id, destination_country_code, description, requirements, default_deadline_hours, expedite)
       VALUES ($1, 'CN', $2, $3::jsonb, 72, $4::jsonb), ($5, NULL, $6, $7::jsonb, 72, $4::jsonb)`,
      [
        'pol_default_cn',
        'Platform default for parcels into mainland China: resident ID card (front and back) for identity holds.',
        JSON.stringify({
          id_documents_required: ['resident_id_card'],
          duties_unpaid: ['duty_payment_proof'],
          inspection: [],
          other: [],
        }),
        JSON.stringify(DEFAULT_EXPEDITE),
        'pol_default',
        'Platform default elsewhere: duty payment proof for duty holds; identity documents are not requested automatically.',
        JSON.stringify({
          id_documents_required: [],
          duties_unpaid: ['duty_payment_proof'],
          inspection: [],
          other: [],
        }),
      ],
    );

    await q.query(`
      CREATE TABLE clearance_cases (
        id                            text PRIMARY KEY,
        tenant_id                     text NOT NULL,
        parcel_id                     text NOT NULL,
        carrier_code                  text NOT NULL,
        tracking_number               text NOT NULL,
        hold_reason                   text NOT NULL CHECK (hold_reason IN (${HOLD_REASONS})),
        hold_key                      text NOT NULL,
        state                         text NOT NULL CHECK (state IN (${STATES})),
        required_documents            text[] NOT NULL DEFAULT '{}',
        -- request rounds so far: 1 after the first DocumentsRequested, +1 per re-request
        documents_round               integer NOT NULL DEFAULT 0,
        deadline                      timestamptz NOT NULL,
        deadline_source               text NOT NULL CHECK (deadline_source IN ('carrier', 'policy')),
        expedited                     boolean NOT NULL DEFAULT false,
        expedite_reasons              text[] NOT NULL DEFAULT '{}',
        origin                        text NOT NULL CHECK (origin IN ('tracking_event', 'front_desk_report', 'operator')),
        policy_id                     text NOT NULL,
        -- event-id of the tracking event (or report id) that opened the case
        trigger_event_id              text NOT NULL,
        -- keyed digest of the waybill name (never the name) for id-vault's name match
        recipient_name_digest         bytea NULL,
        recipient_name_digest_key_id  text NULL,
        hold_occurred_at              timestamptz NOT NULL,
        -- occurred_at of the newest tracking event applied; older events never change the case
        last_event_at                 timestamptz NOT NULL,
        opened_at                     timestamptz NOT NULL,
        updated_at                    timestamptz NOT NULL,
        closed_at                     timestamptz NULL,
        version                       integer NOT NULL DEFAULT 1,
        CHECK ((closed_at IS NOT NULL) = (state IN (${TERMINAL})))
      )`);
    // Opening is idempotent per hold episode. hold_key = '<hold reason>#<n>', n = 1 + the number of
    // earlier cases of the parcel for that reason, computed in the opening transaction: a duplicate or
    // re-delivered hold computes the same key and hits this index, while a new hold after the case
    // closed gets n + 1. Tenant is part of the key: the parcel id is global, the case is the tenant's.
    await q.query(
      `CREATE UNIQUE INDEX clearance_cases_hold_idx ON clearance_cases (tenant_id, parcel_id, hold_key)`,
    );
    // And whatever the episode arithmetic: never two open cases of a parcel for the same reason.
    await q.query(
      `CREATE UNIQUE INDEX clearance_cases_open_hold_idx ON clearance_cases (tenant_id, parcel_id, hold_reason)
         WHERE closed_at IS NULL`,
    );
    // GET /v1/cases?parcelId=… (all tenants' cases of the parcel, filtered by the caller's access).
    await q.query(`CREATE INDEX clearance_cases_parcel_idx ON clearance_cases (parcel_id, opened_at)`);

    await q.query(`
      CREATE TABLE clearance_case_transitions (
        id              bigserial PRIMARY KEY,
        case_id         text NOT NULL REFERENCES clearance_cases (id) ON DELETE CASCADE,
        from_state      text NULL CHECK (from_state IN (${STATES})),
        to_state        text NOT NULL CHECK (to_state IN (${STATES})),
        cause           text NOT NULL,
        cause_event_id  text NULL,
        at              timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX clearance_case_transitions_case_idx ON clearance_case_transitions (case_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE clearance_case_transitions');
    await q.query('DROP TABLE clearance_cases');
    await q.query('DROP TABLE clearance_policies');
  }
}
