import { normaliseAddressLine, normaliseCountryCode, normalisePostalCode, placeKey } from './address';
import { provinceOf, sameScript, tableAppliesTo, uniqueCity } from './address-places';
import type { ProvinceCode } from './china-divisions';

/**
 * How a carrier's building-level address matched a property: `exact` when every field both sides
 * have is equal after normalisation, `alias` when the region or city needed the alias table
 * (`上海市` for `Shanghai`). A closed enum: it goes into log lines and metric labels, the address
 * never does.
 */
export type AddressRule = 'exact' | 'alias';

/** A property's address as the directory keeps it (country and keys normalised, places raw). */
export interface PropertyAddress {
  readonly countryCode: string;
  /** Region, city and district as the property system wrote them (compared here, after placeKey). */
  readonly region: string;
  readonly city: string;
  readonly district: string;
  readonly postalCodeNorm: string;
  readonly addressLineNorm: string;
}

/** A carrier's recipient address as carrier-ingestion passed it on (the hint's building-level part). */
export interface CarrierAddress {
  readonly countryCode: string;
  readonly region: string;
  readonly city: string;
  readonly district: string;
  readonly postalCode: string;
  readonly addressLine: string;
}

interface Place {
  readonly region: string;
  readonly city: string;
  /** The province the region names (alias table). */
  readonly named: ProvinceCode | undefined;
  /** The named one, else the one of a city the table knows in one province only. */
  readonly province: ProvinceCode | undefined;
}

function placeOf(address: { region: string; city: string }, aliases: boolean): Place {
  const region = placeKey(address.region);
  const city = placeKey(address.city);
  if (!aliases) return { region, city, named: undefined, province: undefined };
  const named = provinceOf(region);
  return { region, city, named, province: named ?? uniqueCity(city, undefined)?.province };
}

/**
 * Whether the property is the building the carrier means. Conservative on purpose: the street
 * line (house number included) must be equal after normalisation; country, postal code, region,
 * city and district rule the property out whenever both sides have them and they differ. Region
 * and city may differ in spelling only when the alias table says both spellings name the same
 * place, and only for Chinese addresses (no country, or CN/HK/MO/TW). A city spelling the table
 * knows in several provinces (`Suzhou`) matches by alias only when the region says which one.
 * Districts have no table: a `南山区` and a `Nanshan` are not compared (nothing says they are the
 * same or different), two names in one script must be equal without their suffix.
 * @returns the rule that matched, or null when the property is not a candidate.
 */
export function matchBuilding(property: PropertyAddress, hint: CarrierAddress): AddressRule | null {
  if (normaliseAddressLine(hint.addressLine) !== property.addressLineNorm) return null;
  const country = normaliseCountryCode(hint.countryCode);
  if (country && property.countryCode && country !== property.countryCode) return null;
  const postal = normalisePostalCode(hint.postalCode);
  if (postal && property.postalCodeNorm && postal !== property.postalCodeNorm) return null;

  const aliases = tableAppliesTo(country, property.countryCode);
  const ours = placeOf(property, aliases);
  const theirs = placeOf(hint, aliases);
  let rule: AddressRule = 'exact';

  if (ours.region && theirs.region && ours.region !== theirs.region) {
    if (!aliases || !ours.named || ours.named !== theirs.named) return null;
    rule = 'alias';
  }
  // A region missing on one side is taken from its city when the table knows it: Shanghai's
  // address line in a parcel for 江苏 is not Shanghai's.
  if (ours.province && theirs.province && ours.province !== theirs.province) return null;

  if (ours.city && theirs.city && ours.city !== theirs.city) {
    if (!aliases) return null;
    const a = uniqueCity(ours.city, ours.province);
    const b = uniqueCity(theirs.city, theirs.province);
    if (!a || !b || a.id !== b.id) return null;
    rule = 'alias';
  }

  const district = placeKey(hint.district);
  const ourDistrict = placeKey(property.district);
  if (district && ourDistrict && district !== ourDistrict && sameScript(district, ourDistrict)) return null;
  return rule;
}
