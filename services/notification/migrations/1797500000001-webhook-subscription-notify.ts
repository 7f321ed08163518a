import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The channel a change of a tenant's fan-out subscriptions is announced on; the payload is the tenant id. */
export const SUBSCRIPTION_CHANGES_CHANNEL = 'portico_webhook_subscriptions';

/**
 * Every notification process caches each tenant's enabled subscriptions for the fan-out
 * (docs/adr/0014-notification-subscription-cache.md). A trigger, not the application, announces
 * changes: any write (the API, the delivery worker's auto-disable, an operator's SQL) reaches every
 * replica, and NOTIFY is delivered only when the writing transaction commits. Updates notify only
 * when what the fan-out reads changes, so the breaker's frequent writes stay silent. pg_notify
 * folds identical (channel, payload) pairs of one transaction, so a statement touching many rows of
 * a tenant sends one notice.
 */
export class WebhookSubscriptionNotify1797500000001 implements MigrationInterface {
  name = 'WebhookSubscriptionNotify1797500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION portico_webhook_subscriptions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('${SUBSCRIPTION_CHANGES_CHANNEL}', OLD.tenant_id); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('${SUBSCRIPTION_CHANGES_CHANNEL}', NEW.tenant_id); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_subscriptions_notify_insert_delete AFTER INSERT OR DELETE ON webhook_subscriptions
        FOR EACH ROW EXECUTE FUNCTION portico_webhook_subscriptions_notify()`);
    await q.query(`
      CREATE TRIGGER webhook_subscriptions_notify_update AFTER UPDATE ON webhook_subscriptions
        FOR EACH ROW WHEN (OLD.enabled IS DISTINCT FROM NEW.enabled
                           OR OLD.event_types IS DISTINCT FROM NEW.event_types
                           OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
        EXECUTE FUNCTION portico_webhook_subscriptions_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER webhook_subscriptions_notify_update ON webhook_subscriptions`);
    await q.query(`DROP TRIGGER webhook_subscriptions_notify_insert_delete ON webhook_subscriptions`);
    await q.query(`DROP FUNCTION portico_webhook_subscriptions_notify()`);
  }
}
