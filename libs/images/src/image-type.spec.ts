import sharp from 'sharp';
import { detectImageType } from './image-type';
import {
  GIF_BYTES,
  heicSkeleton,
  jpegWithComment,
  PDF_BYTES,
  plainJpeg,
  pngWithChunk,
  tinyZip,
} from '@portico/testing/images';

const plain = { width: 48, height: 32, channels: 3 as const, background: '#8090a0' };

describe('image type from magic bytes', () => {
  let jpeg: Buffer;
  let png: Buffer;
  let webp: Buffer;
  let avif: Buffer;
  beforeAll(async () => {
    jpeg = await plainJpeg();
    png = await sharp({ create: plain }).png().toBuffer();
    webp = await sharp({ create: plain }).webp().toBuffer();
    avif = await sharp({ create: plain }).avif().toBuffer();
  });

  it('recognises the accepted formats from their bytes alone', () => {
    expect(detectImageType(jpeg)).toEqual({ ok: true, type: 'jpeg' });
    expect(detectImageType(png)).toEqual({ ok: true, type: 'png' });
    expect(detectImageType(webp)).toEqual({ ok: true, type: 'webp' });
    expect(detectImageType(avif)).toEqual({ ok: true, type: 'avif' });
    expect(detectImageType(heicSkeleton())).toEqual({ ok: true, type: 'heic' });
    // A Uint8Array view into a larger buffer works like a Buffer.
    const padded = new Uint8Array(jpeg.length + 10);
    padded.set(jpeg, 5);
    expect(detectImageType(padded.subarray(5, 5 + jpeg.length))).toEqual({ ok: true, type: 'jpeg' });
  });

  it.each([
    ['GIF', () => GIF_BYTES],
    ['PDF', () => PDF_BYTES],
    ['SVG', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['HTML', () => Buffer.from('<!doctype html><html></html>')],
    ['ZIP', () => tinyZip()],
    ['empty', () => Buffer.alloc(0)],
    ['two bytes of JPEG', () => Buffer.from([0xff, 0xd8])],
    [
      'an ISO BMFF video (mp4 brand)',
      () => Buffer.concat([Buffer.from('00000018667479706d70343200000000', 'hex'), Buffer.from('isommp42')]),
    ],
  ])('refuses %s as the wrong file type', (_name, bytes) => {
    expect(detectImageType(bytes())).toEqual({ ok: false, code: 'wrong_file_type' });
  });

  it('refuses a TIFF although the decoder could read it', async () => {
    const tiff = await sharp({ create: plain }).tiff().toBuffer();
    expect(detectImageType(tiff)).toEqual({ ok: false, code: 'wrong_file_type' });
  });

  it('reports images cut short as corrupt, not as a wrong type', () => {
    expect(detectImageType(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).toEqual({
      ok: false,
      code: 'corrupt',
    });
    expect(detectImageType(png.subarray(0, png.length - 20))).toEqual({ ok: false, code: 'corrupt' });
    expect(detectImageType(webp.subarray(0, webp.length - 10))).toEqual({ ok: false, code: 'corrupt' });
    expect(detectImageType(avif.subarray(0, avif.length - 10))).toEqual({ ok: false, code: 'corrupt' });
  });

  it('tolerates a little padding after the end, within the configured slack', () => {
    const padded = Buffer.concat([jpeg, Buffer.alloc(100)]);
    expect(detectImageType(padded)).toEqual({ ok: true, type: 'jpeg' });
    expect(detectImageType(padded, { trailingSlackBytes: 10 })).toEqual({
      ok: false,
      code: 'wrong_file_type',
    });
  });

  it('refuses a ZIP or HTML page appended to a JPEG, PNG, WebP or AVIF', () => {
    const html = Buffer.from(`<html><body>${'x'.repeat(600)}<script>alert(1)</script></body></html>`);
    for (const image of [jpeg, png, webp, avif]) {
      expect(detectImageType(Buffer.concat([image, tinyZip()]))).toEqual({
        ok: false,
        code: 'wrong_file_type',
      });
      expect(detectImageType(Buffer.concat([image, html]))).toMatchObject({ ok: false });
    }
  });

  it('accepts further complete JPEGs after a JPEG (MPF / Ultra HDR gain maps), but nothing else after them', () => {
    const mpfLike = Buffer.concat([jpeg, jpeg]);
    expect(detectImageType(mpfLike)).toEqual({ ok: true, type: 'jpeg' });
    expect(detectImageType(Buffer.concat([mpfLike, tinyZip()]))).toEqual({
      ok: false,
      code: 'wrong_file_type',
    });
    expect(detectImageType(Buffer.concat([jpeg, png]))).toEqual({ ok: false, code: 'wrong_file_type' });
  });

  it('refuses a ZIP hidden inside a chunk, since ZIP readers find archives from the end', () => {
    expect(detectImageType(pngWithChunk(png, 'tEXt', Buffer.from('comment\0ok')))).toEqual({
      ok: true,
      type: 'png',
    });
    expect(detectImageType(pngWithChunk(png, 'zzZz', tinyZip()))).toEqual({
      ok: false,
      code: 'wrong_file_type',
    });
  });

  it('refuses other formats signatures in the first bytes, where content sniffers look', () => {
    expect(detectImageType(jpegWithComment(jpeg, 'made with a camera'))).toEqual({ ok: true, type: 'jpeg' });
    for (const inside of [
      '<script>alert(1)</script>',
      '<HTML>',
      '<svg onload=x>',
      '%PDF-1.7',
      'GIF89a',
      'PK\x03\x04',
    ]) {
      expect(detectImageType(jpegWithComment(jpeg, inside))).toEqual({ ok: false, code: 'wrong_file_type' });
    }
  });
});
