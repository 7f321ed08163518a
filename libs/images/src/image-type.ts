/**
 * What the uploaded bytes are, decided from the bytes alone. The client's Content-Type and file name
 * are whatever the resident's browser (or an attacker) says, so they are never consulted.
 *
 * Beyond the leading signature, each accepted format is walked just far enough to find where the
 * image logically ends (JPEG EOI, PNG IEND, the RIFF size, the last ISO BMFF box). That is what
 * lets us refuse polyglots: a file that is a valid image to a decoder *and* something else (a ZIP,
 * an HTML page, a PDF) to another reader. The vault only ever stores and serves its own re-encoded
 * JPEG, so a polyglot could not survive the pipeline anyway; refusing it is defence in depth and a
 * clear signal that the upload was not a phone photo.
 *
 * The rules, each tied to how the *other* reader finds its format:
 * - trailing bytes after the logical end beyond a small slack are refused (a ZIP or HTML appended to
 *   a JPEG), except further complete JPEGs after a JPEG: that is how MPF / Ultra HDR phones store
 *   the gain map, and refusing it would refuse ordinary photos from recent Android phones;
 * - a ZIP end-of-central-directory record that ends at (or within the slack of) the end of the file
 *   is refused even when it is hidden inside a chunk or box, because ZIP readers locate an archive
 *   from the end of the file;
 * - signatures of other formats in the first 1445 bytes (the "resource header" that WHATWG MIME
 *   sniffing reads) are refused, because content sniffers decide from there.
 *
 * Structural truncation (a segment, chunk or box running past the end of the data) is reported as
 * `corrupt`, not as a wrong type: it is what an interrupted mobile upload looks like.
 */
export type ImageType = 'jpeg' | 'png' | 'webp' | 'heic' | 'avif';

export type ImageTypeVerdict =
  | { readonly ok: true; readonly type: ImageType }
  | { readonly ok: false; readonly code: 'wrong_file_type' | 'corrupt' };

export interface ImageTypeOptions {
  /** Bytes tolerated after the logical end (encoders pad; some add a newline). Default 256. */
  readonly trailingSlackBytes?: number;
}

export const DEFAULT_TRAILING_SLACK_BYTES = 256;

/** WHATWG MIME Sniffing reads at most this many bytes to decide a type. */
const SNIFF_WINDOW_BYTES = 1445;

/** An MPF primary image plus a gain map is 2; allow a few more (depth maps) but not an unbounded chain. */
const MAX_CHAINED_JPEGS = 4;

const ZIP_EOCD = Buffer.from('PK\x05\x06', 'latin1');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** ftyp brands of HEVC-coded HEIF ('mif1'/'msf1' are generic HEIF, in practice Apple's HEIC). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** Signatures that make a content sniffer or another reader see something other than an image. */
const FOREIGN_BINARY_SIGNATURES: ReadonlyArray<{ bytes: Buffer; unlessType?: ImageType }> = [
  { bytes: Buffer.from('PK\x03\x04', 'latin1') },
  { bytes: Buffer.from('%PDF-', 'latin1') },
  { bytes: Buffer.from('GIF87a', 'latin1') },
  { bytes: Buffer.from('GIF89a', 'latin1') },
  { bytes: Buffer.from('\x7fELF', 'latin1') },
  { bytes: PNG_SIGNATURE, unlessType: 'png' },
];
/** Matched case-insensitively: the HTML/SVG/script openers sniffers look for. */
const FOREIGN_TEXT_SIGNATURES = [
  '<!doctype html',
  '<html',
  '<head',
  '<body',
  '<script',
  '<iframe',
  '<svg',
  '<?php',
];

export function detectImageType(bytes: Uint8Array, options: ImageTypeOptions = {}): ImageTypeVerdict {
  const slack = options.trailingSlackBytes ?? DEFAULT_TRAILING_SLACK_BYTES;
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = sniffSignature(data);
  if (!type) return { ok: false, code: 'wrong_file_type' };

  const end = logicalEnd(type, data, slack);
  if (end === 'truncated') return { ok: false, code: 'corrupt' };
  if (end === 'malformed') return { ok: false, code: 'wrong_file_type' };
  if (data.length - end > slack) return { ok: false, code: 'wrong_file_type' };

  if (hasForeignSignatureInHead(type, data) || endsWithZipDirectory(data, slack)) {
    return { ok: false, code: 'wrong_file_type' };
  }
  return { ok: true, type };
}

function sniffSignature(data: Buffer): ImageType | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (data.length >= 12 && ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 4) === 'WEBP') return 'webp';
  if (data.length >= 16 && ascii(data, 4, 4) === 'ftyp') return isoBrandType(data);
  return undefined;
}

