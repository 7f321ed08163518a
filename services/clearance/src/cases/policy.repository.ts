import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { timerRulesSchema } from '../deadlines/timer-rules';
import { expediteRuleSchema, requirementsSchema, type RequirementPolicy } from './requirement-policy';

interface PolicyRow {
  id: string;
  tenant_id: string | null;
  carrier_code: string | null;
  origin_country_code: string | null;
  destination_country_code: string | null;
  version: number;
  requirements: unknown;
  default_deadline_hours: number;
  expedite: unknown;
  timers: unknown;
}

const rulesSchema = z.object({
  requirements: requirementsSchema,
  expedite: expediteRuleSchema,
  timers: timerRulesSchema.nullable(),
});

/** Requirement policies as stored in `clearance_policies`. */
@Injectable()
export class PolicyRepository {
  private readonly logger = new Logger('clearance-policies');

  /**
   * Active policies that can apply to a tenant's parcels: its own and the platform's (tenant NULL).
   * A row whose rules do not validate is skipped and logged (policies hold no personal data), so one
   * bad edit falls back to the next most specific policy instead of stopping case intake.
   */
  async activePolicies(m: EntityManager, tenantId: string): Promise<RequirementPolicy[]> {
    const rows = await m.query<PolicyRow[]>(
      `SELECT id, tenant_id, carrier_code, origin_country_code, destination_country_code, version,
              requirements, default_deadline_hours, expedite, timers
         FROM clearance_policies
        WHERE active AND (tenant_id IS NULL OR tenant_id = $1)`,
      [tenantId],
    );
    const policies: RequirementPolicy[] = [];
    for (const row of rows) {
      const rules = rulesSchema.safeParse({
        requirements: row.requirements,
        expedite: row.expedite,
        timers: row.timers,
      });
      if (!rules.success) {
        const paths = rules.error.issues.map((i) => i.path.join('.')).join(', ');
        this.logger.error(`policy ${row.id} v${row.version} is invalid (${paths}); skipped`);
        continue;
      }
      policies.push({
        id: row.id,
        version: row.version,
        scope: {
          tenantId: row.tenant_id,
          carrierCode: row.carrier_code,
          originCountryCode: row.origin_country_code,
          destinationCountryCode: row.destination_country_code,
        },
        requirements: rules.data.requirements,
        defaultDeadlineHours: row.default_deadline_hours,
        expedite: rules.data.expedite,
        timers: rules.data.timers,
      });
    }
    return policies;
  }
}
