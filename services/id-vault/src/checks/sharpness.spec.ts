import sharp from 'sharp';
import { cardPhoto } from './fixtures/synthetic-images';
import { DEFAULT_MIN_SHARPNESS, isSharpEnough, laplacianVariance, measureSharpness } from './sharpness';

describe('sharpness (Laplacian variance)', () => {
  it('is zero on a flat image and exact on a one-pixel checkerboard, negative responses included', () => {
    expect(laplacianVariance(new Uint8Array(16 * 16).fill(77), 16, 16)).toBe(0);
    const board = new Uint8Array(16 * 16).map((_, i) =>
      ((i % 16) + Math.floor(i / 16)) % 2 === 0 ? 255 : 0,
    );
    // Each interior response is +-4*255 with mean 0: a clamping implementation would get a quarter of it.
    expect(laplacianVariance(board, 16, 16)).toBe(1020 ** 2);
    expect(laplacianVariance(new Uint8Array(4), 2, 2)).toBe(0);
  });

  it('passes a sharp card photo, fails the same photo blurred, and orders them', async () => {
    const [sharpPhoto, slightlyBlurred, blurred] = await Promise.all([
      cardPhoto({ width: 800, height: 600 }),
      cardPhoto({ width: 800, height: 600, blur: 1 }),
      cardPhoto({ width: 800, height: 600, blur: 6 }),
    ]);
    const [s0, s1, s6] = await Promise.all(
      [sharpPhoto, slightlyBlurred, blurred].map((p) => measureSharpness(p)),
    );
    expect(s0).toBeGreaterThan(s1);
    expect(s1).toBeGreaterThan(s6);
    expect(isSharpEnough(s0)).toBe(true);
    expect(isSharpEnough(s6)).toBe(false);
    expect(s6).toBeLessThan(DEFAULT_MIN_SHARPNESS / 5);
    // The threshold is the caller's to set.
    expect(isSharpEnough(s6, s6 - 1)).toBe(true);
  });

  it('measures a region when given one, at the fixed sample width whatever the input size', async () => {
    const half = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#777777' } })
      .composite([{ input: await noiseTile(200, 200), left: 200, top: 0 }])
      .png()
      .toBuffer();
    const flatPart = await measureSharpness(half, { left: 0, top: 0, width: 200, height: 200 });
    const noisyPart = await measureSharpness(half, { left: 200, top: 0, width: 200, height: 200 });
    expect(flatPart).toBeLessThan(1);
    expect(noisyPart).toBeGreaterThan(DEFAULT_MIN_SHARPNESS);
  });
});

async function noiseTile(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919 + (i >> 3) * 104729) % 251;
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}
