import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery claim reads due deliveries in exactly its ORDER BY (next_attempt_at, seq), so it stops
 * after the batch it wants instead of sorting the whole backlog. The index on next_attempt_at alone
 * is replaced (this one serves every query that one did). Measured with `npm run bench:notify`: on a
 * 60,000-delivery backlog without fresh statistics (a burst outruns autovacuum's ANALYZE), the claim
 * took 0.6-1.4 s per batch, scanning every pending row of the subscription; with this index (and the
 * claim's `enable_sort = off`, see WebhooksRepository.claim) it takes ~11 ms.
 */
export class WebhookClaimOrder1796700000001 implements MigrationInterface {
  name = 'WebhookClaimOrder1796700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX webhook_deliveries_due_order ON webhook_deliveries (next_attempt_at, seq) WHERE status = 'pending'`,
    );
    await q.query(`DROP INDEX webhook_deliveries_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(`DROP INDEX webhook_deliveries_due_order`);
  }
}
