import sharp from 'sharp';
import type { PixelBox } from './card-shape';

/**
 * Sharpness as the variance of the Laplacian (the classic focus measure): edges in a focused photo
 * give large second derivatives of both signs, blur flattens them, so the variance drops.
 *
 * Measured on a greyscale copy resized to a fixed width so the number means the same thing for a
 * 12-megapixel photo and a 1-megapixel one; otherwise the threshold would depend on the camera.
 *
 * The Laplacian is computed here in JS on the raw 8-bit pixels rather than with sharp's
 * `convolve()`: libvips writes the convolution into the input's 8-bit format, clamping the negative
 * half of the response to 0 (or folding it around an offset), and a clamped response has the wrong
 * variance. A 512-px-wide image is ~150k pixels; one pass in JS is well under a millisecond-scale
 * concern next to the JPEG decode.
 */
export const SHARPNESS_SAMPLE_WIDTH = 512;

/**
 * Calibrated on synthetic card-like images (see sharpness.spec.ts): printed-card detail at 512 px
 * measures in the hundreds to thousands, the same image after a 2-3 px blur drops well below 100.
 * Real phone uploads should re-calibrate this from the distribution of accepted/rejected documents.
 */
export const DEFAULT_MIN_SHARPNESS = 100;

export async function measureSharpness(
  image: Uint8Array,
  region?: PixelBox,
  sampleWidth = SHARPNESS_SAMPLE_WIDTH,
): Promise<number> {
  let pipeline = sharp(image).greyscale();
  if (region) pipeline = pipeline.extract(region);
  const { data, info } = await pipeline
    .resize({ width: sampleWidth })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return laplacianVariance(data, info.width, info.height);
}

/** Variance of the 4-neighbour Laplacian over interior pixels of a one-channel 8-bit image. */
export function laplacianVariance(grey: Uint8Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumOfSquares = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const l = grey[i - width] + grey[i + width] + grey[i - 1] + grey[i + 1] - 4 * grey[i];
      sum += l;
      sumOfSquares += l * l;
    }
  }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return sumOfSquares / n - mean * mean;
}

export function isSharpEnough(sharpness: number, minSharpness = DEFAULT_MIN_SHARPNESS): boolean {
  return sharpness >= minSharpness;
}
