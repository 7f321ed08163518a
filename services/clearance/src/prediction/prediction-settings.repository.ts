import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredSettings } from './prediction-settings';

interface SettingsRow {
  threshold: number;
  enabled: boolean;
  updated_at: Date;
}

const toSettings = (r: SettingsRow): StoredSettings => ({
  threshold: Number(r.threshold),
  enabled: r.enabled,
  updatedAt: r.updated_at,
});

/** `clearance_prediction_settings`: one row per tenant that changed the defaults. */
@Injectable()
export class PredictionSettingsRepository {
  async find(m: EntityManager, tenantId: string): Promise<StoredSettings | undefined> {
    return (await this.findMany(m, [tenantId])).get(tenantId);
  }

  /** The rows of these tenants (a consumer chunk reads its tenants' settings in one statement). */
  async findMany(m: EntityManager, tenantIds: readonly string[]): Promise<Map<string, StoredSettings>> {
    if (tenantIds.length === 0) return new Map();
    const rows = await m.query<Array<SettingsRow & { tenant_id: string }>>(
      `SELECT tenant_id, threshold::float8 AS threshold, enabled, updated_at
         FROM clearance_prediction_settings WHERE tenant_id = ANY($1::text[])`,
      [tenantIds],
    );
    return new Map(rows.map((r) => [r.tenant_id, toSettings(r)]));
  }

  /** Sets what is given; a first write fills the rest from the defaults (threshold given, enabled). */
  async upsert(
    m: EntityManager,
    tenantId: string,
    change: { threshold?: number; enabled?: boolean },
    defaultThreshold: number,
    now: Date,
  ): Promise<StoredSettings> {
    const rows = await m.query<SettingsRow[]>(
      `INSERT INTO clearance_prediction_settings AS s (tenant_id, threshold, enabled, updated_at)
       VALUES ($1, coalesce($2::numeric, $4::numeric), coalesce($3::boolean, true), $5)
       ON CONFLICT (tenant_id) DO UPDATE
         SET threshold = coalesce($2::numeric, s.threshold),
             enabled = coalesce($3::boolean, s.enabled),
             updated_at = $5
       RETURNING threshold::float8 AS threshold, enabled, updated_at`,
      [tenantId, change.threshold ?? null, change.enabled ?? null, defaultThreshold, now],
    );
    return toSettings(rows[0]!);
  }

  /** Every tenant's own threshold (the report scores each tenant at what it would be emitted at). */
  async thresholds(m: EntityManager): Promise<Map<string, number>> {
    const rows = await m.query<Array<{ tenant_id: string; threshold: number }>>(
      `SELECT tenant_id, threshold::float8 AS threshold FROM clearance_prediction_settings`,
    );
    return new Map(rows.map((r) => [r.tenant_id, Number(r.threshold)]));
  }
}
