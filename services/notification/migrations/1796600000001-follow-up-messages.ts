import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-up messages (resend, re-upload request, reminders, escalation notices, case notices):
 *
 * - `messages.steward_note`: the free text a steward writes into a re-upload request. It is the
 *   one piece of prose the queue must carry (the worker renders later), so it lives in its own
 *   column, never in `variables`, and every path that finishes a message (sent, failed,
 *   cancelled) blanks it.
 * - `outreach_tasks.documents_received_at`: clearance said the round's documents are in id-vault
 *   (DocumentsReceived). From then on a re-upload is a verdict on those documents, which only
 *   id-vault's review gives; notification refuses to ask the resident itself.
 * - `messages_recipient_queued_idx`: the rate-limit pre-check of a resend counts what is queued
 *   for the resident.
 */
export class FollowUpMessages1796600000001 implements MigrationInterface {
  name = 'FollowUpMessages1796600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE messages ADD COLUMN steward_note text NULL CHECK (char_length(steward_note) <= 500)`,
    );
    await q.query(`ALTER TABLE outreach_tasks ADD COLUMN documents_received_at timestamptz NULL`);
    await q.query(
      `CREATE INDEX messages_recipient_queued_idx ON messages (recipient_role, recipient_id) WHERE status = 'queued'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_recipient_queued_idx`);
    await q.query(`ALTER TABLE outreach_tasks DROP COLUMN documents_received_at`);
    await q.query(`ALTER TABLE messages DROP COLUMN steward_note`);
  }
}
