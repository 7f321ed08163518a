/**
 * The relay watermark: before an approved ID-document image goes to a carrier or customs broker,
 * 仅供 <carrier> 包裹 <waybill> 清关使用 is drawn across all of it — diagonal, so no straight crop
 * removes it; tiled edge to edge, so no part of the image can be cut out clean; semi-transparent
 * dark grey with a thin light halo, so it reads on light and dark areas alike while the document
 * stays legible.
 *
 * Pipeline (one JPEG decode, one composite, one JPEG encode; everything else is small):
 *  1. render the text once as a greyscale coverage mask with sharp's text input (Pango), sized
 *     by fit-to-box so the first line spans ~45 % of the image width;
 *  2. in JS: dilate the mask into a halo mask (a few pixels, separable max filter);
 *  3. rotate both masks together in one sharp call (3-band image, not RGBA: rotating RGBA with a
 *     transparent background blends colour with the background's black and darkens the edges);
 *  4. in JS: stamp the rotated masks into one small periodic tile with wrap-around (the grid is
 *     chosen so the stamps line up in diagonal rows, see buildTile) and colour it (dark ink over
 *     light halo, straight alpha);
 *  5. composite that tile over the image with `tile: true`, starting at the top-left corner, and
 *     encode as JPEG. Metadata (EXIF, GPS, thumbnails) is not copied: sharp drops it by default.
 * Nothing here logs; image bytes are personal data and never leave this function except as the
 * returned JPEG.
 */
import sharp from 'sharp';
import { assertRendersRealGlyphs, shippedWatermarkFont, type WatermarkFont } from './watermark-font';
import { escapeMarkup } from './watermark-text';

export interface WatermarkOptions {
  /** Plain text (not markup), as built by buildWatermarkText; '\n' separates lines. */
  text: string;
  /** Alpha of the ink, 0.1–0.8 (default 0.35). The halo gets 60 % of it. */
  opacity?: number;
  /**
   * Rotation of the text in degrees, positive = clockwise (default -30: rising to the right).
   * 15–75 either way: flatter or steeper and the diagonal-grid layout degenerates (and a
   * horizontal or vertical mark is easier to crop around anyway).
   */
  angleDeg?: number;
  /** Font to use (default: the shipped Noto Sans Hans Medium). For tests and other weights. */
  font?: WatermarkFont;
  /** JPEG quality of the output (default 85). */
  quality?: number;
}

export class WatermarkError extends Error {
  override readonly name = 'WatermarkError';
}

/** Width of the first (Chinese) line relative to the image width. */
const TEXT_WIDTH_RATIO = 0.45;
/** The English line, relative to the Chinese one: readable, but clearly secondary. */
const SECOND_LINE_SCALE = '55%';
/** Below this the glyphs blur into JPEG noise; small images get relatively larger text. */
const MIN_TEXT_WIDTH_PX = 240;
/**
 * Spacing of the tiled stamps. Tight on purpose: the largest watermark-free patch must be far
 * smaller than anything worth cropping out. Along the text: a gap of 6 % of the stamp length
 * (at 12 % the row ends lined up into a 27 px watermark-free horizontal strip on a 2000x1260
 * image; at 6 % there is none, and the largest ink-free square is ~100 px). Across the text:
 * rows ~1.8 text blocks apart, so the gap between rows is under one text block.
 */
const GAP_ALONG_TEXT = 0.06;
const ROW_PITCH_IN_TEXT_BLOCKS = 1.8;
const INK = { r: 48, g: 48, b: 48 };
const HALO = { r: 255, g: 255, b: 255 };
const HALO_ALPHA_RATIO = 0.6;

/**
 * Call at service start: loads the font (throws WatermarkFontError if it is missing or broken),
 * runs the render self-test, and so also takes the one-off font registration cost (~50-80 ms)
 * out of the first relay.
 */
export async function prepareWatermark(font: WatermarkFont = shippedWatermarkFont()): Promise<WatermarkFont> {
  await assertRendersRealGlyphs(font);
  return font;
}

