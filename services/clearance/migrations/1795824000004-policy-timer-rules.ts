import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timer rules (reminder leads, steward acknowledgement SLA, expedite factor) become policy data, so
 * a property company can run its own clock; NULL keeps the service default (CLEARANCE_TIMER_RULES).
 * A case keeps the rules it opened with: editing a policy does not move the timers of running cases.
 */
export class PolicyTimerRules1795824000004 implements MigrationInterface {
  name = 'PolicyTimerRules1795824000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clearance_policies ADD COLUMN timers jsonb NULL`);
    await q.query(`ALTER TABLE clearance_cases ADD COLUMN timer_rules jsonb NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clearance_cases DROP COLUMN timer_rules`);
    await q.query(`ALTER TABLE clearance_policies DROP COLUMN timers`);
  }
}
