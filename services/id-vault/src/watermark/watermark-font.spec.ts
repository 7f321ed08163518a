import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  assertRendersRealGlyphs,
  DEFAULT_FONT_FILE,
  loadWatermarkFont,
  locateShippedFont,
  rendersAsTofu,
  shippedWatermarkFont,
  WatermarkFontError,
  type WatermarkFont,
} from './watermark-font';

// A real font without CJK glyphs, present wherever fontconfig is (Debian's fonts-dejavu-core).
const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const repoRoot = resolve(__dirname, '../../../..');

describe('watermark font', () => {
  it('finds the shipped Noto Sans Hans Medium despite the package exporting only its JS entry', () => {
    const file = locateShippedFont();
    expect(file).toMatch(/@embedpdf[\\/]fonts-sc[\\/]fonts[\\/]NotoSansHans-Medium\.otf$/);
    expect(existsSync(file)).toBe(true);
  });

  it('fails with a clear error when the font file is missing', () => {
    expect(() => locateShippedFont('NotoSansHans-Nope.otf')).toThrow(WatermarkFontError);
    expect(() => locateShippedFont('NotoSansHans-Nope.otf')).toThrow(
      /NotoSansHans-Nope\.otf from @embedpdf\/fonts-sc not found — refusing to render tofu/,
    );
    expect(() => loadWatermarkFont('/nonexistent/font.otf')).toThrow(/unreadable.*ENOENT/);
    expect(() => loadWatermarkFont(join(repoRoot, 'package.json'))).toThrow(/not an OpenType\/TrueType font/);
  });

  it('reads the family name fontconfig knows, not the one in the file name', () => {
    const font = shippedWatermarkFont();
    expect(font.file.endsWith(DEFAULT_FONT_FILE)).toBe(true);
    expect(font.family).toBe('Noto Sans S Chinese Medium');
    expect(font.description(40)).toBe('Noto Sans S Chinese Medium, 40');
  });

  it('covers the template, Chinese and Latin carrier names, waybills and the English line', () => {
    const font = shippedWatermarkFont();
    const text =
      '仅供 顺丰速运 中通快递 圆通速递 韵达快递 京东物流 中国邮政 菜鸟 DHL Express J&T (UK) 包裹 1Z999AA1-0/1_2.3 清关使用\n' +
      "For customs clearance of Parcel d'Or parcel SF1234567890 only·";
    expect(font.missingCodePoints(text)).toEqual([]);
    expect(() => font.assertCovers(text)).not.toThrow();
  });

  it('names the code points it cannot draw', () => {
    const font = shippedWatermarkFont();
    // U+20000 (CJK Extension B) and Hangul are outside the font, U+0378 is unassigned, and a
    // control character is never drawn. Polish ł is missing too: a carrier named with it fails loudly.
    expect(font.missingCodePoints('仅供 𠀀 한 \u0378 \u0007 ł 清关')).toEqual([
      0x20000, 0xd55c, 0x0378, 0x07, 0x142,
    ]);
    expect(() => font.assertCovers('仅供 𠀀𠀀 清关')).toThrow(/no glyph for U\+20000 — not rendering boxes/);
  });

  it('reads a TrueType font as well and sees that it has no Chinese glyphs', () => {
    const dejavu = loadWatermarkFont(DEJAVU);
    expect(dejavu.family).toBe('DejaVu Sans');
    expect(dejavu.missingCodePoints('仅供 DHL')).toEqual([0x4ec5, 0x4f9b]);
  });

  describe('render self-test (tofu detector)', () => {
    it('passes for the shipped font, including boxy characters', async () => {
      const font = shippedWatermarkFont();
      await expect(rendersAsTofu(font, '仅供包裹清关使用')).resolves.toBe(false);
      await expect(rendersAsTofu(font, '国回图围')).resolves.toBe(false);
      await expect(assertRendersRealGlyphs(font)).resolves.toBeUndefined();
    });

    it('flags a font without the glyphs', async () => {
      await expect(rendersAsTofu(loadWatermarkFont(DEJAVU), '仅供包裹清关使用')).resolves.toBe(true);
    });

    it('flags the right file under a family name fontconfig does not know', async () => {
      // The trap this guards against: the file name says "Noto Sans Hans", the font says otherwise.
      const wrongFamily: WatermarkFont = {
        ...shippedWatermarkFont(),
        family: 'Noto Sans Hans Medium',
        description: (s) => `Noto Sans Hans Medium, ${s}`,
      };
      await expect(rendersAsTofu(wrongFamily, '仅供包裹清关使用')).resolves.toBe(true);
      await expect(assertRendersRealGlyphs(wrongFamily)).rejects.toThrow(
        /renders "仅供包裹清关使用" as missing-glyph boxes/,
      );
    });

    it('flags a bogus font file in a fresh process (sharp itself renders it without complaint)', async () => {
      // A fresh process: in this one the real font is already registered with fontconfig and
      // would be found by family name even when the given file does not exist.
      const script = `
        const { rendersAsTofu } = require(${JSON.stringify(join(__dirname, 'watermark-font.ts'))});
        const real = { family: 'Noto Sans S Chinese Medium', description: (s) => 'Noto Sans S Chinese Medium, ' + s };
        rendersAsTofu({ ...real, file: '/nonexistent/NotoSansHans-Medium.otf' }, '仅供包裹清关使用')
          .then((tofu) => process.stdout.write(JSON.stringify({ tofu })));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-r', join(repoRoot, 'libs/messaging/src/test-support/ts-require-hook.js'), '-e', script],
        { cwd: repoRoot, timeout: 30_000 },
      );
      expect(JSON.parse(stdout)).toEqual({ tofu: true });
    });
  });
});
