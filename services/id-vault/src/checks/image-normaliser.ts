import sharp from 'sharp';
import { measureCardShape, type CardShape, type PixelBox } from './card-shape';
import { detectImageType, DEFAULT_TRAILING_SLACK_BYTES, type ImageType } from './image-type';
import { measureSharpness } from './sharpness';

/**
 * Turns whatever a phone uploaded into the one thing the vault stores: a baseline JPEG, upright,
 * bounded in size, with every metadata block gone (EXIF GPS, camera serials, XMP, ICC, the original
 * thumbnail). The resident's bytes are never stored or served, so whatever else they carried ends
 * here.
 *
 * Every cheap refusal comes before any decoding, in order of cost: byte cap, magic bytes, then the
 * pixel cap from the header alone. A decompression bomb (a few KB claiming 60000 x 60000) is thus
 * refused without allocating its pixels; `limitInputPixels` repeats the cap inside libvips in case
 * the header sharp reads for metadata and the one the decoder uses ever disagree.
 */
export interface ImageLimits {
  /** Byte cap on the upload, checked first. */
  readonly maxBytes: number;
  /** Pixel cap (width x height of the stored image, as declared by its header). */
  readonly maxPixels: number;
  /** Long side of the stored JPEG; larger images are scaled down. */
  readonly maxLongSide: number;
  /** JPEG quality of the stored image (mozjpeg). */
  readonly jpegQuality: number;
  /** Bytes tolerated after the image's logical end (see image-type.ts). */
  readonly trailingSlackBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  // A 12-48 MP phone JPEG is 2-8 MB; PNG screenshots of a card are far smaller.
  maxBytes: 10 * 1024 * 1024,
  // 48 MP phones exist, but default capture is binned to 12 MP; 40 MP leaves room for the 8064 x 4536
  // (36.6 MP) photos some phones take by default, and keeps a decode under ~160 MB of RGBA.
  maxPixels: 40_000_000,
  // 2000 px keeps ID card print (the smallest characters are ~1.5 mm) legible at the card
  // occupying half the frame, and keeps the stored and relayed file around 300-600 KB.
  maxLongSide: 2000,
  // 88 with mozjpeg: no visible artefacts on printed text, about half the bytes of quality 95.
  jpegQuality: 88,
  trailingSlackBytes: DEFAULT_TRAILING_SLACK_BYTES,
};

export type NormaliseFailureCode =
  'too_large' | 'wrong_file_type' | 'unsupported_format' | 'too_many_pixels' | 'corrupt';

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

/**
 * Sharp options for untrusted input. failOn 'warning' (the strictest, and sharp's advice for untrusted
 * input) rather than 'truncated': a JPEG cut short by an interrupted upload and then closed with an
 * EOI marker decodes "successfully" under 'truncated' and 'error', with the missing part painted
 * grey; libjpeg only reports it as a corrupt-data warning. Phone cameras write clean JPEGs, so the
 * stricter level costs no legitimate photos we know of.
 */
function untrusted(maxPixels: number): sharp.SharpOptions {
  return { failOn: 'warning', limitInputPixels: maxPixels, sequentialRead: true };
}

export async function normaliseImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<NormaliseResult> {
  if (bytes.byteLength > limits.maxBytes) return { ok: false, code: 'too_large' };

  const detected = detectImageType(bytes, { trailingSlackBytes: limits.trailingSlackBytes });
  if (!detected.ok) return detected;
  const sourceType = detected.type;
  // Whatever goes wrong decoding a HEIC, the useful answer for the resident is the same: send a JPEG.
  const undecodable: NormaliseFailureCode = sourceType === 'heic' ? 'unsupported_format' : 'corrupt';

  let header: sharp.Metadata;
  try {
    header = await sharp(bytes, { ...untrusted(limits.maxPixels), limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, code: undecodable };
  }
  if (!header.width || !header.height) return { ok: false, code: undecodable };
  if (header.width * header.height > limits.maxPixels) return { ok: false, code: 'too_many_pixels' };
  // Our signature check and libvips' own loader choice must agree; if not, something is crafted.
  if (header.format !== SHARP_FORMAT[sourceType]) return { ok: false, code: 'wrong_file_type' };

  let jpeg: Buffer;
  let info: sharp.OutputInfo;
  try {
    ({ data: jpeg, info } = await sharp(bytes, untrusted(limits.maxPixels))
      .rotate() // upright from EXIF Orientation before the tag is dropped with the rest
      .flatten({ background: '#ffffff' }) // transparent PNG areas become paper-white, not black
      .resize({
        width: limits.maxLongSide,
        height: limits.maxLongSide,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .jpeg({ quality: limits.jpegQuality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true }));
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message))
      return { ok: false, code: 'too_many_pixels' };
    return { ok: false, code: undecodable };
  }

  const cardShape = await measureShapeOf(jpeg, info);
  // Sharpness of the card itself: a plain table around it would dilute the measure.
  const region = cardShape && cardShape.coverage >= MIN_REGION_COVERAGE ? cardShape.box : undefined;
  const sharpness = await measureSharpness(jpeg, region);
  return { ok: true, sourceType, jpeg, width: info.width, height: info.height, sharpness, cardShape };
}

const SHARP_FORMAT: Record<ImageType, keyof sharp.FormatEnum> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  heic: 'heif',
  avif: 'heif',
};

let heicSupport: boolean | undefined;

/**
 * Whether this process's libvips/libheif can decode HEVC-coded HEIF (iPhone photos). The prebuilt
 * sharp binaries ship libheif with the AV1 decoder only (HEVC patent licensing), and then list
 * '.avif' as the only heif suffix. For the upload page (whether to offer image/heic) and health
 * output; the normaliser itself does not rely on it but attempts the decode and maps any failure of
 * a HEIF-branded file to 'unsupported_format', because the ftyp brand does not tell the codec
 * ('mif1' files can hold AV1, which decodes here, and sharp's reported `compression` is derived
 * from the brand too).
 */
export function canDecodeHeic(): boolean {
  heicSupport ??= (sharp.format.heif?.input?.fileSuffix ?? []).some(
    (suffix) => suffix.toLowerCase() === '.heic',
  );
  return heicSupport;
}

/** The shape, with its box in the stored image's coordinates. */
async function measureShapeOf(
  jpeg: Buffer,
  image: { width: number; height: number },
): Promise<CardShape | undefined> {
  const { data, info } = await sharp(jpeg)
    .greyscale()
    .resize({ width: Math.min(SHAPE_SAMPLE_WIDTH, image.width) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const shape = measureCardShape(data, info.width, info.height);
  return shape && { ...shape, box: scaleBox(shape.box, image.width / info.width, image) };
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
