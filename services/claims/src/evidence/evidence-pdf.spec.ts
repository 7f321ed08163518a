import { plainJpeg } from '@portico/testing/images';
import { manifestOf } from '../test-support/evidence-manifest-fixture';
import { parseManifest } from './evidence-manifest';
import { renderEvidencePdf } from './evidence-pdf';

// Rendering itself (pixels, Chinese glyphs) is checked with poppler in evidence.int-spec.ts; here
// the document's structure: a PDF, the shipped font embedded as a subset, the photos as images.
describe('evidence PDF', () => {
  async function render(photoCount: number) {
    const photos = await Promise.all(
      Array.from({ length: photoCount }, async (_, i) => ({
        id: `evi_${i}`,
        kind: 'photo',
        subject: 'damage',
        content: await plainJpeg(320 + i, 240),
      })),
    );
    const { json, sha256 } = manifestOf(photos);
    const pdf = await renderEvidencePdf({
      manifest: parseManifest(json),
      manifestSha256: sha256,
      images: photos.map((p) => ({ id: p.id, jpeg: p.content })),
    });
    return { pdf, text: pdf.toString('latin1') };
  }

  it('writes a PDF with the shipped CJK font embedded as a subset and every photo as an image', async () => {
    const { pdf, text } = await render(3);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    // pdfkit names embedded subsets "ABCDEF+<PostScript name>"
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Regular/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Bold/);
    expect(text.match(/\/Subtype \/Image/g)).toHaveLength(3);
    // cover, tracking/log/decisions, photos (3 at 300 pt do not fit one page), hashes
    expect((text.match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThanOrEqual(5);
  });

  it('renders the same bytes for the same bundle (dates come from the bundle, not the clock)', async () => {
    const a = await render(1);
    await new Promise((r) => setTimeout(r, 1100));
    const b = await render(1);
    expect(a.pdf.equals(b.pdf)).toBe(true);
  });
});
