/**
 * The font of the relay watermark, and the checks that keep a tofu watermark (□□□ boxes instead
 * of 仅供…清关使用) from ever going out.
 *
 * Why so careful: Pango never fails on a missing font. Given a `fontfile` that does not exist
 * sharp renders without complaint, fontconfig substitutes a default font and every Chinese
 * character becomes a hex box — a watermark that restricts nothing, discovered by a customs
 * broker, not by us. Hence three checks, each against a different failure:
 *  1. at start (`loadWatermarkFont`): the shipped file is found and is an OpenType font; its
 *     family name is read from the file itself, so the Pango font description cannot drift from
 *     the file (the family inside NotoSansHans-Medium.otf is "Noto Sans S Chinese", not the
 *     "Noto Sans Hans" of its file name — a description naming the latter silently renders
 *     Latin and digits in DejaVu);
 *  2. per text (`assertCovers`): every character is in the font's cmap, read with a minimal
 *     parser of the two cmap formats CJK OpenType fonts use (4 and 12). Exact, cheap after the
 *     first call, and it can name the missing code points (carrier names and waybills are not
 *     personal data) — so an unusual carrier name fails loudly;
 *  3. once per process (`assertRendersRealGlyphs`): a render self-test proving that Pango really
 *     draws glyphs from this file — probe characters are rendered with font fallback disabled and
 *     compared with characters that exist in no font (they always render as tofu). The cmap says
 *     what the file could draw; this says what Pango does draw.
 * fontkit/opentype.js are not dependencies; the cmap parser is ~60 lines and reads ~0.1 MB of
 * the 8 MB file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { locateShippedCjkFont, ShippedFontError } from '@portico/images';
import sharp from 'sharp';

export class WatermarkFontError extends Error {
  override readonly name = 'WatermarkFontError';
}

/** Medium: heavy enough to survive JPEG compression at 35 % alpha, light enough not to blot. */
export const DEFAULT_FONT_FILE = 'NotoSansHans-Medium.otf';

/** The shipped font's path (see @portico/images), as a WatermarkFontError when it is missing. */
export function locateShippedFont(fileName: string = DEFAULT_FONT_FILE): string {
  try {
    return locateShippedCjkFont(fileName);
  } catch (error) {
    if (error instanceof ShippedFontError) throw new WatermarkFontError(`watermark ${error.message}`);
    throw error;
  }
}

export interface WatermarkFont {
  readonly file: string;
  /** Family as fontconfig knows it (from the file's name table). */
  readonly family: string;
  /**
   * Pango font description for `size` points (= pixels at dpi 72). Points, not px: sharp's
   * fit-to-box scales the text through the dpi, which an absolute px size would ignore.
   */
  description(size: number): string;
  /** Code points of `text` the font has no glyph for ('\n' is no glyph; other controls count as missing). */
  missingCodePoints(text: string): number[];
  /** Throws a WatermarkFontError naming the code points the font cannot draw. */
  assertCovers(text: string): void;
}

/**
 * Load and validate a font file (default: the shipped Noto Sans Hans Medium). Synchronous and
 * meant to run at service start, so a broken deployment fails before taking traffic.
 */
export function loadWatermarkFont(file: string = locateShippedFont()): WatermarkFont {
  let cmap: CodePointRanges;
  let family: string;
  try {
    const reader = new FontFileReader(file);
    try {
      cmap = reader.readCmap();
      family = reader.readFamilyName();
    } finally {
      reader.close();
    }
  } catch (error) {
    if (error instanceof WatermarkFontError) throw error;
    throw new WatermarkFontError(`watermark font ${file} is unreadable: ${(error as Error).message}`);
  }
  // A comma ends Pango's family list, so a family name ending in a word like "Bold" or a
  // number is never mistaken for a style or the size.
  const description = (size: number) => `${family}, ${Math.max(1, Math.round(size))}`;
  const missingCodePoints = (text: string) => {
    const missing = new Set<number>();
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      if (cp === 0x0a) continue;
      // Control characters are mapped in some fonts' cmaps (Noto's maps U+0000–U+001F) but are
      // never meant to be drawn: counted as missing, as fontconfig does.
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || !cmap.has(cp)) missing.add(cp);
    }
    return [...missing];
  };
  return {
    file,
    family,
    description,
    missingCodePoints,
    assertCovers(text: string) {
      const missing = missingCodePoints(text);
      if (missing.length > 0) {
        throw new WatermarkFontError(
          `watermark font ${family} has no glyph for ${missing.map(formatCodePoint).join(', ')} — not rendering boxes`,
        );
      }
    },
  };
}

let shipped: WatermarkFont | undefined;
/** The shipped font, loaded once per process. */
export function shippedWatermarkFont(): WatermarkFont {
  shipped ??= loadWatermarkFont();
  return shipped;
}

