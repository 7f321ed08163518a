/** Marks a relayed copy so it is useless for anything but this parcel's clearance. */
export abstract class Watermarker {
  /** @returns a JPEG with the mark tiled across the whole image. */
  abstract apply(
    jpeg: Buffer,
    mark: { readonly carrierLabel: string; readonly trackingNumber: string },
  ): Promise<Buffer>;
}
