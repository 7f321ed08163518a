import { timestampDate } from '@bufbuild/protobuf/wkt';
import { carrier, type common } from '@portico/contracts';
import type { CarrierAddress } from '../directory/address-match';

/** A keyed digest as stored: the HMAC bytes and the id of the key that made them. */
export interface StoredDigest {
  readonly value: Uint8Array;
  readonly keyId: string;
}

/** What carrier-ingestion tells about the recipient: building-level address, unit, digests. */
export interface RecipientHintRecord extends CarrierAddress {
  readonly unit: string;
  readonly nameDigest: StoredDigest | null;
  readonly phoneDigest: StoredDigest | null;
}

/** `front_desk`: linked by hand from the front-desk queue (front-desk/). */
export type ResolutionMethod = 'pre_registered' | 'address_match' | 'front_desk';

export interface StoredResolution {
  readonly propertyId: string;
  readonly unitId: string;
  readonly residentId: string;
  readonly method: ResolutionMethod;
}

/** notification's view of one parcel, built from `carrier.tracking.v1`. */
export interface ParcelProjection {
  readonly tenantId: string;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  /** Canonical status in snake case (`customs_hold`). */
  readonly status: string;
  readonly statusOccurredAt: Date;
  readonly lastEventId: string;
  readonly hint: RecipientHintRecord | null;
  readonly hintOccurredAt: Date | null;
  readonly resolution: StoredResolution | null;
}

/** One tracking event, reduced to what the projection keeps. */
export interface TrackingUpdate {
  readonly eventId: string;
  readonly tenantId: string;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly status: string;
  readonly occurredAt: Date;
  /** carrier-ingestion saw a later scan before this one: history only, never a status change. */
  readonly late: boolean;
  readonly hint: RecipientHintRecord | null;
}

export function trackingUpdateOf(
  event: carrier.TrackingEventRecorded,
  meta: { eventId: string; occurredAt: Date },
): TrackingUpdate {
  return {
    eventId: meta.eventId,
    tenantId: event.tenantId,
    parcelId: event.parcel?.parcelId ?? '',
    carrierCode: event.parcel?.carrierCode ?? '',
    trackingNumber: event.parcel?.trackingNumber ?? '',
    status: statusName(event.status),
    occurredAt: event.occurredAt ? timestampDate(event.occurredAt) : meta.occurredAt,
    late: event.late,
    hint: hintOf(event.recipient),
  };
}

function statusName(status: carrier.TrackingStatus): string {
  const name = carrier.TrackingStatus[status] as string | undefined;
  return (name ?? 'UNKNOWN').toLowerCase();
}

function digestOf(digest: common.KeyedDigest | undefined): StoredDigest | null {
  return digest && digest.value.length > 0 ? { value: digest.value, keyId: digest.keyId } : null;
}

/** The hint, or null when the provider sent nothing usable about the recipient. */
export function hintOf(recipient: carrier.RecipientHint | undefined): RecipientHintRecord | null {
  if (!recipient) return null;
  const hint: RecipientHintRecord = {
    countryCode: recipient.countryCode,
    region: recipient.region,
    city: recipient.city,
    district: recipient.district,
    postalCode: recipient.postalCode,
    addressLine: recipient.addressLine,
    unit: recipient.unit,
    nameDigest: digestOf(recipient.nameDigest),
    phoneDigest: digestOf(recipient.phoneDigest),
  };
  const empty =
    !hint.addressLine &&
    !hint.postalCode &&
    !hint.unit &&
    !hint.city &&
    !hint.nameDigest &&
    !hint.phoneDigest;
  return empty ? null : hint;
}

/**
 * Folds one tracking update into the projection. Consumers see a parcel's events in order per
 * partition, but carriers do not send them in order: the status follows the latest `occurred_at`
 * (an older scan never moves it back), and the recipient hint is the latest one that came with
 * any data (many updates carry none).
 */