/** Characters of the fixed watermark template: the ones every watermark needs. */
export const PROBE_TEXT = '仅供包裹清关使用';
/**
 * Code points no font has (unassigned: holes in the Greek block since Unicode 1.1, and the
 * unallocated range U+2FE0–2FEF), so Pango always draws them as tofu boxes. Eight each, four hex
 * digits each, and at every position the two strings show different digits — see rendersAsTofu.
 */
const NEVER_IN_A_FONT = [
  '\u0378\u0379\u0380\u0381\u0382\u0383\u038b\u038d',
  '\u2fe0\u2fe1\u2fe2\u2fe3\u2fe4\u2fe5\u2fe6\u2fe7',
];

const verified = new WeakSet<WatermarkFont>();
/**
 * Render self-test (check 3 of the module comment): throws if Pango draws `probe` as tofu with
 * this font. Remembered per font object, so it costs a few small renders once per process.
 */
export async function assertRendersRealGlyphs(
  font: WatermarkFont,
  probe: string = PROBE_TEXT,
): Promise<void> {
  if (verified.has(font)) return;
  if (await rendersAsTofu(font, probe)) {
    throw new WatermarkFontError(
      `watermark font ${font.family} (${font.file}) renders "${probe}" as missing-glyph boxes — is the family name right and the file loadable by fontconfig?`,
    );
  }
  verified.add(font);
}

/**
 * True if `probe` (1–8 BMP characters) renders as missing-glyph boxes with this font.
 *
 * How: Pango draws every missing BMP character as the same box frame around four tiny hex digits.
 * Rendering two never-in-a-font strings whose digits differ at every position and keeping only
 * the pixels inked in both leaves the box frames. The probe — rendered the same way, font
 * fallback disabled so no other installed font can stand in — is tofu if it has the tofu strings'
 * exact dimensions and inks most of that frame. Measured at 32 px: tofu probes ink 84–88 % of
 * the frame; real Noto glyphs differ in size already, and ink 25–50 % even when forced onto the
 * same grid (enclosed characters such as 国回图围 are the worst case, at 50 %).
 */
export async function rendersAsTofu(font: WatermarkFont, probe: string): Promise<boolean> {
  const chars = [...probe];
  if (chars.length === 0 || chars.length > 8 || chars.some((c) => (c.codePointAt(0) as number) > 0xffff)) {
    throw new RangeError('probe must be 1-8 BMP characters');
  }
  const render = async (text: string) => {
    const markup = `<span fallback="false">${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</span>`;
    const { data, info } = await sharp({
      text: { text: markup, font: font.description(32), fontfile: font.file, dpi: 72 },
    })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  };
  const [glyphs, tofuA, tofuB] = await Promise.all([
    render(probe),
    render(NEVER_IN_A_FONT[0].slice(0, chars.length)),
    render(NEVER_IN_A_FONT[1].slice(0, chars.length)),
  ]);
  const sameSize = (a: typeof glyphs, b: typeof glyphs) => a.width === b.width && a.height === b.height;
  if (!sameSize(tofuA, tofuB))
    throw new WatermarkFontError('tofu reference renders differ in size; cannot judge glyphs');
  if (!sameSize(glyphs, tofuA)) return false;
  let frame = 0;
  let inked = 0;
  for (let i = 0; i < glyphs.data.length; i++) {
    if (tofuA.data[i] >= 128 && tofuB.data[i] >= 128) {
      frame += 1;
      if (glyphs.data[i] >= 128) inked += 1;
    }
  }
  return frame > 0 && inked / frame >= 0.7;
}

export function formatCodePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}


