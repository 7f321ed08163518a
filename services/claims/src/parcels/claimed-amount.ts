import type { Money, Parcel } from './parcel';

/**
 * What a claim asks the carrier for: the insured value when the parcel is insured (the carrier's
 * liability is the coverage), else the declared value; 0 CNY when neither is known (the carrier
 * then sets the amount from its own records; staff see the zero in the filing).
 */
export function claimedAmountOf(p: Pick<Parcel, 'insuredValue' | 'declaredValue'> | undefined): Money {
  return p?.insuredValue ?? p?.declaredValue ?? { currencyCode: 'CNY', amountMinor: 0n };
}
