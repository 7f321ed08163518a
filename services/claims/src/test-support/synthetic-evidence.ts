// Synthetic evidence files for claims' tests: a phone-like photo with EXIF orientation and GPS, a
// PDF invoice written by pdfkit, and a hand-written PDF skeleton to inject objects into. Made on the
// fly with sharp and pdfkit, so the tests carry no binary fixtures (and no real person's data).
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import { MIN_PDF_BYTES } from '../evidence/value-proof-pdf';

/** GPS that must never survive intake (Shanghai, People's Square). */
export const SEEDED_GPS = { latitude: '31/1 13/1 48/1', longitude: '121/1 28/1 30/1' };
export const SEEDED_CAMERA = 'SeededCamMaker';

/**
 * Landscape pixels, red left half and blue right half, stored with orientation 6 ("display rotated
 * 90° clockwise") and EXIF with camera make and GPS: upright, the red half is on top.
 */
export async function phonePhotoWithExif(width = 600, height = 400): Promise<Buffer> {
  const half = await sharp({ create: { width: width / 2, height, channels: 3, background: '#0000ff' } }).png().toBuffer();
  const pixels = await sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
    .composite([{ input: half, left: width / 2, top: 0 }])
    .png()
    .toBuffer();
  return sharp(pixels)
    .withExif({
      IFD0: { Make: SEEDED_CAMERA, Model: 'Seeded-Model-Serial-42' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: SEEDED_GPS.latitude,
        GPSLongitudeRef: 'E',
        GPSLongitude: SEEDED_GPS.longitude,
      },
    })
    .withMetadata({ orientation: 6 }) // sharp writes its own Orientation tag: set it here, not in IFD0
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A one-page invoice as an invoicing tool writes it (pdfkit: compressed streams, xref, trailer). */
export function invoicePdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A5', info: { CreationDate: new Date('2026-11-30T00:00:00Z') } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.fontSize(18).text('INVOICE 2026-1130-007');
  doc.fontSize(11).text('1 x Ceramic tea set ........ CNY 1,280.00');
  doc.end();
  return done;
}

/** A minimal uncompressed PDF, `extra` inserted into the page dictionary (to plant active content). */
export function handWrittenPdf(extra = ''): Buffer {
  const text =
    '%PDF-1.7\n' +
    // Writers put a comment of high bytes here; padded so the file is past the too-small floor.
    `%\xe2\xe3\xcf\xd3${' '.repeat(MIN_PDF_BYTES)}\n` +
    '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    `3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]${extra}>>endobj\n` +
    'trailer<</Size 4/Root 1 0 R>>\n%%EOF\n';
  return Buffer.from(text, 'latin1');
}
