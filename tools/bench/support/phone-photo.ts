// Synthetic "phone photos" of an ID card on a table, at phone resolutions and file sizes, for the
// vault benchmark. The checks' own fixture (services/id-vault/src/checks/fixtures/synthetic-images.ts,
// `cardPhoto`) is sized for unit tests: fixed JPEG quality and noise, so its file size cannot be
// steered; this one is built the same way (a card of printed-like detail on a plain, noisy table,
// no real person's document) but with lighting, sensor noise over the whole frame and a JPEG quality
// searched for to land on a target file size. Deterministic for a given seed.
import sharp from 'sharp';
import { seededRandom } from '../../../services/id-vault/src/checks/fixtures/synthetic-images';

export interface PhonePhotoOptions {
  readonly width: number;
  readonly height: number;
  /** Wanted file size in bytes; the JPEG quality is searched for to come close (within ~5%). */
  readonly targetBytes: number;
  /** Sigma-ish amplitude of per-pixel sensor noise, grey levels. More noise, more bytes per quality step. */
  readonly noise: number;
  /** Which side of the card (front: photo block and text; back: emblem and text). */
  readonly side: 'front' | 'back';
  readonly seed: number;
  /** Degrees the card lies rotated on the table. */
  readonly angle?: number;
}

export interface PhonePhoto {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  readonly quality: number;
}

/** ID-1 card (85.60 x 53.98 mm) artwork as SVG: border, photo or emblem, lines of text-like bars. */
function cardSvg(width: number, height: number, side: 'front' | 'back', seed: number): string {
  const random = seededRandom(seed);
  const parts = [
    `<rect x="0" y="0" width="${width}" height="${height}" rx="${width * 0.04}" fill="#f1ede2"/>`,
    // the faint security print of a real card: thin wavy lines over the whole face
    ...Array.from({ length: 40 }, (_, i) => {
      const y = (height * (i + 0.5)) / 40;
      const amp = height * 0.01;
      return `<path d="M0 ${y} Q ${width / 4} ${y - amp} ${width / 2} ${y} T ${width} ${y}" stroke="#d9cfc0" stroke-width="${Math.max(1, width / 900)}" fill="none"/>`;
    }),
  ];
  if (side === 'front') {
    parts.push(
      `<rect x="${width * 0.64}" y="${height * 0.14}" width="${width * 0.28}" height="${height * 0.6}" fill="#7a6a5a"/>`,
    );
  } else {
    parts.push(
      `<circle cx="${width * 0.16}" cy="${height * 0.24}" r="${height * 0.13}" fill="#b8322a"/>`,
      `<circle cx="${width * 0.16}" cy="${height * 0.24}" r="${height * 0.07}" fill="#e8c84a"/>`,
    );
  }
  const textRight = side === 'front' ? 0.58 : 0.92;
  for (let line = 0; line < 7; line++) {
    let x = width * (side === 'front' ? 0.06 : 0.32);
    const y = height * (side === 'front' ? 0.12 + line * 0.11 : 0.5 + line * 0.065);
    if (y > height * 0.92) break;
    while (x < width * textRight) {
      const w = width * (0.01 + random() * 0.03);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(height * (side === 'front' ? 0.05 : 0.035)).toFixed(1)}" fill="#202020"/>`,
      );
      x += w + width * 0.008;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The photo's pixels before encoding: table with uneven light, the card, sensor noise over all of it. */
async function photoPixels(o: PhonePhotoOptions): Promise<Buffer> {
  const { width, height } = o;
  const cardWidth = Math.round(width * 0.55);
  const cardHeight = Math.round(cardWidth / (85.6 / 53.98));
  let card = await sharp(Buffer.from(cardSvg(cardWidth, cardHeight, o.side, o.seed)))
    .png()
    .toBuffer();
  card = await sharp(card)
    .rotate(o.angle ?? 3, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer();
  const cardMeta = await sharp(card).metadata();

  // Table: a blue-grey surface with a faint wood-like grain (so the downscaled photo is not flat),
  // lit from one corner (a smooth gradient, as room light gives). The grain stays well inside the
  // card-shape check's background contrast.
  const table = Buffer.alloc(width * height * 3);
  const base = [90, 100, 112];
  const scale = 4032 / width;
  for (let y = 0; y < height; y++) {
    const warp = 9 * Math.sin(y * scale * 0.0031);
    for (let x = 0; x < width; x++) {
      const light = 1.12 - 0.24 * ((x / width + y / height) / 2);
      const grain = 5 * Math.sin((y * scale + 40 * Math.sin(x * scale * 0.002)) * 0.045 + warp);
      const i = (y * width + x) * 3;
      table[i] = base[0]! * light + grain;
      table[i + 1] = base[1]! * light + grain;
      table[i + 2] = base[2]! * light + grain * 0.8;
    }
  }
  const composed = await sharp(table, { raw: { width, height, channels: 3 } })
    .composite([
      {
        input: card,
        left: Math.round((width - (cardMeta.width ?? 0)) / 2),
        top: Math.round((height - (cardMeta.height ?? 0)) / 2),
      },
    ])
    // a phone lens is not a vector renderer: a touch of softness
    .blur(0.7)
    .removeAlpha()
    .raw()
    .toBuffer();
  if (composed.length !== width * height * 3) throw new Error('phone photo: expected 3-channel pixels');
  const random = seededRandom(o.seed * 7919);
  for (let i = 0; i < composed.length; i++) {
    // sum of two uniforms: a triangular, roughly Gaussian noise
    const n = (random() + random() - 1) * o.noise;
    composed[i] = Math.max(0, Math.min(255, Math.round(composed[i]! + n)));
  }
  return composed;
}

/** A JPEG phone photo whose size is close to `targetBytes` (quality searched between 50 and 100). */
export async function phonePhoto(o: PhonePhotoOptions): Promise<PhonePhoto> {
  const pixels = await photoPixels(o);
  const encode = (quality: number) =>
    sharp(pixels, { raw: { width: o.width, height: o.height, channels: 3 } })
      // what phone cameras write: baseline JPEG, 4:2:0, no mozjpeg tricks
      .jpeg({ quality, chromaSubsampling: '4:2:0' })
      .toBuffer();
  let low = 50;
  let high = 100;
  let best: PhonePhoto | undefined;
  while (low <= high) {
    const quality = Math.floor((low + high) / 2);
    const jpeg = await encode(quality);
    if (!best || Math.abs(jpeg.length - o.targetBytes) < Math.abs(best.jpeg.length - o.targetBytes)) {
      best = { jpeg, width: o.width, height: o.height, quality };
    }
    if (Math.abs(jpeg.length - o.targetBytes) <= o.targetBytes * 0.03) break;
    if (jpeg.length < o.targetBytes) low = quality + 1;
    else high = quality - 1;
  }
  return best!;
}
