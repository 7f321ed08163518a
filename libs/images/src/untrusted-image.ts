import sharp from 'sharp';
import { detectImageType, DEFAULT_TRAILING_SLACK_BYTES, type ImageType } from './image-type';

// libvips' operation cache memoises operations by their arguments so that a repeated one is free.
// Every upload here is a new buffer, so it never hits, while what it holds (up to 50 MB and 100
// operations by sharp's defaults) stays resident between requests. Off for the process.
sharp.cache(false);

/**
 * The intake of an image somebody uploaded (a resident's ID card, a damage photo, a receipt):
 * whatever came in becomes upright, bounded, 8-bit sRGB pixels with every metadata block gone
 * (EXIF GPS, camera serials, XMP, ICC, the original thumbnail), from which the caller encodes what
 * it stores. The uploader's bytes are never stored or served, so whatever else they carried ends
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
  /** Pixel cap (width x height of the image, as declared by its header). */
  readonly maxPixels: number;
  /** Long side of the stored JPEG; larger images are scaled down. */
  readonly maxLongSide: number;
  /** JPEG quality of the stored image (libjpeg-turbo with mozjpeg's quantisation table). */
  readonly jpegQuality: number;
  /** Bytes tolerated after the image's logical end (see image-type.ts). */
  readonly trailingSlackBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  // A 12-48 MP phone JPEG is 2-8 MB; PNG screenshots are far smaller.
  maxBytes: 10 * 1024 * 1024,
  // 48 MP phones exist, but default capture is binned to 12 MP; 40 MP leaves room for the 8064 x 4536
  // (36.6 MP) photos some phones take by default, and keeps a decode under ~160 MB of RGBA.
  maxPixels: 40_000_000,
  // 2000 px keeps ID card print (the smallest characters are ~1.5 mm) and receipt print legible
  // at the document occupying half the frame, and keeps the stored file around 300-600 KB.
  maxLongSide: 2000,
  // 88 with mozjpeg's quantisation table: no visible artefacts on printed text, about half the bytes
  // of quality 95. Encoded by libjpeg-turbo, not mozjpeg's own encoder: its trellis quantisation and
  // scan optimisation take ~150-250 ms per 2000 px image on one core (5-10x the encode, more than
  // the decode) for ~20% fewer bytes; see JPEG_OUTPUT below.
  jpegQuality: 88,
  trailingSlackBytes: DEFAULT_TRAILING_SLACK_BYTES,
};

export type ImageFailureCode =
  'too_large' | 'wrong_file_type' | 'unsupported_format' | 'too_many_pixels' | 'corrupt';
export const IMAGE_FAILURE_CODES: readonly ImageFailureCode[] = [
  'too_large',
  'wrong_file_type',
  'unsupported_format',
  'too_many_pixels',
  'corrupt',
];

export interface ImageFailure {
  readonly ok: false;
  readonly code: ImageFailureCode;
}

/** Decoded pixels, upright and within the long side, as sharp's raw input wants them. */
export interface UprightPixels {
  readonly data: Buffer;
  readonly raw: { readonly width: number; readonly height: number; readonly channels: sharp.Channels };
}

export interface DecodedImage {
  readonly ok: true;
  readonly sourceType: ImageType;
  readonly pixels: UprightPixels;
}

export interface StoredJpeg {
  readonly ok: true;
  readonly sourceType: ImageType;
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

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

/** Whatever goes wrong decoding a HEIC, the useful answer for the uploader is the same: send a JPEG. */
export function undecodableCode(sourceType: ImageType): ImageFailureCode {
  return sourceType === 'heic' ? 'unsupported_format' : 'corrupt';
}

/**
 * Caps, type, header pixel cap, then one decode to the stored size: upright from EXIF Orientation
 * (before the tag is dropped), transparency flattened onto white, 8-bit sRGB. Callers that measure
 * the image (id-vault's card shape and sharpness) read these pixels instead of decoding again.
 */
export async function decodeUntrustedImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<DecodedImage | ImageFailure> {
  if (bytes.byteLength > limits.maxBytes) return { ok: false, code: 'too_large' };

  const detected = detectImageType(bytes, { trailingSlackBytes: limits.trailingSlackBytes });
  if (!detected.ok) return detected;
  const sourceType = detected.type;
  const undecodable = undecodableCode(sourceType);

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

  try {
    let decode = sharp(bytes, untrusted(limits.maxPixels)).rotate();
    // transparent PNG/WebP areas become paper-white, not black (a JPEG has no alpha: nothing to do)
    if (header.hasAlpha) decode = decode.flatten({ background: '#ffffff' });
    decode = decode.resize({
      width: limits.maxLongSide,
      height: limits.maxLongSide,
      fit: 'inside',
      withoutEnlargement: true,
    });
    // 8-bit sRGB whatever came in (16-bit PNG, CMYK or grey JPEG). A phone's JPEG already is, and
    // the conversion would be one more pass over every pixel for nothing (~5-10 ms of a 2 MB photo).
    if (!isEightBitSrgb(header)) decode = decode.toColourspace('srgb');
    const { data, info } = await decode.raw().toBuffer({ resolveWithObject: true });
    return {
      ok: true,
      sourceType,
      pixels: { data, raw: { width: info.width, height: info.height, channels: info.channels } },
    };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message))
      return { ok: false, code: 'too_many_pixels' };
    return { ok: false, code: undecodable };
  }
}

/** Three 8-bit sRGB channels, plus an alpha the decode flattens away: nothing to convert. */
function isEightBitSrgb(header: sharp.Metadata): boolean {
  return header.space === 'srgb' && header.depth === 'uchar' && header.channels === (header.hasAlpha ? 4 : 3);
}

/**
 * The stored JPEG's encoder settings: a baseline JPEG from libjpeg-turbo with optimised Huffman
 * tables and mozjpeg's quantisation table (table 3, what `mozjpeg: true` uses), i.e. mozjpeg's
 * quantisation without its trellis pass and progressive-scan search. On a 2000 x 1500 card photo:
 * ~25 ms instead of ~150-250 ms, for ~25% more bytes (150 KB instead of 120 KB on the vault benchmark's).
 * Raw pixels carry no metadata, so nothing of the upload's EXIF/XMP/ICC can reach the output.
 */
const JPEG_OUTPUT: sharp.JpegOptions = { quantisationTable: 3, optimiseCoding: true };

export function encodeStoredJpeg(pixels: UprightPixels, quality: number): Promise<Buffer> {
  return sharp(pixels.data, { raw: pixels.raw })
    .jpeg({ ...JPEG_OUTPUT, quality })
    .toBuffer();
}

/** decodeUntrustedImage + encodeStoredJpeg: for callers that only store the image. */
export async function normaliseToJpeg(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<StoredJpeg | ImageFailure> {
  const decoded = await decodeUntrustedImage(bytes, limits);
  if (!decoded.ok) return decoded;
  try {
    const jpeg = await encodeStoredJpeg(decoded.pixels, limits.jpegQuality);
    const { width, height } = decoded.pixels.raw;
    return { ok: true, sourceType: decoded.sourceType, jpeg, width, height };
  } catch {
    return { ok: false, code: undecodableCode(decoded.sourceType) };
  }
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
 * '.avif' as the only heif suffix. For upload pages (whether to offer image/heic) and health
 * output; the decoder itself does not rely on it but attempts the decode and maps any failure of
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