/** AVIF wins over HEIC when both appear: AVIF files commonly list the generic 'mif1' brand too. */
function isoBrandType(data: Buffer): ImageType | undefined {
  const boxSize = data.readUInt32BE(0);
  if (boxSize < 16 || boxSize > data.length) return undefined;
  const brands = [ascii(data, 8, 4)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(data, at, 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  return undefined;
}

type End = number | 'truncated' | 'malformed';

function logicalEnd(type: ImageType, data: Buffer, slack: number): End {
  switch (type) {
    case 'jpeg':
      return jpegChainEnd(data, slack);
    case 'png':
      return pngEnd(data);
    case 'webp':
      return riffEnd(data);
    case 'heic':
    case 'avif':
      return isoBmffEnd(data);
  }
}

function jpegChainEnd(data: Buffer, slack: number): End {
  let end = jpegEnd(data, 0);
  for (let images = 1; typeof end === 'number' && images < MAX_CHAINED_JPEGS; images++) {
    if (data.length - end <= slack || !isJpegAt(data, end)) break;
    end = jpegEnd(data, end);
  }
  return end;
}

function isJpegAt(data: Buffer, at: number): boolean {
  return data.length >= at + 3 && data[at] === 0xff && data[at + 1] === 0xd8 && data[at + 2] === 0xff;
}

/**
 * Walks marker segments by their declared lengths (so EXIF thumbnails, which carry their own
 * SOI/EOI inside APP1, are skipped whole) and scans entropy-coded data after each SOS for the next
 * real marker (0xFF followed by something other than a stuffed 0x00 or a restart marker).
 */
function jpegEnd(data: Buffer, start: number): End {
  let at = start + 2;
  while (at < data.length) {
    if (data[at] !== 0xff) return 'malformed';
    while (data[at] === 0xff && at < data.length) at++; // fill bytes before a marker
    if (at >= data.length) return 'truncated';
    const marker = data[at];
    at++;
    if (marker === 0xd9) return at; // EOI
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length field
    if (marker === 0x00 || marker === 0xd8) return 'malformed';
    if (at + 2 > data.length) return 'truncated';
    const length = data.readUInt16BE(at);
    if (length < 2) return 'malformed';
    at += length;
    if (at > data.length) return 'truncated';
    if (marker === 0xda) {
      const next = nextMarkerAfterEntropyData(data, at);
      if (next === undefined) return 'truncated';
      at = next;
    }
  }
  return 'truncated';
}

function nextMarkerAfterEntropyData(data: Buffer, from: number): number | undefined {
  let at = from;
  for (;;) {
    at = data.indexOf(0xff, at);
    if (at < 0 || at + 1 >= data.length) return undefined;
    const next = data[at + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at += 2;
    else if (next === 0xff) at += 1;
    else return at;
  }
}

function pngEnd(data: Buffer): End {
  let at = PNG_SIGNATURE.length;
  let first = true;
  while (at + 8 <= data.length) {
    const length = data.readUInt32BE(at);
    const type = ascii(data, at + 4, 4);
    if (!/^[A-Za-z]{4}$/.test(type) || (first && type !== 'IHDR')) return 'malformed';
    first = false;
    at += 12 + length;
    if (at > data.length) return 'truncated';
    if (type === 'IEND') return at;
  }
  return 'truncated';
}

/** RIFF declares its size (an odd size is followed by one pad byte, which the slack covers). */
function riffEnd(data: Buffer): End {
  const end = 8 + data.readUInt32LE(4);
  return end > data.length ? 'truncated' : end;
}

/** Top-level boxes must tile the file: anything that is not a well-formed box is a foreign trailer. */
function isoBmffEnd(data: Buffer): End {
  let at = 0;
  while (at < data.length) {
    if (at + 8 > data.length) return at;
    let size = data.readUInt32BE(at);
    const type = ascii(data, at + 4, 4);
    if (!/^[\x20-\x7e]{4}$/.test(type)) return at === 0 ? 'malformed' : at;
    if (size === 1) {
      if (at + 16 > data.length) return 'truncated';
      const large = data.readBigUInt64BE(at + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) return 'malformed';
      size = Number(large);
    } else if (size === 0) {
      size = data.length - at; // "extends to the end of the file"
    }
    if (size < 8) return 'malformed';
    if (at + size > data.length) return 'truncated';
    at += size;
  }
  return at;
}

function hasForeignSignatureInHead(type: ImageType, data: Buffer): boolean {
  // Skip the format's own signature so e.g. PNG's is not found in a PNG.
  const head = data.subarray(1, Math.min(data.length, SNIFF_WINDOW_BYTES));
  for (const { bytes, unlessType } of FOREIGN_BINARY_SIGNATURES) {
    if (unlessType !== type && head.includes(bytes)) return true;
  }
  const text = head.toString('latin1').toLowerCase();
  return FOREIGN_TEXT_SIGNATURES.some((s) => text.includes(s));
}

/**
 * A ZIP reader starts from the end-of-central-directory record ("PK\x05\x06", 22 bytes plus a
 * comment whose length it declares). Requiring the record to end where the file ends (within the
 * slack) is what a reader would accept, and makes a chance match in compressed pixels negligible.
 */
function endsWithZipDirectory(data: Buffer, slack: number): boolean {
  if (data.length < 22) return false;
  const searchFrom = Math.max(0, data.length - 22 - 0xffff - slack);
  let at = data.lastIndexOf(ZIP_EOCD, data.length - 22);
  while (at >= searchFrom) {
    const recordEnd = at + 22 + data.readUInt16LE(at + 20);
    if (recordEnd <= data.length && data.length - recordEnd <= slack) return true;
    if (at === 0) break;
    at = data.lastIndexOf(ZIP_EOCD, at - 1);
  }
  return false;
}

function ascii(data: Buffer, at: number, length: number): string {
  return data.toString('latin1', at, at + length);
}
