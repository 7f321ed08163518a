import sharp from 'sharp';
import { cardPhoto, heicSkeleton, pixelBombPng, plainJpeg } from '@portico/testing/images';
import { detectImageType } from './image-type';
import { canDecodeHeic, DEFAULT_IMAGE_LIMITS, normaliseToJpeg } from './untrusted-image';

/** Left half red, right half blue: shows which way an image was turned. */
async function twoColourJpeg(width: number, height: number) {
  const half = { width: width / 2, height, channels: 3 as const };
  return sharp({ create: { ...half, width, background: '#ff0000' } })
    .composite([
      {
        input: await sharp({ create: { ...half, background: '#0000ff' } })
          .png()
          .toBuffer(),
        left: width / 2,
        top: 0,
      },
    ])
    .png()
    .toBuffer();
}

async function pixelAt(jpeg: Buffer, x: number, y: number) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return { r: data[i], g: data[i + 1], b: data[i + 2] };
}

describe('untrusted image intake (normaliseToJpeg)', () => {
  it('checks the byte cap before anything else, at the configured size', async () => {
    const notAnImage = Buffer.alloc(DEFAULT_IMAGE_LIMITS.maxBytes + 1, 0x41);
    expect(await normaliseToJpeg(notAnImage)).toEqual({ ok: false, code: 'too_large' });
    const jpeg = await plainJpeg();
    expect((await normaliseToJpeg(jpeg)).ok).toBe(true);
    expect(await normaliseToJpeg(jpeg, { ...DEFAULT_IMAGE_LIMITS, maxBytes: jpeg.length - 1 })).toEqual({
      ok: false,
      code: 'too_large',
    });
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bomb = pixelBombPng(60_000, 60_000);
    expect(bomb.length).toBeLessThan(200);
    const started = process.hrtime.bigint();
    expect(await normaliseToJpeg(bomb)).toEqual({ ok: false, code: 'too_many_pixels' });
    // Decoding 3.6 gigapixels would take minutes and gigabytes; the header check takes milliseconds.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });

  it('applies the configured pixel cap to ordinary images', async () => {
    const jpeg = await plainJpeg(100, 100);
    expect(await normaliseToJpeg(jpeg, { ...DEFAULT_IMAGE_LIMITS, maxPixels: 9_999 })).toEqual({
      ok: false,
      code: 'too_many_pixels',
    });
    expect((await normaliseToJpeg(jpeg, { ...DEFAULT_IMAGE_LIMITS, maxPixels: 10_000 })).ok).toBe(true);
  });

  it('reports a truncated JPEG as corrupt, also when someone closed it with an end marker', async () => {
    const jpeg = await cardPhoto({ width: 400, height: 300 });
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    expect(await normaliseToJpeg(cut)).toEqual({ ok: false, code: 'corrupt' });
    const closed = Buffer.concat([cut, Buffer.from([0xff, 0xd9])]);
    expect(await normaliseToJpeg(closed)).toEqual({ ok: false, code: 'corrupt' });
  });

  it('reports wrong types without decoding them', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    expect(await normaliseToJpeg(gif)).toEqual({ ok: false, code: 'wrong_file_type' });
  });

  it('asks for a JPEG when HEIC cannot be decoded here', async () => {
    expect(canDecodeHeic()).toBe((sharp.format.heif.input.fileSuffix ?? []).includes('.heic'));
    expect(await normaliseToJpeg(heicSkeleton())).toEqual({ ok: false, code: 'unsupported_format' });
  });

  it('decodes a generic-HEIF-branded file when its header says AV1', async () => {
    const avif = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } })
      .avif()
      .toBuffer();
    const ftypSize = avif.readUInt32BE(0);
    const rebranded = Buffer.from(avif);
    rebranded.write(rebranded.toString('latin1', 0, ftypSize).replace(/avif/g, 'mif1'), 0, 'latin1');
    expect(detectImageType(rebranded)).toEqual({ ok: true, type: 'heic' });
    expect(await normaliseToJpeg(rebranded)).toMatchObject({ ok: true, sourceType: 'heic', width: 40 });
  });

  it('accepts PNG, WebP and AVIF, flattening transparency onto white', async () => {
    const transparent = {
      width: 40,
      height: 30,
      channels: 4 as const,
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    };
    const png = await normaliseToJpeg(await sharp({ create: transparent }).png().toBuffer());
    if (!png.ok) throw new Error(png.code);
    expect(await pixelAt(png.jpeg, 20, 15)).toEqual({ r: 255, g: 255, b: 255 });
    const opaque = { width: 40, height: 30, channels: 3 as const, background: '#336699' };
    for (const bytes of [
      await sharp({ create: opaque }).webp().toBuffer(),
      await sharp({ create: opaque }).avif().toBuffer(),
    ]) {
      const result = await normaliseToJpeg(bytes);
      expect(result).toMatchObject({ ok: true, width: 40, height: 30 });
    }
  });

  it('turns the image upright from EXIF orientation', async () => {
    // Stored landscape, red on the left; orientation 6 means "display rotated 90° clockwise".
    const stored = await sharp(await twoColourJpeg(300, 200))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect((await sharp(stored).metadata()).orientation).toBe(6);
    const result = await normaliseToJpeg(stored);
    if (!result.ok) throw new Error(result.code);
    expect([result.width, result.height]).toEqual([200, 300]);
    const top = await pixelAt(result.jpeg, 100, 20);
    const bottom = await pixelAt(result.jpeg, 100, 280);
    expect(top.r).toBeGreaterThan(200); // the left (red) half is now on top
    expect(bottom.b).toBeGreaterThan(200);
    expect((await sharp(result.jpeg).metadata()).orientation).toBeUndefined();
  });

  it('strips every metadata block: EXIF with GPS, camera make, XMP, ICC', async () => {
    const tagged = await sharp(await plainJpeg(120, 80))
      .withExif({
        IFD0: { Make: 'TestCamMaker', Model: 'TestCamModel-Serial-123' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '31/1 14/1 0/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '121/1 28/1 0/1',
        },
      })
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Test Resident"/></rdf:RDF></x:xmpmeta>',
      )
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const before = await sharp(tagged).metadata();
    expect(before.exif?.toString('latin1')).toContain('TestCamMaker');
    expect(
      before.exif!.includes(Buffer.from([0x88, 0x25])) || before.exif!.includes(Buffer.from([0x25, 0x88])),
    ).toBe(true); // GPS IFD pointer
    expect(before.xmp).toBeDefined();
    expect(before.icc).toBeDefined();

    const result = await normaliseToJpeg(tagged);
    if (!result.ok) throw new Error(result.code);
    const after = await sharp(result.jpeg).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    const raw = result.jpeg.toString('latin1');
    for (const trace of ['Exif', 'TestCam', 'Test Resident', 'xmpmeta', 'ICC_PROFILE'])
      expect(raw).not.toContain(trace);
  });

  it('bounds the long side and never enlarges', async () => {
    const wide = await normaliseToJpeg(await plainJpeg(3000, 1000));
    expect(wide).toMatchObject({ ok: true, width: 2000, height: 667 });
    const tall = await normaliseToJpeg(await plainJpeg(500, 2600), {
      ...DEFAULT_IMAGE_LIMITS,
      maxLongSide: 1300,
    });
    expect(tall).toMatchObject({ ok: true, width: 250, height: 1300 });
    expect(await normaliseToJpeg(await plainJpeg(64, 48))).toMatchObject({ ok: true, width: 64, height: 48 });
  });
});
