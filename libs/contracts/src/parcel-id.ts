import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { type ParcelRef, ParcelRefSchema } from './gen/portico/common/v1/parcel_pb';

export const PARCEL_ID_PREFIX = 'prc_';
const PARCEL_ID_PATTERN = /^prc_[0-9a-f]{32}$/;
const CARRIER_CODE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
// Whitespace, dashes of every kind (incl. U+2212 minus sign), and invisible format characters
// (zero-width spaces, BOM) that sneak in when tracking numbers are copied from chats and PDFs.
const TRACKING_NUMBER_NOISE = /[\s\p{Pd}\u2212\p{Cf}]/gu;

/** A carrier code or tracking number that cannot identify a parcel. Carries no input value. */
export class InvalidParcelReferenceError extends Error {
  readonly code = 'CONTRACTS_INVALID_PARCEL_REFERENCE';
  constructor(reason: string) {
    super(`Invalid parcel reference: ${reason}`);
    this.name = 'InvalidParcelReferenceError';
  }
}

/** Carrier code as a lowercase slug (`SF-Express ` -> `sf-express`). */
export function normaliseCarrierCode(carrierCode: string): string {
  const normalised = carrierCode.normalize('NFKC').trim().toLowerCase();
  if (!CARRIER_CODE_PATTERN.test(normalised)) {
    throw new InvalidParcelReferenceError('carrier code must be a slug of a-z, 0-9, ".", "_" or "-"');
  }
  return normalised;
}

/** Tracking number: NFKC (full-width to ASCII), uppercase, whitespace and dashes removed. */
export function normaliseTrackingNumber(trackingNumber: string): string {
  const normalised = trackingNumber.normalize('NFKC').toUpperCase().replace(TRACKING_NUMBER_NOISE, '');
  if (normalised.length === 0) {
    throw new InvalidParcelReferenceError('tracking number is empty after normalisation');
  }
  return normalised;
}

/**
 * The platform-wide parcel id: `prc_` + the first 16 bytes of
 * SHA-256("<carrier code>:<tracking number>") in lowercase hex, over the normalised values.
 * Deterministic, so every service (and any property system) computes the same id; one-way, so
 * it is safe as a Kafka key and a span attribute.
 */
export function parcelId(carrierCode: string, trackingNumber: string): string {
  const carrier = normaliseCarrierCode(carrierCode);
  const tracking = normaliseTrackingNumber(trackingNumber);
  const digest = createHash('sha256').update(`${carrier}:${tracking}`, 'utf8').digest();
  return PARCEL_ID_PREFIX + digest.subarray(0, 16).toString('hex');
}

/** A ParcelRef with normalised carrier code and tracking number and the matching parcel id. */
export function parcelRef(carrierCode: string, trackingNumber: string): ParcelRef {
  const carrier = normaliseCarrierCode(carrierCode);
  const tracking = normaliseTrackingNumber(trackingNumber);
  return create(ParcelRefSchema, {
    parcelId: parcelId(carrier, tracking),
    carrierCode: carrier,
    trackingNumber: tracking,
  });
}

/** Whether a string has the shape of a parcel id. */
export function isParcelId(value: string): boolean {
  return PARCEL_ID_PATTERN.test(value);
}
