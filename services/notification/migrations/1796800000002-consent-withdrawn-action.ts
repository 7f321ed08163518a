import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task records `consent_withdrawn` when its resident withdraws consent to a channel mid-case
 * (directory import or roster change): the steward's timeline shows why Portico stopped messaging.
 */
export class ConsentWithdrawnAction1796800000002 implements MigrationInterface {
  name = 'ConsentWithdrawnAction1796800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outreach_task_actions DROP CONSTRAINT outreach_task_actions_action_check`);
    await q.query(`ALTER TABLE outreach_task_actions ADD CONSTRAINT outreach_task_actions_action_check CHECK (action IN (
      'acknowledged', 'contacted', 'handed_over', 'escalated', 'resent', 'reupload_requested', 'consent_withdrawn'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM outreach_task_actions WHERE action = 'consent_withdrawn'`);
    await q.query(`ALTER TABLE outreach_task_actions DROP CONSTRAINT outreach_task_actions_action_check`);
    await q.query(`ALTER TABLE outreach_task_actions ADD CONSTRAINT outreach_task_actions_action_check CHECK (action IN (
      'acknowledged', 'contacted', 'handed_over', 'escalated', 'resent', 'reupload_requested'))`);
  }
}
