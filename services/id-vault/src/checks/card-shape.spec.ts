import sharp from 'sharp';
import { ID1_ASPECT_RATIO, matchesCardAspect, measureCardShape } from './card-shape';
import { seededRandom } from './fixtures/synthetic-images';

/** A grey plane with a lighter rectangle, optionally rotated, plus noise, measured at 256 px wide. */
async function rectangleOnTable(rectWidth: number, rectHeight: number, angle = 0, width = 256, height = 192) {
  const rect = await sharp({
    create: { width: rectWidth, height: rectHeight, channels: 4, background: '#f0ece0' },
  })
    .rotate(angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer();
  const meta = await sharp(rect).metadata();
  const { data, info } = await sharp({ create: { width, height, channels: 3, background: '#505a64' } })
    .composite([
      {
        input: rect,
        left: Math.round((width - meta.width!) / 2),
        top: Math.round((height - meta.height!) / 2),
      },
    ])
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const random = seededRandom(angle + rectWidth);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.max(0, Math.min(255, data[i] + Math.round((random() - 0.5) * 16)));
  return { data, width: info.width, height: info.height };
}

describe('card shape', () => {
  it('measures an ID-1 card on a table, in either orientation and at an angle', async () => {
    for (const [w, h, angle] of [
      [158, 100, 0],
      [100, 158, 0],
      [150, 95, 15],
      [140, 88, 40],
    ]) {
      const image = await rectangleOnTable(w, h, angle);
      const shape = measureCardShape(image.data, image.width, image.height);
      expect(shape?.aspectRatio).toBeCloseTo(ID1_ASPECT_RATIO, 1);
      expect(matchesCardAspect(shape)).toBe(true);
    }
  });

  it('finds the box of the card', async () => {
    const image = await rectangleOnTable(158, 100);
    const shape = measureCardShape(image.data, image.width, image.height)!;
    expect(Math.abs(shape.box.left - 49)).toBeLessThanOrEqual(1);
    expect(Math.abs(shape.box.top - 46)).toBeLessThanOrEqual(1);
    expect(Math.abs(shape.box.width - 158)).toBeLessThanOrEqual(2);
    expect(shape.coverage).toBeCloseTo((158 * 100) / (256 * 192), 1);
  });

  it('refuses a tall strip, a square and an A4 page', async () => {
    for (const [w, h] of [
      [30, 170],
      [120, 120],
      [120, 170], // A4: 1.414
    ]) {
      const image = await rectangleOnTable(w, h);
      const shape = measureCardShape(image.data, image.width, image.height);
      expect(shape).toBeDefined();
      expect(matchesCardAspect(shape)).toBe(false);
    }
  });

  it('finds nothing in a blank photo, which does not pass', async () => {
    const image = await rectangleOnTable(1, 1);
    expect(measureCardShape(image.data, image.width, image.height)).toBeUndefined();
    expect(matchesCardAspect(undefined)).toBe(false);
  });

  it('takes the tolerance from the caller', async () => {
    const image = await rectangleOnTable(170, 100); // 1.70
    const shape = measureCardShape(image.data, image.width, image.height);
    expect(matchesCardAspect(shape)).toBe(true);
    expect(matchesCardAspect(shape, 0.05)).toBe(false);
  });
});
