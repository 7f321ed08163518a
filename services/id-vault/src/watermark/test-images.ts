/**
 * Synthetic input images for the watermark tests and samples. No real document, no real person:
 * the "card" is drawn from rectangles and neutral placeholder text.
 */
import sharp from 'sharp';

/** A plain white JPEG: every pixel the watermark touches shows. */
export function whiteJpeg(width = 2000, height = 1260): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/**
 * An ID-card-like JPEG with the areas a watermark must read on: a dark header band, a dark
 * photo box, a light body with small black print, a mid-tone stripe, a dark machine-readable zone.
 */
export function syntheticCardJpeg(width = 2000, height = 1260): Promise<Buffer> {
  const lines = Array.from({ length: 6 }, (_, i) => {
    const y = 420 + i * 95;
    return `<text x="760" y="${y}" font-family="DejaVu Sans" font-size="46" fill="#111">FIELD ${i + 1}: SAMPLE VALUE ${String(1000 + i * 137)}</text>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 2000 1260">
    <rect width="2000" height="1260" fill="#f3efe4"/>
    <rect width="2000" height="230" fill="#1f3a5f"/>
    <text x="80" y="150" font-family="DejaVu Sans" font-size="90" font-weight="bold" fill="#ffffff">SPECIMEN IDENTITY CARD</text>
    <rect x="90" y="320" width="560" height="720" fill="#3a3a3a"/>
    <circle cx="370" cy="560" r="150" fill="#8a8a8a"/>
    <rect x="170" y="740" width="400" height="260" rx="120" fill="#8a8a8a"/>
    ${lines}
    <rect x="0" y="1000" width="2000" height="40" fill="#b08d57"/>
    <rect x="0" y="1080" width="2000" height="180" fill="#0d0d0d"/>
    <text x="80" y="1190" font-family="DejaVu Sans Mono" font-size="64" fill="#e8e8e8">IDXXX&lt;&lt;SAMPLE&lt;&lt;CARD&lt;&lt;&lt;&lt;0123456789&lt;&lt;&lt;</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
}
