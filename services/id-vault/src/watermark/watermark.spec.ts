import sharp from 'sharp';
import { applyWatermark, prepareWatermark } from './watermark';
import {
  loadWatermarkFont,
  shippedWatermarkFont,
  WatermarkFontError,
  type WatermarkFont,
} from './watermark-font';
import { buildWatermarkText } from './watermark-text';
import { syntheticCardJpeg, whiteJpeg } from './test-images';

const TEXT = buildWatermarkText({ carrier: '顺丰速运', waybill: 'SF1234567890' });
const W = 2000;
const H = 1260;

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

async function grey(jpeg: Buffer): Promise<Grey> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** On a white input, a pixel darker than this carries watermark ink (JPEG noise stays above). */
const INKED = 235;

describe('applyWatermark', () => {
  let white: Buffer;
  let card: Buffer;
  let watermarkedWhite: Buffer;

  beforeAll(async () => {
    [white, card] = await Promise.all([whiteJpeg(W, H), syntheticCardJpeg(W, H)]);
    watermarkedWhite = await applyWatermark(white, { text: TEXT });
  });

  it('returns a valid JPEG of the same size, without the input metadata', async () => {
    expect(watermarkedWhite.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const meta = await sharp(watermarkedWhite).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: W, height: H, channels: 3 });
    expect(meta.exif).toBeUndefined();
    // and it decodes completely
    const { info } = await sharp(watermarkedWhite, { failOn: 'warning' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([W, H]);
  });

  it('marks every cell of a 4x4 grid', async () => {
    const img = await grey(watermarkedWhite);
    const cw = img.width / 4;
    const ch = img.height / 4;
    for (let row = 0; row < 4; row++) {
      for (let col = 0; col < 4; col++) {
        let inked = 0;
        for (let y = Math.round(row * ch); y < Math.round((row + 1) * ch); y++) {
          for (let x = Math.round(col * cw); x < Math.round((col + 1) * cw); x++) {
            if (img.data[y * img.width + x] < INKED) inked++;
          }
        }
        // 15-18 % of pixels carry ink in every cell; 3 % would already be a faint, patchy mark.
        expect({ row, col, share: inked / (cw * ch) > 0.03 }).toEqual({ row, col, share: true });
      }
    }
  });

  it('leaves no watermark-free strip or patch big enough to crop out', async () => {
    const img = await grey(watermarkedWhite);
    const inked = (x: number, y: number) => img.data[y * img.width + x] < INKED;
    // Every row and every column of pixels crosses ink somewhere: no clean straight crop.
    for (let y = 0; y < img.height; y++) {
      let any = false;
      for (let x = 0; x < img.width && !any; x++) any = inked(x, y);
      if (!any) throw new Error(`row ${y} has no watermark`);
    }
    for (let x = 0; x < img.width; x++) {
      let any = false;
      for (let y = 0; y < img.height && !any; y++) any = inked(x, y);
      if (!any) throw new Error(`column ${x} has no watermark`);
    }
    // Largest ink-free square (dynamic programming over the pixels): ~100 px at this size.
    let previous = new Int32Array(img.width);
    let current = new Int32Array(img.width);
    let largest = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        current[x] = inked(x, y)
          ? 0
          : x > 0 && y > 0
            ? Math.min(previous[x], current[x - 1], previous[x - 1]) + 1
            : 1;
        if (current[x] > largest) largest = current[x];
      }
      [previous, current] = [current, previous];
    }
    expect(largest).toBeLessThan(0.1 * Math.min(W, H));
  });

  it('keeps the document legible', async () => {
    const [before, after] = await Promise.all([grey(card), grey(await applyWatermark(card, { text: TEXT }))]);
    let sum = 0;
    for (let i = 0; i < before.data.length; i++) sum += Math.abs(before.data[i] - after.data[i]);
    const meanAbsoluteDifference = sum / before.data.length;
    // Measured ~8.4 of 255: ink covers ~16 % of the pixels and moves them ≤ ~75 levels.
    expect(meanAbsoluteDifference).toBeGreaterThan(4); // it is there
    expect(meanAbsoluteDifference).toBeLessThan(15); // and it is light
    // What legibility means for the print: the contrast between the small black field text and
    // its light background (the card's field block, x 760-1450, y 370-960) is mostly kept.
    // (Measured: 92 % of it.)
    const contrast = (img: Grey) => {
      let [text, textN, paper, paperN] = [0, 0, 0, 0];
      for (let y = 370; y < 960; y++) {
        for (let x = 760; x < 1450; x++) {
          const original = before.data[y * W + x];
          const v = img.data[y * W + x];
          if (original < 80) [text, textN] = [text + v, textN + 1];
          else if (original > 200) [paper, paperN] = [paper + v, paperN + 1];
        }
      }
      return paper / paperN - text / textN;
    };
    expect(contrast(after) / contrast(before)).toBeGreaterThan(0.8);
  });

  it('refuses to draw text the font has no glyphs for, naming the code points', async () => {
    await expect(applyWatermark(white, { text: '仅供 𠀀 包裹 SF1 清关使用' })).rejects.toThrow(
      /no glyph for U\+20000/,
    );
    // a real font without Chinese glyphs: refused before anything is drawn
    const dejavu = loadWatermarkFont('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
    await expect(applyWatermark(white, { text: TEXT, font: dejavu })).rejects.toThrow(
      /no glyph for U\+4EC5, U\+4F9B/,
    );
  });

  it('refuses to go out as tofu when Pango cannot use the font (wrong family name)', async () => {
    const wrongFamily: WatermarkFont = {
      ...shippedWatermarkFont(),
      family: 'Noto Sans Hans Medium',
      description: (size) => `Noto Sans Hans Medium, ${size}`,
    };
    await expect(applyWatermark(white, { text: TEXT, font: wrongFamily })).rejects.toThrow(
      WatermarkFontError,
    );
  });

  it('draws markup characters literally instead of interpreting them', async () => {
    // Interpreted, the span would make the text all but invisible (alpha 1 %), and a bare &
    // would make Pango reject the whole string. Drawn literally, it is just more characters.
    const text = `<span alpha="1%" size="xx-small">仅供 J&T "包裹" 'SF1' 清关使用</span>`;
    const img = await grey(await applyWatermark(white, { text }));
    let inked = 0;
    for (const v of img.data) if (v < INKED) inked++;
    expect(inked).toBeGreaterThan(0.03 * W * H);
  });

  it('follows EXIF orientation, so the text is upright as the image is displayed', async () => {
    const rotated = await sharp(white).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const meta = await sharp(await applyWatermark(rotated, { text: TEXT })).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([H, W, undefined]);
  });

  it('validates its inputs', async () => {
    const png = await sharp(white).png().toBuffer();
    await expect(applyWatermark(png, { text: TEXT })).rejects.toThrow(/expected a JPEG, got png/);
    await expect(applyWatermark(white, { text: TEXT, opacity: 1 })).rejects.toThrow(RangeError);
    await expect(applyWatermark(white, { text: TEXT, angleDeg: 0 })).rejects.toThrow(RangeError);
    await expect(applyWatermark(white, { text: ' ' })).rejects.toThrow(/1-200 characters/);
  });

  it('handles small images and other angles', async () => {
    const small = await whiteJpeg(320, 200);
    for (const angleDeg of [-30, -45, 20, 60]) {
      const out = await applyWatermark(small, { text: TEXT, angleDeg });
      const img = await grey(out);
      expect([img.width, img.height]).toEqual([320, 200]);
      expect(img.data.filter((v) => v < INKED).length).toBeGreaterThan(0.03 * 320 * 200);
    }
  });
});

describe('prepareWatermark', () => {
  it('loads and self-tests the shipped font, for a failing start instead of a failing relay', async () => {
    await expect(prepareWatermark()).resolves.toBe(shippedWatermarkFont());
  });
});
