import type { Language } from './directory-import.schema';

export type { Language } from './directory-import.schema';

/** A property as resolution and scripts need it. */
export interface PropertyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly countryCode: string;
  readonly cityNorm: string;
  readonly postalCodeNorm: string;
  readonly addressLineNorm: string;
  readonly defaultLanguage: Language;
  readonly timeZone: string;
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
