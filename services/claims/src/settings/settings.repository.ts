import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClaimSettings } from './claim-settings';

export interface StoredSettings {
  readonly settings: ClaimSettings;
  readonly version: number;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

@Injectable()
export class SettingsRepository {
  async find(m: EntityManager, tenantId: string): Promise<StoredSettings | undefined> {
    const rows = (await m.query(`SELECT * FROM claims_tenant_settings WHERE tenant_id = $1`, [
      tenantId,
    ])) as Array<{
      settings: ClaimSettings;
      version: number;
      updated_at: Date;
      updated_by: string;
    }>;
    const r = rows[0];
    return r
      ? { settings: r.settings, version: r.version, updatedAt: r.updated_at, updatedBy: r.updated_by }
      : undefined;
  }

  async save(
    m: EntityManager,
    tenantId: string,
    settings: ClaimSettings,
    by: string,
    at: Date,
  ): Promise<number> {
    const rows = (await m.query(
      `INSERT INTO claims_tenant_settings (tenant_id, settings, version, updated_at, updated_by)
       VALUES ($1, $2::jsonb, 1, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings,
         version = claims_tenant_settings.version + 1, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING version`,
      [tenantId, JSON.stringify(settings), at, by],
    )) as Array<{ version: number }>;
    return rows[0]!.version;
  }
}
