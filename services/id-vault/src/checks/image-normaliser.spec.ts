import sharp from 'sharp';
import { cardPhoto, pixelBombPng } from './fixtures/synthetic-images';
import { normaliseImage } from './image-normaliser';

// The generic intake (caps, type, bombs, truncation, rotation, metadata) is tested in
// libs/images/src/untrusted-image.spec.ts; here what id-vault adds on the same decoded pixels.
describe('image normaliser', () => {
  it('re-encodes an accepted image to a bounded, upright JPEG and measures it', async () => {
    const result = await normaliseImage(await cardPhoto({ width: 800, height: 600 }));
    if (!result.ok) throw new Error(result.code);
    expect(result.sourceType).toBe('jpeg');
    expect([...result.jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(await sharp(result.jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 800, height: 600 });
    expect(result.sharpness).toBeGreaterThan(0);
    expect(result.cardShape?.aspectRatio).toBeCloseTo(85.6 / 53.98, 1);
    // The card box is reported in the stored image's coordinates.
    expect(result.cardShape!.box.width).toBeGreaterThan(400);
  });

  it('passes the intake refusals through without measuring anything', async () => {
    expect(await normaliseImage(pixelBombPng(60_000, 60_000))).toEqual({ ok: false, code: 'too_many_pixels' });
  });
});