/** Sorted, non-overlapping [first, last] ranges of mapped code points (glyph id ≠ 0). */
class CodePointRanges {
  constructor(private readonly ranges: Array<[number, number]>) {}
  has(cp: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [first, last] = this.ranges[mid];
      if (cp < first) hi = mid - 1;
      else if (cp > last) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

/**
 * Just enough OpenType (ISO/IEC 14496-22 / the OpenType spec's "cmap" and "name" chapters) to
 * answer "which code points have a glyph" and "what is the family called". Reads the tables it
 * needs with positioned reads instead of loading the whole file.
 */
class FontFileReader {
  private readonly fd: number;
  private readonly tables = new Map<string, { offset: number; length: number }>();

  constructor(private readonly file: string) {
    this.fd = openSync(file, 'r');
    const header = this.read(0, 12);
    const version = header.readUInt32BE(0);
    // 'OTTO' = CFF outlines (the Noto CJK files), 0x00010000 / 'true' = TrueType outlines.
    if (version !== 0x4f54544f && version !== 0x00010000 && version !== 0x74727565) {
      this.close();
      throw new WatermarkFontError(
        `${file} is not an OpenType/TrueType font (a collection or another format?)`,
      );
    }
    const numTables = header.readUInt16BE(4);
    const directory = this.read(12, numTables * 16);
    for (let i = 0; i < numTables; i++) {
      const record = i * 16;
      this.tables.set(directory.toString('latin1', record, record + 4), {
        offset: directory.readUInt32BE(record + 8),
        length: directory.readUInt32BE(record + 12),
      });
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  readCmap(): CodePointRanges {
    const cmap = this.table('cmap');
    const subtables = new Map<string, number>();
    for (let i = 0, n = cmap.readUInt16BE(2); i < n; i++) {
      const record = 4 + i * 8;
      subtables.set(
        `${cmap.readUInt16BE(record)}/${cmap.readUInt16BE(record + 2)}`,
        cmap.readUInt32BE(record + 4),
      );
    }
    // Prefer the full-Unicode subtables (format 12), then the BMP ones (format 4).
    for (const key of ['3/10', '0/4', '0/6', '3/1', '0/3']) {
      const offset = subtables.get(key);
      if (offset === undefined) continue;
      const format = cmap.readUInt16BE(offset);
      if (format === 12) return readFormat12(cmap, offset);
      if (format === 4) return readFormat4(cmap, offset);
    }
    throw new WatermarkFontError(`${this.file} has no Unicode cmap subtable of format 4 or 12`);
  }

  readFamilyName(): string {
    const name = this.table('name');
    const count = name.readUInt16BE(2);
    const storage = name.readUInt16BE(4);
    const found = new Map<number, string>();
    for (let i = 0; i < count; i++) {
      const record = 6 + i * 12;
      const [platform, encoding, language, nameId] = [0, 2, 4, 6].map((o) => name.readUInt16BE(record + o));
      // Windows, Unicode BMP, US English: the record every OpenType font must have.
      if (platform !== 3 || encoding !== 1 || language !== 0x409 || (nameId !== 1 && nameId !== 16)) continue;
      const start = storage + name.readUInt16BE(record + 10);
      const utf16be = Buffer.from(name.subarray(start, start + name.readUInt16BE(record + 8)));
      found.set(nameId, utf16be.swap16().toString('utf16le'));
    }
    // 16 = typographic family ("Noto Sans S Chinese"); 1 = legacy family, which for non-RIBBI
    // weights carries the weight ("Noto Sans S Chinese Medium"). fontconfig knows both; the
    // legacy one selects the right weight by itself.
    const family = found.get(1) ?? found.get(16);
    if (!family || /[,\\]/.test(family))
      throw new WatermarkFontError(`${this.file} has no usable family name`);
    return family;
  }

  private table(tag: string): Buffer {
    const entry = this.tables.get(tag);
    if (!entry) throw new WatermarkFontError(`${this.file} has no '${tag}' table`);
    return this.read(entry.offset, entry.length);
  }

  private read(position: number, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    const bytesRead = readSync(this.fd, buffer, 0, length, position);
    if (bytesRead !== length) throw new WatermarkFontError(`${this.file} is truncated`);
    return buffer;
  }
}

/** Format 12 (segmented coverage): groups of [startChar, endChar, startGlyphId]. */
function readFormat12(cmap: Buffer, offset: number): CodePointRanges {
  const ranges: Array<[number, number]> = [];
  for (let i = 0, n = cmap.readUInt32BE(offset + 12); i < n; i++) {
    const group = offset + 16 + i * 12;
    let first = cmap.readUInt32BE(group);
    const last = cmap.readUInt32BE(group + 4);
    if (cmap.readUInt32BE(group + 8) === 0) first += 1; // glyph 0 is .notdef: not a glyph
    if (first <= last) ranges.push([first, last]);
  }
  return new CodePointRanges(mergeRanges(ranges));
}

/**
 * Format 4 (segment mapping to delta values, BMP only). A code point in a segment may still map
 * to glyph 0 through the glyph id array, so segments with idRangeOffset ≠ 0 are checked per code point.
 */
function readFormat4(cmap: Buffer, offset: number): CodePointRanges {
  const segments = cmap.readUInt16BE(offset + 6) / 2;
  const endCodes = offset + 14;
  const startCodes = endCodes + segments * 2 + 2;
  const deltas = startCodes + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  const ranges: Array<[number, number]> = [];
  for (let s = 0; s < segments; s++) {
    const start = cmap.readUInt16BE(startCodes + s * 2);
    const end = cmap.readUInt16BE(endCodes + s * 2);
    const delta = cmap.readUInt16BE(deltas + s * 2);
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + s * 2);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const raw = cmap.readUInt16BE(rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) ranges.push([cp, cp]);
    }
  }
  return new CodePointRanges(mergeRanges(ranges));
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [first, last] of ranges) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}
