/**
 * 17TRACK identifies carriers by a numeric key (`data.carrier` in a push; the full list is
 * 17TRACK's https://res.17track.net/asset/carrier/info/apicarrier.all.json). Portico identifies
 * them by lowercase AfterShip-style slugs, and a parcel's identity is carrier code + tracking
 * number, so a wrong entry here would file parcels under the wrong carrier: only keys we could
 * corroborate are listed. Any other key becomes `17track-<key>` (a valid slug, never dropped).
 *
 * Sources (public integrations quoting apicarrier.all.json, checked 2026):
 *   - 3011, 21051, 100001, 100002, 100003: several independent integrations agree.
 *   - 190094: two integrations agree.
 *   - 3013, 100012, 190008, 190271: one integration each, consistent with 17TRACK's numbering
 *     (postal operators by country block, express carriers 1000xx, Chinese logistics 190xxx).
 *     Re-check against apicarrier.all.json before relying on them.
 * Note 100003 is FedEx (DHL Express is 100001) and 190271 is Cainiao (SF Express is 100012).
 * JD Logistics (`jd`) is deliberately absent: we found no trustworthy source for its key.
 */
export const SEVENTEEN_TRACK_CARRIERS: Readonly<Record<number, string>> = {
  3011: 'china-post', // China Post / 中国邮政
  3013: 'china-ems', // China EMS / 中国 EMS
  21051: 'usps', // USPS
  100001: 'dhl', // DHL Express
  100002: 'ups', // UPS
  100003: 'fedex', // FedEx
  100012: 'sf-express', // SF Express / 顺丰速运
  190008: 'yunexpress', // YunExpress / 云途
  190094: '4px', // 4PX / 递四方
  190271: 'cainiao', // Cainiao / 菜鸟
};

/** The Portico carrier code of a 17TRACK carrier key: the table above, else `17track-<key>`. */
export function carrierCodeOf17TrackKey(key: number): string {
  return Object.hasOwn(SEVENTEEN_TRACK_CARRIERS, key) ? SEVENTEEN_TRACK_CARRIERS[key]! : `17track-${key}`;
}
