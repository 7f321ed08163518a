import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A queued message keeps the W3C trace context of the transaction that queued it (the consumer of
 * the case event), so its send attempts — the id-vault link request, the channel call and the
 * MessageSent event — join the parcel's trace instead of starting one per worker poll.
 */
export class MessageTraceContext1796500000001 implements MigrationInterface {
  name = 'MessageTraceContext1796500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN traceparent text, ADD COLUMN tracestate text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN traceparent, DROP COLUMN tracestate`);
  }
}
