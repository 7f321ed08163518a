/**
 * The words of the relay watermark: 仅供 <carrier> 包裹 <waybill> 清关使用, plus an English line.
 *
 * The carrier name and the waybill number come from other systems (carrier master data, the
 * carrier's own booking message), so they are treated as untrusted: sharp renders text through
 * Pango *markup*, where `<span …>` can change colour, size or alpha (i.e. make the watermark
 * invisible) and a stray `&` or `<` makes the whole render fail. Two layers of defence:
 *  1. here, a whitelist of characters per field — anything else is refused, not silently dropped,
 *     so a bad master-data entry is noticed and fixed rather than relayed with an odd watermark;
 *  2. in watermark.ts, every character that means something in markup is escaped right before
 *     the string becomes markup (`escapeMarkup`), because the whitelist deliberately allows `&`
 *     (J&T Express) and `'` (carrier names with apostrophes).
 *
 * Why a second, English line: documents are relayed to international carriers (DHL Express,
 * FedEx, UPS) and customs brokers abroad whose staff may not read Chinese. A restriction that the
 * recipient cannot read deters nobody. The English line is smaller, so the Chinese text (the one
 * Chinese customs expects) stays dominant and the extra ink barely affects legibility.
 */

export class WatermarkTextError extends Error {
  override readonly name = 'WatermarkTextError';
}

export interface WatermarkTextInput {
  /** Carrier display name, e.g. 顺丰速运, "DHL Express", "J&T Express". */
  carrier: string;
  /** Waybill / tracking number, e.g. SF1234567890, 1Z999AA10123456784, JD0001-234. */
  waybill: string;
  /** Add the English line (default true, see the module comment). */
  english?: boolean;
}

/** Waybills: letters and digits with a few separators carriers really use; 4–40 characters. */
const WAYBILL = /^[A-Za-z0-9](?:[A-Za-z0-9 ./_-]{2,38})[A-Za-z0-9]$/;

/**
 * Carrier names: letters (any script — Han for 顺丰速运, Latin for DHL), digits, spaces and a small
 * set of punctuation seen in real carrier names (J&T, S.F., Cainiao·菜鸟, "Royal Mail (UK)").
 * Notably absent: `<`, `>`, `"`, control and format characters (U+202E RIGHT-TO-LEFT OVERRIDE
 * could visually reverse the waybill), emoji. Whether the font actually has the glyphs is a
 * separate check (watermark-font.ts), done against the font's own character map.
 */
const CARRIER = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M} &'.,·()-]{0,38}[\p{L}\p{N}\p{M}.)])?$/u;

/** Normalise, validate and return the watermark text: one line per language, joined by '\n'. */
export function buildWatermarkText(input: WatermarkTextInput): string {
  const carrier = cleanCarrier(input.carrier);
  const waybill = cleanWaybill(input.waybill);
  const lines = [`仅供 ${carrier} 包裹 ${waybill} 清关使用`];
  if (input.english ?? true) lines.push(`For customs clearance of ${carrier} parcel ${waybill} only`);
  return lines.join('\n');
}

export function cleanWaybill(raw: string): string {
  // NFKC folds full-width letters and digits (ＳＦ１２３, typed on a Chinese IME) to ASCII.
  const waybill = collapseSpaces(raw.normalize('NFKC'));
  if (!WAYBILL.test(waybill)) {
    // The waybill is not personal data, but an injected string could be arbitrarily long: cut it.
    throw new WatermarkTextError(
      `waybill must be 4-40 letters/digits with . / _ - or space, got ${quote(waybill)}`,
    );
  }
  return waybill;
}

export function cleanCarrier(raw: string): string {
  // NFKC: full-width Latin (ＤＨＬ) and full-width parentheses become their ASCII forms, so the
  // whitelist below need not list both; CJK compatibility ideographs become the unified ones.
  const carrier = collapseSpaces(raw.normalize('NFKC'));
  if (!CARRIER.test(carrier)) {
    throw new WatermarkTextError(
      `carrier name must be 1-40 letters/digits with spaces and & ' . , · ( ) -, got ${quote(carrier)}`,
    );
  }
  return carrier;
}

/**
 * Escape text for Pango markup (also valid for XML/SVG). Applied by watermark.ts to whatever text
 * it is given, so a caller that bypasses buildWatermarkText still cannot inject markup.
 */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => MARKUP_ENTITIES[c] ?? c);
}

const MARKUP_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function collapseSpaces(s: string): string {
  return s.replace(/\s+/gu, ' ').trim();
}

/** For error messages: JSON-quoted so control characters are visible, cut to stay short. */
function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
