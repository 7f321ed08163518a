import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who answers for an outreach task, and everything people and timers did with it. A task starts
 * with the steward on duty; when nobody acknowledges it in time it climbs the ladder steward ->
 * manager -> operations (`escalation_level`, `assignee_id` = the user now answerable, NULL at
 * operations: a shared queue). Every action is a timestamped row: the steward-effort figures
 * (time to acknowledge, contacts per case, handovers) are computed from it, and clearance learns
 * the same facts from the outreach events. Rows hold user and resident ids only.
 */
export class TaskActions1796000000002 implements MigrationInterface {
  name = 'TaskActions1796000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outreach_tasks
        ADD COLUMN escalation_level text NOT NULL DEFAULT 'steward'
          CHECK (escalation_level IN ('steward', 'manager', 'operations')),
        ADD COLUMN assignee_id text NULL,
        ADD COLUMN escalated_at timestamptz NULL,
        ADD COLUMN acknowledged_by text NULL`);
    // Existing tasks answer to their steward.
    await q.query(`UPDATE outreach_tasks SET assignee_id = steward_id WHERE assignee_id IS NULL`);
    await q.query(`
      CREATE TABLE outreach_task_actions (
        id            bigserial PRIMARY KEY,
        task_id       text NOT NULL REFERENCES outreach_tasks (id) ON DELETE CASCADE,
        tenant_id     text NOT NULL,
        property_id   text NOT NULL,
        action        text NOT NULL CHECK (action IN (
                        'acknowledged', 'contacted', 'handed_over', 'escalated', 'resent', 'reupload_requested')),
        -- the person's user id (token subject); NULL when a timer did it
        actor_id      text NULL,
        -- contacted: how; resent: the channel used
        channel       text NULL,
        from_user_id  text NULL,
        to_user_id    text NULL,
        level         text NULL,
        reason        text NULL,
        -- a client's retry of the same click carries the same key and records nothing new
        idempotency_key text NULL,
        occurred_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX outreach_task_actions_task_idx ON outreach_task_actions (task_id, occurred_at)`);
    await q.query(
      `CREATE UNIQUE INDEX outreach_task_actions_idempotency_idx ON outreach_task_actions (task_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outreach_task_actions');
    await q.query(`
      ALTER TABLE outreach_tasks DROP COLUMN acknowledged_by, DROP COLUMN escalated_at,
        DROP COLUMN assignee_id, DROP COLUMN escalation_level`);
  }
}
