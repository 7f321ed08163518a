import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operators' re-drive of failed messages (README "Failed messages"):
 * - `had_steward_note`: whether the message was queued with a steward's note. The note itself is
 *   blanked when its keep window ends, and the re-drive must still be able to say "sent without the
 *   note" (`noteDropped`) — which needs to know there was one. Rows queued before this migration
 *   count as having had one only when the note is still there.
 * - `messages_failed_idx`: the failed-message list and the bulk re-drive pick a tenant's failures
 *   by time; failed rows are few next to the whole queue, so a partial index.
 */
export class RedriveNote1797200000001 implements MigrationInterface {
  name = 'RedriveNote1797200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN had_steward_note boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE messages SET had_steward_note = true WHERE steward_note IS NOT NULL`);
    await q.query(
      `CREATE INDEX messages_failed_idx ON messages (tenant_id, finished_at) WHERE status = 'failed'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_failed_idx`);
    await q.query(`ALTER TABLE messages DROP COLUMN had_steward_note`);
  }
}
