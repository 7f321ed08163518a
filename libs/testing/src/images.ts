// `@portico/testing/images`: synthetic ID-document photos and hostile files for tests, the demo and
// benchmarks. A separate entry point: it loads sharp, which the rest of @portico/testing does not need.
// Test images built from scratch with sharp and by hand, so no real person's document ever sits in
// the repository. Deterministic: the noise uses a fixed-seed generator.
import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';

/** Mulberry32: small, deterministic, good enough for texture. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Printed-card-like detail: a photo block, text lines of bars, a border, as an SVG of rects. */
function cardSvg(width: number, height: number): string {
  const random = seededRandom(width * 31 + height);
  const parts = [
    `<rect x="0" y="0" width="${width}" height="${height}" rx="${width * 0.04}" fill="#f4f1e8"/>`,
  ];
  parts.push(
    `<rect x="${width * 0.64}" y="${height * 0.14}" width="${width * 0.28}" height="${height * 0.6}" fill="#7a6a5a"/>`,
  );
  for (let line = 0; line < 7; line++) {
    let x = width * 0.06;
    const y = height * (0.12 + line * 0.11);
    while (x < width * 0.58) {
      const w = width * (0.01 + random() * 0.03);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(height * 0.05).toFixed(1)}" fill="#202020"/>`,
      );
      x += w + width * 0.008;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export interface CardPhotoOptions {
  readonly width?: number;
  readonly height?: number;
  /** Card size in pixels (defaults to an ID-1 card covering ~55% of the width). */
  readonly cardWidth?: number;
  readonly cardHeight?: number;
  /** Degrees the card lies rotated on the table. */
  readonly angle?: number;
  readonly background?: string;
  /** Sigma of a blur applied to the whole photo (camera shake / out of focus). */
  readonly blur?: number;
}

const photoCache = new Map<string, Promise<Buffer>>();

/**
 * A "phone photo": a card lying on a plain, slightly noisy table. Returns a JPEG. Deterministic, so
 * each distinct photo is made once per process and copied: the per-pixel noise loop is slow inside
 * Jest's VM context (seconds per photo on a loaded 2-core machine), and suites ask for the same
 * photos many times.
 */
export async function cardPhoto(options: CardPhotoOptions = {}): Promise<Buffer> {
  const key = JSON.stringify(options);
  let made = photoCache.get(key);
  if (!made) {
    made = makeCardPhoto(options);
    photoCache.set(key, made);
    made.catch(() => photoCache.delete(key));
  }
  return Buffer.from(await made);
}

async function makeCardPhoto(options: CardPhotoOptions): Promise<Buffer> {
  const width = options.width ?? 1200;
  const height = options.height ?? 900;
  const cardWidth = options.cardWidth ?? Math.round(width * 0.55);
  const cardHeight = options.cardHeight ?? Math.round(cardWidth / (85.6 / 53.98));
  let card = await sharp(Buffer.from(cardSvg(cardWidth, cardHeight)))
    .png()
    .toBuffer();
  if (options.angle) {
    card = await sharp(card)
      .rotate(options.angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
  }
  const cardMeta = await sharp(card).metadata();
  const table = await noisyPlane(width, height, options.background ?? '#5a6470', 6, 7);
  let photo = sharp(table).composite([
    {
      input: card,
      left: Math.round((width - (cardMeta.width ?? 0)) / 2),
      top: Math.round((height - (cardMeta.height ?? 0)) / 2),
    },
  ]);
  if (options.blur) photo = sharp(await photo.png().toBuffer()).blur(options.blur);
  return photo.jpeg({ quality: 92 }).toBuffer();
}

/** A plain colour with a little sensor-like noise, as PNG. */
export async function noisyPlane(
  width: number,
  height: number,
  colour: string,
  amplitude: number,
  seed: number,
): Promise<Buffer> {
  const base = await sharp({ create: { width, height, channels: 3, background: colour } })
    .raw()
    .toBuffer();
  // xorshift32, inlined: shifts and xors only. Math.imul (Mulberry32) and a closure call per byte
  // are ~50x slower inside Jest's VM context, where these photos are mostly made.
  let x = (seed * 2654435761) >>> 0 || 1;
  const span = 2 * amplitude;
  for (let i = 0; i < base.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) / 4294967296;
    const v = base[i]! + Math.round((r - 0.5) * span);
    base[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return sharp(base, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A solid-colour JPEG. */
export function plainJpeg(width = 64, height = 48, colour = '#808080'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A decompression bomb: a valid PNG header claiming width x height, with one tiny IDAT. A decoder
 * that trusted it would allocate width x height x 3 bytes (60000^2 x 3 = 10.8 GB) before noticing.
 */
export function pixelBombPng(width = 60_000, height = 60_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG with an extra ancillary chunk carrying `payload` before IEND. */
export function pngWithChunk(png: Buffer, type: string, payload: Buffer): Buffer {
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), pngChunk(type, payload), png.subarray(iend)]);
}

/** A JPEG with a COM segment carrying `text` right after SOI (where sniffers look). */
export function jpegWithComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

/** A one-file ZIP archive (stored, not deflated), built by hand: local header, data, directory, EOCD. */
export function tinyZip(name = 'payload.html', content = '<html><body>not an image</body></html>'): Buffer {
  const fileName = Buffer.from(name, 'latin1');
  const data = Buffer.concat([Buffer.from(content, 'latin1'), Buffer.alloc(1024, 0x20)]);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localSize = local.length + fileName.length + data.length;
  const directory = Buffer.concat([central, fileName]);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fileName, data, directory, eocd]);
}

function isoBox(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

/**
 * The container skeleton of an iPhone HEIC (ftyp heic/mif1, an empty meta, an mdat of junk). Enough
 * for the signature check; no decoder here can decode it, which is exactly the case to cover.
 */
export function heicSkeleton(): Buffer {
  const ftyp = isoBox('ftyp', Buffer.from('heic\x00\x00\x00\x00mif1heic', 'latin1'));
  const meta = isoBox('meta', Buffer.alloc(4));
  const mdat = isoBox('mdat', Buffer.alloc(256, 0x5a));
  return Buffer.concat([ftyp, meta, mdat]);
}

export const GIF_BYTES = Buffer.from(
  '474946383961010001008000000000ffffff21f90401000000002c00000000010001000002024401003b',
  'hex',
);
export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
