import { pixelBombPng, plainJpeg, tinyZip } from '@portico/testing/images';
import sharp from 'sharp';
import { handWrittenPdf, phonePhotoWithExif, SEEDED_CAMERA } from '../test-support/synthetic-evidence';
import { checkEvidence, DEFAULT_EVIDENCE_LIMITS, subjectFits } from './evidence-intake';

describe('evidence intake', () => {
  it('stores a photo upright, re-encoded as JPEG, without EXIF (no GPS, no camera)', async () => {
    const photo = await phonePhotoWithExif(600, 400);
    const before = await sharp(photo).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.toString('latin1')).toContain(SEEDED_CAMERA);
    expect(before.exif!.includes(Buffer.from([0x88, 0x25])) || before.exif!.includes(Buffer.from([0x25, 0x88]))).toBe(true); // GPS IFD
    const result = await checkEvidence('photo', photo);
    if (!result.ok) throw new Error(result.code);
    expect(result).toMatchObject({ contentType: 'image/jpeg', sourceType: 'jpeg', width: 400, height: 600 });
    const after = await sharp(result.bytes).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(result.bytes.toString('latin1')).not.toContain(SEEDED_CAMERA);
    // upright: the red (left) half of the stored pixels is now on top
    const { data, info } = await sharp(result.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    expect(at(200, 50)).toBeGreaterThan(200);
    expect(at(200, 550)).toBeLessThan(60);
  });

  it('accepts PNG and WebP photos, and photos of invoices as value proof', async () => {
    const plain = { width: 64, height: 48, channels: 3 as const, background: '#778899' };
    for (const bytes of [await sharp({ create: plain }).png().toBuffer(), await sharp({ create: plain }).webp().toBuffer()]) {
      expect(await checkEvidence('photo', bytes)).toMatchObject({ ok: true, contentType: 'image/jpeg', width: 64 });
    }
    expect(await checkEvidence('value_proof', await plainJpeg())).toMatchObject({ ok: true, contentType: 'image/jpeg' });
  });

  it('keeps a PDF invoice as uploaded, for value proof only', async () => {
    const pdf = handWrittenPdf();
    const result = await checkEvidence('value_proof', pdf);
    expect(result).toMatchObject({ ok: true, contentType: 'application/pdf', sourceType: 'pdf', width: null });
    expect(result.ok && result.bytes.equals(pdf)).toBe(true);
    expect(await checkEvidence('photo', pdf)).toEqual({ ok: false, code: 'pdf_not_value_proof' });
    expect(await checkEvidence('value_proof', handWrittenPdf('/OpenAction<</S/JavaScript>>'))).toEqual({
      ok: false,
      code: 'pdf_active_content',
    });
  });

  it('refuses bombs from the header, truncated and wrong files, and sizes over the cap', async () => {
    expect(await checkEvidence('photo', pixelBombPng(100_000, 100_000))).toEqual({ ok: false, code: 'too_many_pixels' });
    const jpeg = await phonePhotoWithExif();
    expect(await checkEvidence('photo', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)))).toEqual({ ok: false, code: 'corrupt' });
    expect(await checkEvidence('photo', Buffer.concat([jpeg, tinyZip()]))).toEqual({ ok: false, code: 'wrong_file_type' });
    expect(await checkEvidence('photo', Buffer.from('GIF89a not really'))).toEqual({ ok: false, code: 'wrong_file_type' });
    const small = { ...DEFAULT_EVIDENCE_LIMITS, maxBytes: 1_000, maxPdfBytes: 100 };
    expect(await checkEvidence('photo', jpeg, small)).toEqual({ ok: false, code: 'too_large' });
    expect(await checkEvidence('value_proof', handWrittenPdf(), small)).toEqual({ ok: false, code: 'too_large' });
  });

  it('matches subjects to kinds', () => {
    expect(subjectFits('photo', 'damage')).toBe(true);
    expect(subjectFits('photo', 'invoice')).toBe(false);
    expect(subjectFits('value_proof', 'receipt')).toBe(true);
    expect(subjectFits('value_proof', 'label')).toBe(false);
    expect(subjectFits('value_proof', 'other')).toBe(true);
  });
});
