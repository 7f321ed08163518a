import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What outreach needs to reach people directly: a resident's e-mail address and WeCom user id next
 * to the phone (personal data, like the name: never logged or put in an event), the order in which
 * the resident wants to be reached, the property's policy on messaging residents directly, and its
 * quiet hours (local time of the property; escalations respect them unless a deadline cannot wait).
 * Staff may be reached by web push to the steward console as well.
 */
export class ContactChannels1796000000001 implements MigrationInterface {
  name = 'ContactChannels1796000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE residents
        ADD COLUMN email text NULL,
        ADD COLUMN wecom_user_id text NULL,
        -- consented channels, most preferred first; empty = consent flags' order (sms, email, wecom)
        ADD COLUMN channel_preferences text[] NOT NULL DEFAULT '{}'
          CHECK (channel_preferences <@ ARRAY['sms', 'email', 'wecom']::text[])`);
    await q.query(`
      ALTER TABLE properties
        -- 'steward_only': Portico prepares the message, the steward sends it; 'direct': Portico may
        -- also message consenting residents itself
        ADD COLUMN resident_outreach text NOT NULL DEFAULT 'steward_only'
          CHECK (resident_outreach IN ('steward_only', 'direct')),
        ADD COLUMN quiet_hours_start time NULL,
        ADD COLUMN quiet_hours_end time NULL,
        ADD CONSTRAINT properties_quiet_hours_check CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL))`);
    await q.query(`ALTER TABLE staff DROP CONSTRAINT staff_channel_kind_check`);
    await q.query(`
      ALTER TABLE staff ADD CONSTRAINT staff_channel_kind_check
        CHECK (channel_kind IN ('email', 'sms', 'wecom', 'dingtalk', 'web_push'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff DROP CONSTRAINT staff_channel_kind_check`);
    await q.query(`
      ALTER TABLE staff ADD CONSTRAINT staff_channel_kind_check
        CHECK (channel_kind IN ('email', 'sms', 'wecom', 'dingtalk'))`);
    await q.query(`
      ALTER TABLE properties DROP CONSTRAINT properties_quiet_hours_check,
        DROP COLUMN quiet_hours_end, DROP COLUMN quiet_hours_start, DROP COLUMN resident_outreach`);
    await q.query(`ALTER TABLE residents DROP COLUMN channel_preferences, DROP COLUMN wecom_user_id, DROP COLUMN email`);
  }
}