export function applyTrackingUpdate(
  existing: ParcelProjection | undefined,
  update: TrackingUpdate,
): ParcelProjection {
  if (!existing) {
    return {
      tenantId: update.tenantId,
      parcelId: update.parcelId,
      carrierCode: update.carrierCode,
      trackingNumber: update.trackingNumber,
      status: update.status,
      statusOccurredAt: update.occurredAt,
      lastEventId: update.eventId,
      hint: update.hint,
      hintOccurredAt: update.hint ? update.occurredAt : null,
      resolution: null,
    };
  }
  const newer = !update.late && update.occurredAt.getTime() >= existing.statusOccurredAt.getTime();
  const hintNewer =
    update.hint !== null &&
    (existing.hint === null ||
      existing.hintOccurredAt === null ||
      update.occurredAt.getTime() >= existing.hintOccurredAt.getTime());
  return {
    ...existing,
    status: newer ? update.status : existing.status,
    statusOccurredAt: newer ? update.occurredAt : existing.statusOccurredAt,
    lastEventId: newer ? update.eventId : existing.lastEventId,
    hint: hintNewer ? update.hint : existing.hint,
    hintOccurredAt: hintNewer ? update.occurredAt : existing.hintOccurredAt,
  };
}

/**
 * What a run of tracking updates of one parcel does to its projection, computed without the
 * stored row, so a whole chunk is written with one statement (ParcelsRepository.upsertMany)
 * instead of insert / select-for-update / update per record (3 round trips per scan was most of
 * notification's CPU under the scan load: see the README's profile notes).
 *
 * Folding the updates one by one over a stored row E (applyTrackingUpdate) ends with the status of
 * the LAST candidate with the greatest `occurred_at` among E and the non-late updates (a candidate
 * replaces the current one when not older, so ties go to the later one, and E comes first). Hence
 * `status` = the last non-late update with the greatest time, applied iff its time >= E's; and the
 * same for the hint (late or not), applied iff E has none or the time >= E's hint time. A parcel
 * nobody stored yet gets `insert`, the plain fold from nothing (its first update sets the status
 * even when late, as before). `mergeTrackingRun` is that rule in TypeScript; the statement is the
 * same rule in SQL, and both are checked against the one-by-one fold.
 */
export interface TrackingRun {
  readonly tenantId: string;
  readonly parcelId: string;
  /** The projection as it would be if the parcel was unknown before this run. */
  readonly insert: ParcelProjection;
  readonly status: { readonly status: string; readonly occurredAt: Date; readonly eventId: string } | null;
  readonly hint: { readonly hint: RecipientHintRecord; readonly occurredAt: Date } | null;
}

/** Groups a chunk's updates per parcel (first appearance order) and folds each group. */
export function foldTrackingRuns(updates: readonly TrackingUpdate[]): TrackingRun[] {
  const groups = new Map<string, TrackingUpdate[]>();
  for (const u of updates) {
    if (!u.parcelId || !u.tenantId) continue; // nothing to key it by; contracts forbid it anyway
    const key = `${u.tenantId}\u001f${u.parcelId}`;
    const group = groups.get(key);
    if (group) group.push(u);
    else groups.set(key, [u]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    let insert = applyTrackingUpdate(undefined, first);
    let status: TrackingRun['status'] = null;
    let hint: TrackingRun['hint'] = null;
    for (const [i, u] of group.entries()) {
      if (i > 0) insert = applyTrackingUpdate(insert, u);
      if (!u.late && (!status || u.occurredAt.getTime() >= status.occurredAt.getTime()))
        status = { status: u.status, occurredAt: u.occurredAt, eventId: u.eventId };
      if (u.hint && (!hint || u.occurredAt.getTime() >= hint.occurredAt.getTime()))
        hint = { hint: u.hint, occurredAt: u.occurredAt };
    }
    return { tenantId: first.tenantId, parcelId: first.parcelId, insert, status, hint };
  });
}

/** A run applied to the stored projection (or the insert when there is none): the rule upsertMany runs in SQL. */
export function mergeTrackingRun(existing: ParcelProjection | undefined, run: TrackingRun): ParcelProjection {
  if (!existing) return run.insert;
  const statusNewer =
    run.status !== null && run.status.occurredAt.getTime() >= existing.statusOccurredAt.getTime();
  const hintNewer =
    run.hint !== null &&
    (existing.hint === null ||
      existing.hintOccurredAt === null ||
      run.hint.occurredAt.getTime() >= existing.hintOccurredAt.getTime());
  return {
    ...existing,
    status: statusNewer ? run.status!.status : existing.status,
    statusOccurredAt: statusNewer ? run.status!.occurredAt : existing.statusOccurredAt,
    lastEventId: statusNewer ? run.status!.eventId : existing.lastEventId,
    hint: hintNewer ? run.hint!.hint : existing.hint,
    hintOccurredAt: hintNewer ? run.hint!.occurredAt : existing.hintOccurredAt,
  };
}
