/**
 * EasyPost carrier names (`Tracker.carrier`: "USPS", "FedEx", "DHLExpress", "SF Express", …) to
 * Portico's canonical carrier codes. The canonical codes are AfterShip's courier slugs, because a
 * parcel id is SHA-256(carrier code + tracking number): the same parcel reported by AfterShip and by
 * EasyPost must get the same code, or it becomes two parcels.
 *
 * Keys are compact (lowercase letters and digits only), so "DHL Express", "DHLExpress" and
 * "dhl_express" meet in one entry. A name not listed falls back to its slug ("Some Carrier" ->
 * "some-carrier"): stable, but it will not match AfterShip's code for that carrier until it is
 * added here.
 */
export const EASYPOST_CARRIER_CODES: Readonly<Record<string, string>> = {
  usps: 'usps',
  ups: 'ups',
  upsmailinnovations: 'ups-mi',
  fedex: 'fedex',
  dhl: 'dhl',
  dhlexpress: 'dhl',
  dhlecommerce: 'dhl-global-mail',
  dhlecommercesolutions: 'dhl-global-mail',
  dhlglobalmail: 'dhl-global-mail',
  sfexpress: 'sf-express',
  sf: 'sf-express',
  chinaems: 'china-ems',
  chinapost: 'china-post',
  cainiao: 'cainiao',
  yunexpress: 'yunexpress',
  jd: 'jd',
  jdlogistics: 'jd',
  canadapost: 'canada-post',
  canpar: 'canpar',
  purolator: 'purolator',
  royalmail: 'royal-mail',
  australiapost: 'australia-post',
  japanpost: 'japan-post',
  hongkongpost: 'hong-kong-post',
  // AfterShip's slug for Deutsche Post is spelt without the "e"
  deutschepost: 'deutsch-post',
  postnl: 'postnl',
  dpd: 'dpd',
  dpduk: 'dpd-uk',
  gls: 'gls',
  lasership: 'lasership',
  ontrac: 'ontrac',
};

/** Portico's carrier code for an EasyPost carrier name. */
export function easyPostCarrierCode(carrierName: string): string {
  const normalised = carrierName.normalize('NFKC').trim().toLowerCase();
  const known = EASYPOST_CARRIER_CODES[normalised.replace(/[^a-z0-9]/g, '')];
  if (known) return known;
  return normalised.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}
