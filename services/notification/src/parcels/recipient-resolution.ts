import { normaliseUnitLabel } from '../directory/address';
import { matchBuilding, type AddressRule } from '../directory/address-match';
import type { PropertyRecord, ResidentRecord } from '../directory/directory.types';
import type { RecipientHintRecord, ResolutionMethod, StoredDigest } from './parcel-projection';

/** Tests a stored digest against a directory value (libs/contracts matchesRecipientDigest with the configured keys). */
export type DigestMatcher = (digest: StoredDigest, field: 'name' | 'phone', value: string) => boolean;

export type UnmatchedReason =
  /** The hint has no building-level address to look properties up by. */
  | 'no_address'
  /** No property of the tenant is at that address. */
  | 'no_property'
  /** Several properties of the tenant share that address. */
  | 'ambiguous_property'
  /** The property is known, but no resident of the unit matches the digests. */
  | 'no_resident'
  /** Several residents match equally well. */
  | 'ambiguous_resident';

export type Resolution =
  | {
      readonly kind: 'resolved';
      readonly method: ResolutionMethod;
      readonly propertyId: string;
      readonly unitId: string;
      readonly residentId: string;
      /** How the address matched the property (`address_match` only; null otherwise). */
      readonly addressRule: AddressRule | null;
    }
  | {
      readonly kind: 'unmatched';
      readonly reason: UnmatchedReason;
      /** Set when the address alone identifies one property (its steward gets the task). */
      readonly propertyId: string | null;
      /** How the address matched that property, when it did. */
      readonly addressRule: AddressRule | null;
    };

export interface ResolutionInput {
  readonly hint: RecipientHintRecord | null;
  /** Residents of the tenant who pre-registered this parcel's tracking number. */
  readonly preRegistered: readonly ResidentRecord[];
  /** Properties of the tenant at the hint's address line (the indexed lookup; the rest is checked here). */
  readonly propertiesAtAddress: readonly PropertyRecord[];
  /** Residents of those properties. */
  readonly residents: readonly ResidentRecord[];
}

/**
 * Matches a parcel to exactly one resident, or says why it cannot. A pre-registration by a single
 * resident wins outright (the resident told us). Otherwise the building-level address must
 * identify one property, the unit (when the carrier gives one) narrows its residents, and the
 * keyed name digest (phone digest when there is no name, or to break a tie) must pick exactly one.
 * Anything less is unmatched: a parcel request sent to the wrong resident exposes the parcel to a
 * stranger, an unmatched one costs a front-desk lookup.
 */
export function resolveRecipient(input: ResolutionInput, matches: DigestMatcher): Resolution {
  const registeredBy = new Map(input.preRegistered.map((r) => [r.id, r]));
  if (registeredBy.size === 1) {
    const [resident] = registeredBy.values();
    return resolved('pre_registered', resident!, null);
  }
  const byAddress = resolveByAddress(input, matches);
  if (byAddress.kind === 'resolved') return byAddress;
  // Several residents pre-registered the number: the digests may still tell which one it is for.
  if (registeredBy.size > 1) {
    const chosen = pickByDigests([...registeredBy.values()], input.hint, matches);
    if (chosen.kind === 'one') return resolved('pre_registered', chosen.resident, null);
  }
  return byAddress;
}

function resolveByAddress(input: ResolutionInput, matches: DigestMatcher): Resolution {
  const hint = input.hint;
  if (!hint || !hint.addressLine || (!hint.postalCode && !hint.city))
    return unmatched('no_address', null, null);
  // Every candidate counts, however it matched: an exact match does not outrank an alias one, two
  // candidates are the front desk's to tell apart.
  const candidates = input.propertiesAtAddress.flatMap((p) => {
    const rule = matchBuilding(p, hint);
    return rule ? [{ property: p, rule }] : [];
  });
  if (candidates.length === 0) return unmatched('no_property', null, null);
  if (candidates.length > 1) return unmatched('ambiguous_property', null, null);
  const { property, rule } = candidates[0]!;

  const unit = hint.unit ? normaliseUnitLabel(hint.unit) : '';
  const inProperty = input.residents.filter(
    (r) => r.propertyId === property.id && (unit === '' || r.unitLabelNorm === unit),
  );
  const chosen = pickByDigests(inProperty, hint, matches);
  if (chosen.kind === 'one') return resolved('address_match', chosen.resident, rule);
  return unmatched(chosen.kind === 'many' ? 'ambiguous_resident' : 'no_resident', property.id, rule);
}

type DigestPick = { kind: 'one'; resident: ResidentRecord } | { kind: 'none' } | { kind: 'many' };

function pickByDigests(
  candidates: readonly ResidentRecord[],
  hint: RecipientHintRecord | null,
  matches: DigestMatcher,
): DigestPick {
  if (!hint || candidates.length === 0) return { kind: 'none' };
  const byPhone = (r: ResidentRecord) =>
    hint.phoneDigest !== null && r.phone !== null && matches(hint.phoneDigest, 'phone', r.phone);
  let found: ResidentRecord[];
  if (hint.nameDigest) {
    found = candidates.filter((r) => matches(hint.nameDigest!, 'name', r.name));
    // Namesakes in one unit (parent and child): the phone decides when it is there.
    if (found.length > 1 && hint.phoneDigest) {
      const both = found.filter(byPhone);
      if (both.length > 0) found = both;
    }
  } else {
    found = candidates.filter(byPhone);
  }
  const distinct = [...new Map(found.map((r) => [r.id, r])).values()];
  if (distinct.length === 1) return { kind: 'one', resident: distinct[0]! };
  return distinct.length === 0 ? { kind: 'none' } : { kind: 'many' };
}

function resolved(method: ResolutionMethod, r: ResidentRecord, addressRule: AddressRule | null): Resolution {
  return {
    kind: 'resolved',
    method,
    propertyId: r.propertyId,
    unitId: r.unitId,
    residentId: r.id,
    addressRule,
  };
}

function unmatched(
  reason: UnmatchedReason,
  propertyId: string | null,
  addressRule: AddressRule | null,
): Resolution {
  return { kind: 'unmatched', reason, propertyId, addressRule };
}
