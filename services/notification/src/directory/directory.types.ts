import type { PropertyAddress } from './address-match';
import type { Language, ResidentChannel } from './directory-import.schema';

export type { Language, ResidentChannel } from './directory-import.schema';

/** Local time window `HH:MM`-`HH:MM` in the property's time zone; may cross midnight. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** 'steward_only': Portico prepares messages, the steward sends them; 'direct': Portico may message consenting residents. */
export type ResidentOutreachPolicy = 'steward_only' | 'direct';

/** A property as resolution and scripts need it (its address as address-match.ts compares it). */
export interface PropertyRecord extends PropertyAddress {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly defaultLanguage: Language;
  readonly timeZone: string;
  readonly residentOutreach: ResidentOutreachPolicy;
  /** null: no quiet hours. */
  readonly quietHours: QuietHours | null;
}

/**
 * A resident with the personal data resolution compares digests against. Personal data: never
 * logged, never put in an event or an error.
 */
export interface ResidentRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly unitId: string;
  readonly unitLabelNorm: string;
  readonly name: string;
  readonly phone: string | null;
  readonly language: Language;
}

export type StaffRole = 'steward' | 'manager';

/** One row of a property's duty rota, with the staff member's role and language. */
export interface RotaEntry {
  readonly staffId: string;
  readonly role: StaffRole;
  readonly language: Language;
  readonly onDuty: boolean;
  readonly priority: number;
  /** ISO weekdays (1 = Monday); null = every day. */
  readonly weekdays: readonly number[] | null;
  /** `HH:MM` local time; both null = all day. */
  readonly startsAt: string | null;
  readonly endsAt: string | null;
}

/**
 * How a resident may be reached, for the channels. Personal data (phone, e-mail, WeCom id): never
 * logged, never put in an event or an error. `channels` is what may be used, in order: the
 * resident's preferences, or (none given) every consented channel in the order sms, email, wecom,
 * each only when the address for it is known.
 */
export interface ResidentContact {
  readonly residentId: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly language: Language;
  readonly phone: string | null;
  readonly email: string | null;
  readonly wecomUserId: string | null;
  readonly consent: { readonly sms: boolean; readonly email: boolean; readonly wecom: boolean };
  readonly channelPreferences: readonly ResidentChannel[];
  readonly channels: readonly ResidentChannel[];
}

/** A staff member as escalation needs them (the manager of property P). Channel address is personal data. */
export interface StaffContact {
  readonly staffId: string;
  readonly role: StaffRole;
  readonly language: Language;
  readonly channelKind: string;
  readonly channelAddress: string;
  readonly priority: number;
}

/** The channels to use for a resident, in order (see ResidentContact.channels). Pure. */
export function usableChannels(c: Omit<ResidentContact, 'channels'>): ResidentChannel[] {
  const address: Record<ResidentChannel, string | null> = {
    sms: c.phone,
    email: c.email,
    wecom: c.wecomUserId,
  };
  const order: readonly ResidentChannel[] =
    c.channelPreferences.length > 0 ? c.channelPreferences : (['sms', 'email', 'wecom'] as const);
  return order.filter((ch) => c.consent[ch] && !!address[ch]);
}
