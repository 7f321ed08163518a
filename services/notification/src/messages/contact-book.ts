import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChannelKind, PushSubscriptionKeys } from '../channels/channel';
import type { Language, QuietHours } from '../directory/directory.types';
import type { ResidentChannel } from './message-rules';

/**
 * A resident's contact data: personal data, read when a message is planned (which channels) and
 * again when it is sent (the address), never copied into the queue, a log or an event.
 */
export interface ResidentContact {
  readonly id: string;
  readonly name: string;
  readonly language: Language;
  readonly phone: string | null;
  readonly email: string | null;
  readonly wecomUserId: string | null;
  readonly consent: Readonly<Record<ResidentChannel, boolean>>;
  readonly preferences: readonly ResidentChannel[];
}

export interface StaffContact {
  readonly id: string;
  readonly name: string;
  readonly language: Language;
  readonly channel: ChannelKind;
  readonly address: string;
}

export interface PropertyOutreachPolicy {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly defaultLanguage: Language;
  /** 'direct': Portico may message consenting residents itself; 'steward_only': the steward does. */
  readonly residentOutreach: 'steward_only' | 'direct';
  /** Local `HH:MM` window (may cross midnight) when messages that can wait are held; null: none. */
  readonly quietHours: QuietHours | null;
}

/**
 * The directory as messages need it. Its own SELECTs on the directory tables (a port of this
 * module), so the directory code can change without the queue noticing.
 */
export abstract class ContactBook {
  abstract resident(m: EntityManager, id: string): Promise<ResidentContact | null>;
  abstract staff(m: EntityManager, id: string): Promise<StaffContact | null>;
  abstract property(m: EntityManager, id: string): Promise<PropertyOutreachPolicy | null>;
  abstract pushSubscriptions(m: EntityManager, staffId: string): Promise<PushSubscriptionKeys[]>;
}

interface ResidentRow {
  id: string;
  name: string;
  preferred_language: Language;
  phone: string | null;
  email: string | null;
  wecom_user_id: string | null;
  consent_sms: boolean;
  consent_email: boolean;
  consent_wecom: boolean;
  channel_preferences: ResidentChannel[] | null;
}

@Injectable()
export class PostgresContactBook extends ContactBook {
  async resident(m: EntityManager, id: string): Promise<ResidentContact | null> {
    const [r] = (await m.query(
      `SELECT id, name, preferred_language, phone, email, wecom_user_id, consent_sms, consent_email,
              consent_wecom, channel_preferences
         FROM residents WHERE id = $1`,
      [id],
    )) as ResidentRow[];
    if (!r) return null;
    return {
      id: r.id,
      name: r.name,
      language: r.preferred_language,
      phone: r.phone,
      email: r.email,
      wecomUserId: r.wecom_user_id,
      consent: { sms: r.consent_sms, email: r.consent_email, wecom: r.consent_wecom },
      preferences: r.channel_preferences ?? [],
    };
  }

  async staff(m: EntityManager, id: string): Promise<StaffContact | null> {
    const [s] = (await m.query(
      `SELECT id, name, language, channel_kind, channel_address FROM staff WHERE id = $1`,
      [id],
    )) as {
      id: string;
      name: string;
      language: Language;
      channel_kind: ChannelKind;
      channel_address: string;
    }[];
    return s
      ? { id: s.id, name: s.name, language: s.language, channel: s.channel_kind, address: s.channel_address }
      : null;
  }

  async property(m: EntityManager, id: string): Promise<PropertyOutreachPolicy | null> {
    const [p] = (await m.query(
      `SELECT id, name, time_zone, default_language, resident_outreach,
              to_char(quiet_hours_start, 'HH24:MI') AS quiet_start, to_char(quiet_hours_end, 'HH24:MI') AS quiet_end
         FROM properties WHERE id = $1`,
      [id],
    )) as {
      id: string;
      name: string;
      time_zone: string;
      default_language: Language;
      resident_outreach: 'steward_only' | 'direct';
      quiet_start: string | null;
      quiet_end: string | null;
    }[];
    return p
      ? {
          id: p.id,
          name: p.name,
          timeZone: p.time_zone,
          defaultLanguage: p.default_language,
          residentOutreach: p.resident_outreach,
          quietHours: p.quiet_start && p.quiet_end ? { start: p.quiet_start, end: p.quiet_end } : null,
        }
      : null;
  }

  async pushSubscriptions(m: EntityManager, staffId: string): Promise<PushSubscriptionKeys[]> {
    return (await m.query(
      `SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE staff_id = $1 ORDER BY updated_at DESC LIMIT 10`,
      [staffId],
    )) as PushSubscriptionKeys[];
  }
}
