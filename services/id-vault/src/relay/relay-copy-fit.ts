import sharp from 'sharp';

/** Widths tried, largest first: a card photographed at 12 MP still reads well at 1,600 px. */
const WIDTHS = [2400, 2000, 1600, 1280, 1024] as const;

/**
 * The watermarked copy made to fit a carrier's size limit on the base64 of one image. The copy is
 * sent as it is when it fits; otherwise downscaled (the watermark is tiled across the whole image,
 * so a smaller copy still carries it everywhere) and re-encoded. Undefined when even the smallest
 * size does not fit: the caller refuses rather than send something unreadable.
 */
export async function fitJpegToBase64Limit(
  jpeg: Buffer,
  maxBase64Bytes: number,
): Promise<Buffer | undefined> {
  const maxBytes = Math.floor(maxBase64Bytes / 4) * 3;
  if (jpeg.length <= maxBytes) return jpeg;
  const { width = 0 } = await sharp(jpeg).metadata();
  for (const w of WIDTHS) {
    if (w >= width) continue;
    const smaller = await sharp(jpeg).resize({ width: w }).jpeg({ quality: 82 }).toBuffer();
    if (smaller.length <= maxBytes) return smaller;
  }
  return undefined;
}
