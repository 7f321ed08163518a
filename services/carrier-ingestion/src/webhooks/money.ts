/**
 * Decimal amounts as providers write them ("1280.00") to portico.common.v1.Money minor units
 * (128000n fen). Strings and bigint only: a float would round declared customs values.
 */

// ISO 4217 currencies whose minor unit is not 2 (the list changes rarely; amendments are public).
const MINOR_UNIT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export const CURRENCY_CODE = /^[A-Z]{3}$/;
/** A non-negative decimal with at most 15 integer digits (fits int64 minor units) and 4 decimals. */
export const DECIMAL_AMOUNT = /^(0|[1-9]\d{0,14})(\.\d{1,4})?$/;

/** Digits after the decimal point in the currency's minor unit (ISO 4217), 2 unless listed. */
export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_EXCEPTIONS[currency] ?? 2;
}

/** Why an amount cannot be expressed in the currency's minor units, or undefined when it can. */
export function amountProblem(amount: string, currency: string): string | undefined {
  if (!CURRENCY_CODE.test(currency)) return 'currency must be an ISO 4217 code such as CNY';
  if (!DECIMAL_AMOUNT.test(amount)) return 'amount must be a non-negative decimal string such as "1280.00"';
  const decimals = amount.split('.')[1]?.length ?? 0;
  const digits = minorUnitDigits(currency);
  if (decimals > digits) return `${currency} amounts have at most ${digits} decimal places`;
  return undefined;
}

/** "1280.00" CNY -> 128000n; throws on an amount `amountProblem` refuses. */
export function toMinorUnits(amount: string, currency: string): bigint {
  const problem = amountProblem(amount, currency);
  if (problem) throw new RangeError(problem);
  const [whole, fraction = ''] = amount.split('.');
  const digits = minorUnitDigits(currency);
  return BigInt(whole! + fraction.padEnd(digits, '0'));
}
