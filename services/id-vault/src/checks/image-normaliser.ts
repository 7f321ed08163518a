import {
  decodeUntrustedImage,
  DEFAULT_IMAGE_LIMITS,
  encodeStoredJpeg,
  undecodableCode,
  type ImageFailureCode,
  type ImageLimits,
  type ImageType,
  type UprightPixels,
} from '@portico/images';
import sharp from 'sharp';
import { measureCardShape, type CardShape, type PixelBox } from './card-shape';
import { laplacianVariance, SHARPNESS_SAMPLE_WIDTH } from './sharpness';

// The generic intake (caps, magic bytes, decode upright, metadata gone, the stored JPEG's encoder)
// is @portico/images, shared with claims' evidence photos; this adds what an ID document needs.
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from '@portico/images';

export type NormaliseFailureCode = ImageFailureCode;

/**
 * Turns whatever a phone uploaded into the one thing the vault stores — a baseline JPEG, upright,
 * bounded, without metadata (see @portico/images) — and measures the card on the same decoded
 * pixels: its shape (card-shape.ts) and sharpness (sharpness.ts).
 */
export interface NormalisedImage {
  readonly ok: true;
  readonly sourceType: ImageType;
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** Laplacian variance (see sharpness.ts), measured on the card/document region when one is found. */
  readonly sharpness: number;
  /** The card-like shape found in the image, if any (see card-shape.ts). */
  readonly cardShape: CardShape | undefined;
}

export type NormaliseResult = NormalisedImage | { readonly ok: false; readonly code: NormaliseFailureCode };

/** Width of the greyscale copy the card shape is measured on. */
const SHAPE_SAMPLE_WIDTH = 256;
/** A shape covering less than this of the frame is too small to trust as the sharpness region. */
const MIN_REGION_COVERAGE = 0.1;

export async function normaliseImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<NormaliseResult> {
  // The upload is decoded once, to the stored size: the JPEG is encoded from these pixels, and the
  // card shape and sharpness are measured on them too (decoding the stored JPEG twice more for the
  // measures cost ~40-70 ms per side).
  const decoded = await decodeUntrustedImage(bytes, limits);
  if (!decoded.ok) return decoded;
  const { sourceType, pixels } = decoded;
  const { width, height } = pixels.raw;

  // The stored JPEG and the greyscale copy the measures use are independent reads of the same
  // pixels: both at once. The grey copy is made once, at the stored size, and both measures read
  // it (one colourspace pass instead of two, and a third of the bytes for each to read).
  let jpeg: Buffer;
  let grey: GreyPixels;
  try {
    [jpeg, grey] = await Promise.all([encodeStoredJpeg(pixels, limits.jpegQuality), greyscaleOf(pixels)]);
  } catch {
    return { ok: false, code: undecodableCode(sourceType) };
  }
  const cardShape = await measureShapeOf(grey);
  // Sharpness of the card itself: a plain table around it would dilute the measure.
  const region = cardShape && cardShape.coverage >= MIN_REGION_COVERAGE ? cardShape.box : undefined;
  const sharpness = await sharpnessOf(grey, region);
  return { ok: true, sourceType, jpeg, width, height, sharpness, cardShape };
}

interface GreyPixels {
  readonly data: Buffer;
  readonly raw: { readonly width: number; readonly height: number; readonly channels: 1 };
}

async function greyscaleOf(pixels: UprightPixels): Promise<GreyPixels> {
  const { data, info } = await sharp(pixels.data, { raw: pixels.raw })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, raw: { width: info.width, height: info.height, channels: 1 } };
}

/** The shape, with its box in the stored image's coordinates. */
async function measureShapeOf(grey: GreyPixels): Promise<CardShape | undefined> {
  const image = grey.raw;
  // greyscale() again: sharp writes raw output as sRGB (three channels) unless told otherwise; on
  // one-channel input it is no conversion, only the output's interpretation.
  const { data, info } = await sharp(grey.data, { raw: image })
    .greyscale()
    .resize({ width: Math.min(SHAPE_SAMPLE_WIDTH, image.width) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const shape = measureCardShape(data, info.width, info.height);
  return shape && { ...shape, box: scaleBox(shape.box, image.width / info.width, image) };
}

/** measureSharpness (sharpness.ts) on the stored pixels rather than on an encoded image. */
async function sharpnessOf(grey: GreyPixels, region: PixelBox | undefined): Promise<number> {
  let pipeline = sharp(grey.data, { raw: grey.raw }).greyscale();
  if (region) pipeline = pipeline.extract(region);
  const { data, info } = await pipeline
    .resize({ width: SHARPNESS_SAMPLE_WIDTH })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return laplacianVariance(data, info.width, info.height);
}

function scaleBox(box: PixelBox, factor: number, image: { width: number; height: number }): PixelBox {
  const left = Math.max(0, Math.floor(box.left * factor));
  const top = Math.max(0, Math.floor(box.top * factor));
  return {
    left,
    top,
    width: Math.max(1, Math.min(image.width - left, Math.ceil(box.width * factor))),
    height: Math.max(1, Math.min(image.height - top, Math.ceil(box.height * factor))),
  };
}
