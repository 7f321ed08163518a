/**
 * A clearance event arrived before the tracking event that tells notification about its parcel
 * (the topics are consumed independently). Thrown on purpose: the transport sends the record to
 * the retry topic with back-off, and by the next attempt the projection is normally there.
 * The message carries ids only (it ends up in the retry record's `x-error` header).
 */
export class ParcelNotProjectedYetError extends Error {
  readonly code = 'NOTIFICATION_PARCEL_NOT_PROJECTED_YET';

  constructor(
    readonly tenantId: string,
    readonly parcelId: string,
  ) {
    super(`parcel ${parcelId} of tenant ${tenantId} has no tracking projection yet; retrying later`);
    this.name = 'ParcelNotProjectedYetError';
  }
}