/** Returns a new JPEG of the same dimensions (after EXIF orientation) with the watermark. */
export async function applyWatermark(
  jpegBytes: Buffer | Uint8Array,
  options: WatermarkOptions,
): Promise<Buffer> {
  const opacity = options.opacity ?? 0.35;
  const angleDeg = options.angleDeg ?? -30;
  const quality = options.quality ?? 85;
  if (!(opacity >= 0.1 && opacity <= 0.8)) throw new RangeError('opacity must be between 0.1 and 0.8');
  if (!(Math.abs(angleDeg) >= 15 && Math.abs(angleDeg) <= 75))
    throw new RangeError('angleDeg must be 15 to 75 degrees either way');
  const text = options.text.trim();
  if (text.length === 0 || text.length > 200)
    throw new WatermarkError('watermark text must be 1-200 characters');

  const font = options.font ?? shippedWatermarkFont();
  // Both throw before anything is drawn: a watermark the font cannot draw is not relayed.
  font.assertCovers(text);
  await assertRendersRealGlyphs(font);

  const image = sharp(jpegBytes, { failOn: 'error' }).autoOrient();
  const meta = await image.metadata();
  if (meta.format !== 'jpeg')
    throw new WatermarkError(`expected a JPEG, got ${meta.format ?? 'unknown format'}`);
  // metadata() reports the stored dimensions; EXIF orientations 5–8 swap them.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;

  const tile = await buildTile({ text, font, width, height, opacity, angleDeg });
  return image
    .composite([
      {
        input: tile.data,
        raw: { width: tile.width, height: tile.height, channels: 4 },
        tile: true,
        gravity: 'northwest',
      },
    ])
    .jpeg({ quality })
    .toBuffer();
}

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

