/**
 * Does the photo show something shaped like an ID-1 card (ISO/IEC 7810: 85.60 x 53.98 mm, ratio
 * ~1.586)? The resident photographs the card lying on something, so the ratio of the *photo* says
 * nothing; we first separate the card from the background, then measure the separated shape.
 *
 * How: on a small greyscale copy, the background level is the median of the image border (the
 * border is where a card on a table is not); pixels that differ from it by more than a contrast
 * threshold are "card". Rows/columns with only a few such pixels are dropped (noise, shadows),
 * holes inside the shape are filled row- and column-wise (a card is convex; its print may match the
 * background), and the aspect ratio is taken from the shape's second moments. For a filled
 * rectangle the moments give exactly its side ratio whatever its rotation, so a card lying at an
 * angle measures the same as a straight one (a bounding box would inflate it).
 *
 * Honest limits: this is a plausibility check meant to catch the wrong thing (a screenshot, a full
 * A4 page, a cropped strip, the card too far away to separate), not proof that a card is present.
 * It is fooled or fails on: a card on a background of similar brightness (white card on a white
 * sheet), busy or patterned backgrounds, a border that is not background (the card cut off by the
 * frame, fingers or a shadow along an edge), strong perspective (the phone tilted well over ~25°),
 * and any card-shaped object. Hence a tolerance rather than an exact match, and a steward still
 * looks at every document.
 */
export const ID1_ASPECT_RATIO = 85.6 / 53.98;

/**
 * Relative tolerance either side of 1.586: passes ~1.44..1.74. Foreshortening from a phone tilted
 * by t shortens one side by cos(t), so this allows ~24° of tilt, while an A4 page or a passport page
 * (1.41-1.42), a 4:3 photo (1.33) and a 16:9 screenshot (1.78) fall outside.
 */
export const DEFAULT_ASPECT_TOLERANCE = 0.1;

/** Greyscale levels (0-255) a pixel must differ from the background to count as the card. */
export const DEFAULT_CARD_CONTRAST = 28;

export interface PixelBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface CardShape {
  /** Long side over short side of the separated shape (>= 1). */
  readonly aspectRatio: number;
  /** Axis-aligned box around the shape, in the coordinates of the image that was measured. */
  readonly box: PixelBox;
  /** Share of the image the shape covers, 0..1. */
  readonly coverage: number;
}

/** A row or column belongs to the shape when at least this share of its pixels differ. */
const MIN_LINE_SHARE = 0.08;
/** Below this share of the image there is nothing to measure (blank photo, object too far away). */
const MIN_COVERAGE = 0.02;

/**
 * Measures the card-like shape in a one-channel 8-bit image (the caller downsizes; ~256 px wide is
 * plenty). Undefined when no shape stands out from the background.
 */
export function measureCardShape(
  grey: Uint8Array,
  width: number,
  height: number,
  contrast = DEFAULT_CARD_CONTRAST,
): CardShape | undefined {
  if (width < 8 || height < 8) return undefined;
  const background = borderMedian(grey, width, height);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.abs(grey[i] - background) > contrast ? 1 : 0;

  const cols = span(width, (x) => countColumn(mask, width, height, x) >= MIN_LINE_SHARE * height);
  const rows = span(height, (y) => countRow(mask, width, y) >= MIN_LINE_SHARE * width);
  if (!cols || !rows) return undefined;

  const filled = fillConvex(mask, width, rows, cols);
  const moments = secondMoments(filled, width, rows, cols);
  if (moments.count < MIN_COVERAGE * width * height) return undefined;

  const { sxx, syy, sxy } = moments;
  const half = (sxx + syy) / 2;
  const spread = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy ** 2);
  const major = half + spread;
  const minor = half - spread;
  if (minor <= 0) return undefined;
  return {
    aspectRatio: Math.sqrt(major / minor),
    box: { left: cols[0], top: rows[0], width: cols[1] - cols[0] + 1, height: rows[1] - rows[0] + 1 },
    coverage: moments.count / (width * height),
  };
}

export function matchesCardAspect(
  shape: CardShape | undefined,
  tolerance = DEFAULT_ASPECT_TOLERANCE,
): boolean {
  if (!shape) return false;
  return (
    shape.aspectRatio >= ID1_ASPECT_RATIO / (1 + tolerance) &&
    shape.aspectRatio <= ID1_ASPECT_RATIO * (1 + tolerance)
  );
}

function borderMedian(grey: Uint8Array, width: number, height: number): number {
  const histogram = new Uint32Array(256);
  let n = 0;
  for (let x = 0; x < width; x++) {
    histogram[grey[x]]++;
    histogram[grey[(height - 1) * width + x]]++;
    n += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    histogram[grey[y * width]]++;
    histogram[grey[y * width + width - 1]]++;
    n += 2;
  }
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen * 2 >= n) return level;
  }
  return 255;
}

function countColumn(mask: Uint8Array, width: number, height: number, x: number): number {
  let n = 0;
  for (let y = 0; y < height; y++) n += mask[y * width + x];
  return n;
}

function countRow(mask: Uint8Array, width: number, y: number): number {
  let n = 0;
  for (let x = 0; x < width; x++) n += mask[y * width + x];
  return n;
}

/** First and last index that qualifies. */
function span(length: number, qualifies: (i: number) => boolean): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < length; i++) {
    if (qualifies(i)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? undefined : [first, last];
}

/** Inside the box: a pixel is shape when it lies between shape pixels both in its row and its column. */
function fillConvex(
  mask: Uint8Array,
  width: number,
  rows: [number, number],
  cols: [number, number],
): Uint8Array {
  const rowFill = new Uint8Array(mask.length);
  for (let y = rows[0]; y <= rows[1]; y++) {
    const fromTo = span(cols[1] - cols[0] + 1, (i) => mask[y * width + cols[0] + i] === 1);
    if (fromTo) for (let x = cols[0] + fromTo[0]; x <= cols[0] + fromTo[1]; x++) rowFill[y * width + x] = 1;
  }
  const filled = new Uint8Array(mask.length);
  for (let x = cols[0]; x <= cols[1]; x++) {
    const fromTo = span(rows[1] - rows[0] + 1, (i) => mask[(rows[0] + i) * width + x] === 1);
    if (!fromTo) continue;
    for (let y = rows[0] + fromTo[0]; y <= rows[0] + fromTo[1]; y++)
      filled[y * width + x] = rowFill[y * width + x];
  }
  return filled;
}

function secondMoments(filled: Uint8Array, width: number, rows: [number, number], cols: [number, number]) {
  let count = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let y = rows[0]; y <= rows[1]; y++) {
    for (let x = cols[0]; x <= cols[1]; x++) {
      if (!filled[y * width + x]) continue;
      count++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
  }
  if (count === 0) return { count, sxx: 0, syy: 0, sxy: 0 };
  const mx = sx / count;
  const my = sy / count;
  return { count, sxx: sxx / count - mx * mx, syy: syy / count - my * my, sxy: sxy / count - mx * my };
}
