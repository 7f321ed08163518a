import { reachesMinimum, type MoneyAmount, type ShipmentFacts } from '../cases/requirement-policy';

/**
 * What the predictor knows about a parcel: the four facts customs' document holds depend on, taken
 * at first sight and never changed afterwards (so a parcel counts in one cell of the history only).
 */

/**
 * Declared-value bands in CNY. Lower bound inclusive; `>=5000` is the policy's high-value threshold,
 * `<200` roughly the cross-border e-commerce single-parcel duty-free zone. `unknown`: no declared
 * value, or a currency the policy has no reference rate for (never guessed at).
 */
export const VALUE_BANDS = ['<200', '200-1000', '1000-5000', '>=5000', 'unknown'] as const;
export type ValueBand = (typeof VALUE_BANDS)[number];

/** Lower bound of each known band, in CNY, highest first (the first one reached is the band). */
const BAND_FLOORS: ReadonlyArray<readonly [Exclude<ValueBand, 'unknown'>, number]> = [
  ['>=5000', 5_000],
  ['1000-5000', 1_000],
  ['200-1000', 200],
  ['<200', 0],
];

/** CNY per unit of another currency, as in a policy's `expedite.highValue.referenceRates`. */
export type CnyReferenceRates = Readonly<Record<string, number>>;

export interface HoldFeatures {
  readonly carrierCode: string;
  /** ISO 3166-1 alpha-2, upper case; null when the carrier did not say. */
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
  readonly valueBand: ValueBand;
}

/**
 * The band of a declared value. Conversion goes through the policy's own `reachesMinimum` with the
 * policy's reference rates, so "≥ 5000 CNY" means exactly what it means for expediting a case.
 */
export function valueBandOf(value: MoneyAmount | undefined, rates: CnyReferenceRates): ValueBand {
  if (!value) return 'unknown';
  if (value.currencyCode !== 'CNY' && rates[value.currencyCode] === undefined) return 'unknown';
  for (const [band, floorCny] of BAND_FLOORS) {
    const rule = { minimum: { currencyCode: 'CNY', amountMinor: floorCny * 100 }, referenceRates: rates };
    if (reachesMinimum(value, rule)) return band;
  }
  // Only a negative amount or a non-currency code gets here.
  return 'unknown';
}

export function featuresOf(shipment: ShipmentFacts, rates: CnyReferenceRates): HoldFeatures {
  return {
    carrierCode: shipment.carrierCode ?? '',
    originCountryCode: shipment.originCountryCode || null,
    destinationCountryCode: shipment.destinationCountryCode || null,
    valueBand: valueBandOf(shipment.declaredValue, rates),
  };
}

/** The back-off levels, coarsest first; each is shrunk towards the one before it. */
export const BACKOFF_LEVELS = ['all', 'destination', 'lane', 'carrier', 'cell'] as const;
export type BackoffLevel = (typeof BACKOFF_LEVELS)[number];

/** Stands for "any value" in a coarser level's key (unknown values are the empty string). */
export const ANY = '*';

/**
 * The key of one history-count cell: a level is the full feature vector with the finer features
 * replaced by `ANY`. An unknown country is '' so it is a cell of its own, distinct from "any".
 */
export interface CellKey {
  readonly destination: string;
  readonly origin: string;
  readonly carrierCode: string;
  readonly valueBand: string;
}

/** The five cells a parcel counts in (and is estimated from), in BACKOFF_LEVELS order. */
export function cellKeysOf(f: HoldFeatures): readonly CellKey[] {
  const destination = f.destinationCountryCode ?? '';
  const origin = f.originCountryCode ?? '';
  return [
    { destination: ANY, origin: ANY, carrierCode: ANY, valueBand: ANY },
    { destination, origin: ANY, carrierCode: ANY, valueBand: ANY },
    { destination, origin, carrierCode: ANY, valueBand: ANY },
    { destination, origin, carrierCode: f.carrierCode, valueBand: ANY },
    { destination, origin, carrierCode: f.carrierCode, valueBand: f.valueBand },
  ];
}

/** A cell key as one string, for maps. */
export function cellKeyId(k: CellKey): string {
  return JSON.stringify([k.destination, k.origin, k.carrierCode, k.valueBand]);
}

/** How many rows each count cell is spread over (see the migration: hot rows under load); a connection writes to shard pid % 8. */
export const COUNT_SHARDS = 8;
