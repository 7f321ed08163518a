import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dismissing a front-desk queue entry (README "Front desk"): who dismissed it, when and why. The
 * reason is a closed list (checked here as in the API) so reports can count it; the free-text note
 * may name people, so it lives only in this row (never in logs or events). The `dismissed` state
 * itself has been allowed by the table's CHECK since it was created.
 */
export class FrontDeskDismiss1797400000001 implements MigrationInterface {
  name = 'FrontDeskDismiss1797400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE front_desk_queue
        ADD COLUMN dismiss_reason text NULL
          CHECK (dismiss_reason IN ('not_our_resident', 'returned_to_sender', 'duplicate', 'other')),
        ADD COLUMN dismiss_note   text NULL,
        -- the person's user id (token subject)
        ADD COLUMN dismissed_by   text NULL,
        ADD COLUMN dismissed_at   timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE front_desk_queue
        DROP COLUMN dismiss_reason, DROP COLUMN dismiss_note, DROP COLUMN dismissed_by,
        DROP COLUMN dismissed_at`);
  }
}
