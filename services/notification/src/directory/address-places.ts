import { isHanKey, normaliseCountryCode, placeKey } from './address';
import { CITIES, PROVINCES, type ProvinceCode } from './china-divisions';

/**
 * Which places of China's alias table a region or city name names. Built once from
 * china-divisions.ts, keyed by placeKey, so every spelling there (and its suffixed or
 * unsuffixed form) finds its place.
 */

/** One city of the table: its province and its position there (the identity used for comparing). */
export interface CityRef {
  readonly province: ProvinceCode;
  readonly id: number;
}

const provinceByKey = new Map<string, ProvinceCode>();
for (const p of PROVINCES) for (const name of p.names) provinceByKey.set(placeKey(name), p.code);

const citiesByKey = new Map<string, CityRef[]>();
CITIES.forEach((city, id) => {
  for (const name of city.names) {
    const key = placeKey(name);
    const refs = citiesByKey.get(key) ?? [];
    if (!refs.some((r) => r.id === id)) refs.push({ province: city.province, id });
    citiesByKey.set(key, refs);
  }
});

/** Countries whose addresses the table speaks for (an empty country is allowed too). */
const TABLE_COUNTRIES = new Set(['CN', 'HK', 'MO', 'TW']);

export function tableAppliesTo(...countries: string[]): boolean {
  return countries.map(normaliseCountryCode).every((c) => c === '' || TABLE_COUNTRIES.has(c));
}

/** The province-level division a region name (any spelling of the table) names, if any. */
export function provinceOf(regionKey: string): ProvinceCode | undefined {
  return regionKey === '' ? undefined : provinceByKey.get(regionKey);
}

/**
 * The cities of the table a city name may name, narrowed to the region's province when the region
 * is known: `Fuzhou` alone is Fujian's 福州 or Jiangxi's 抚州, with region `Fujian` only 福州.
 */
export function citiesOf(cityKey: string, province: ProvinceCode | undefined): readonly CityRef[] {
  const all = cityKey === '' ? [] : (citiesByKey.get(cityKey) ?? []);
  return province ? all.filter((c) => c.province === province) : all;
}

/** The one city of the table a name names (in the region's province when known), else undefined. */
export function uniqueCity(cityKey: string, province: ProvinceCode | undefined): CityRef | undefined {
  const refs = citiesOf(cityKey, province);
  return refs.length === 1 ? refs[0] : undefined;
}

/** Two place keys in the same script, so that their being different means something. */
export function sameScript(a: string, b: string): boolean {
  return isHanKey(a) === isHanKey(b);
}
