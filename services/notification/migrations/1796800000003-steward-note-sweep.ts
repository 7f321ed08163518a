import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sent message now keeps its steward's note while a late receipt may still fail it over (see
 * `messages/steward-note.ts`); the worker's minute sweep drops the spent ones. This partial index
 * holds only the rows that still carry a note, so the sweep does not scan the whole queue.
 */
export class StewardNoteSweep1796800000003 implements MigrationInterface {
  name = 'StewardNoteSweep1796800000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX messages_steward_note_kept_idx ON messages (status) WHERE steward_note IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_steward_note_kept_idx`);
  }
}