/** Steps 1–4 of the module comment: the periodic RGBA tile, at most as large as the image. */
async function buildTile(args: {
  text: string;
  font: WatermarkFont;
  width: number;
  height: number;
  opacity: number;
  angleDeg: number;
}): Promise<Raw> {
  const { width, height, font } = args;
  const textWidth = Math.round(Math.max(MIN_TEXT_WIDTH_PX, width * TEXT_WIDTH_RATIO));
  const [first, ...rest] = args.text.split('\n').map(escapeMarkup);
  // fallback="false": only our font draws — no installed system font can silently stand in.
  const markup =
    `<span fallback="false">${first}` +
    rest.map((line) => `\n<span size="${SECOND_LINE_SCALE}">${line}</span>`).join('') +
    '</span>';
  // width + height = fit-to-box: sharp searches the dpi at which the text fills the width (the
  // height is generous, so the width decides). wrap 'none' keeps each line on one line.
  const rendered = await sharp({
    text: {
      text: markup,
      font: font.description(48),
      fontfile: font.file,
      width: textWidth,
      height: textWidth,
      wrap: 'none',
      align: 'centre',
    },
  })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });

  // Halo ~ 2.5 % of the line height, at least 1 px: thick enough to read on black, thin enough
  // not to fill the counters of the small English line (at 4 % it did).
  const lineHeight = rendered.info.height / (rest.length > 0 ? 1.6 : 1);
  const haloRadius = Math.max(1, Math.round(lineHeight * 0.025));
  const pad = haloRadius + 1;
  const ink = padMask({ data: rendered.data, width: rendered.info.width, height: rendered.info.height }, pad);
  const halo = dilate(ink, haloRadius);

  // Step 3: ink and halo as bands 1 and 2 of one image, rotated together.
  const stacked = Buffer.alloc(ink.width * ink.height * 3);
  for (let i = 0, j = 0; i < ink.data.length; i++, j += 3) {
    stacked[j] = ink.data[i];
    stacked[j + 1] = halo.data[i];
  }
  const rotated = await sharp(stacked, { raw: { width: ink.width, height: ink.height, channels: 3 } })
    .rotate(args.angleDeg, { background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const stamp: Raw = { data: rotated.data, width: rotated.info.width, height: rotated.info.height };

  // Step 4: the stamps sit on a rectangular grid of pitch px × py, chosen so that the grid
  // vector (k·px, -py) points exactly along the text and is one stamp plus a gap long. Then
  // the stamps form unbroken diagonal rows; neighbouring rows are the grid's (px, 0) apart,
  // i.e. (L+g)·sin(2θ)/(2k) across the text and shifted (L+g)·cos²θ/k along it — the gaps of
  // adjacent rows never line up (for -30° and k = 2 the shift is 3/8 of a stamp). k is picked so
  // that rows are ~1.8 text blocks apart. One stamp per px × py tile, written with wrap-around,
  // is then the whole periodic pattern; the stamp is larger than the tile, which is the point.
  const theta = (Math.abs(args.angleDeg) * Math.PI) / 180;
  const along = ink.width * (1 + GAP_ALONG_TEXT);
  const rowPitchTarget = ink.height * ROW_PITCH_IN_TEXT_BLOCKS;
  const k = Math.max(1, Math.round((along * Math.sin(2 * theta)) / 2 / rowPitchTarget));
  const tileWidth = Math.max(1, Math.round((along * Math.cos(theta)) / k));
  const tileHeight = Math.max(1, Math.round(along * Math.sin(theta)));
  const inkTile = new Uint8Array(tileWidth * tileHeight);
  const haloTile = new Uint8Array(tileWidth * tileHeight);
  for (let y = 0; y < stamp.height; y++) {
    const rowOffset = (y % tileHeight) * tileWidth;
    for (let x = 0; x < stamp.width; x++) {
      const s = (y * stamp.width + x) * 3;
      if (stamp.data[s + 1] === 0) continue; // halo ⊇ ink: nothing here
      const t = rowOffset + (x % tileWidth);
      if (stamp.data[s] > inkTile[t]) inkTile[t] = stamp.data[s];
      if (stamp.data[s + 1] > haloTile[t]) haloTile[t] = stamp.data[s + 1];
    }
  }

  // Colour: ink over halo, straight (not premultiplied) alpha as sharp's raw input expects.
  // The tile is cut to the image: the pattern is periodic from (0,0), so cutting loses nothing.
  const outWidth = Math.min(tileWidth, width);
  const outHeight = Math.min(tileHeight, height);
  const rgba = Buffer.alloc(outWidth * outHeight * 4);
  const inkAlpha = args.opacity / 255;
  const haloAlpha = (args.opacity * HALO_ALPHA_RATIO) / 255;
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const t = y * tileWidth + x;
      if (haloTile[t] === 0) continue;
      const ai = inkTile[t] * inkAlpha;
      const ah = haloTile[t] * haloAlpha * (1 - ai);
      const a = ai + ah;
      const o = (y * outWidth + x) * 4;
      rgba[o] = Math.round((INK.r * ai + HALO.r * ah) / a);
      rgba[o + 1] = Math.round((INK.g * ai + HALO.g * ah) / a);
      rgba[o + 2] = Math.round((INK.b * ai + HALO.b * ah) / a);
      rgba[o + 3] = Math.round(a * 255);
    }
  }
  return { data: rgba, width: outWidth, height: outHeight };
}

/** A copy of a 1-band mask with `pad` empty pixels on every side (room for halo and rotation). */
function padMask(mask: Raw, pad: number): Raw {
  const width = mask.width + 2 * pad;
  const height = mask.height + 2 * pad;
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < mask.height; y++) {
    mask.data.copy(data, (y + pad) * width + pad, y * mask.width, (y + 1) * mask.width);
  }
  return { data, width, height };
}

/** Max filter over a (2r+1)² square, as two 1-D passes. */
function dilate(mask: Raw, r: number): Raw {
  const { width, height } = mask;
  const across = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let k = Math.max(0, x - r), end = Math.min(width - 1, x + r); k <= end; k++) {
        if (mask.data[row + k] > m) m = mask.data[row + k];
      }
      across[row + x] = m;
    }
  }
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let k = Math.max(0, y - r), end = Math.min(height - 1, y + r); k <= end; k++) {
        if (across[k * width + x] > m) m = across[k * width + x];
      }
      data[y * width + x] = m;
    }
  }
  return { data, width, height };
}
