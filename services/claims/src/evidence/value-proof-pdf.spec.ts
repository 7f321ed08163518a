import { PDF_BYTES, tinyZip } from '@portico/testing/images';
import { handWrittenPdf as invoicePdf, invoicePdf as pdfkitInvoice } from '../test-support/synthetic-evidence';
import { checkValueProofPdf, isPdfSignature } from './value-proof-pdf';

describe('value proof PDF', () => {
  it('accepts a plain PDF, hand-written or from an invoicing tool', async () => {
    expect(isPdfSignature(invoicePdf())).toBe(true);
    expect(checkValueProofPdf(invoicePdf())).toEqual({ ok: true });
    expect(checkValueProofPdf(await pdfkitInvoice())).toEqual({ ok: true });
  });

  it('needs the header at offset 0, a known version, and a real size', () => {
    expect(checkValueProofPdf(Buffer.concat([Buffer.from('   '), invoicePdf()]))).toEqual({
      ok: false,
      code: 'wrong_file_type',
    });
    expect(checkValueProofPdf(Buffer.from(invoicePdf().toString('latin1').replace('%PDF-1.7', '%PDF-9.9'), 'latin1')))
      .toEqual({ ok: false, code: 'wrong_file_type' });
    expect(checkValueProofPdf(PDF_BYTES)).toEqual({ ok: false, code: 'too_small' });
  });

  it('reports a PDF cut short (no %%EOF at the end) as corrupt', () => {
    const pdf = invoicePdf();
    expect(checkValueProofPdf(pdf.subarray(0, pdf.length - 30))).toEqual({ ok: false, code: 'corrupt' });
  });

  it('refuses polyglots: HTML in the sniffing window, a ZIP directory at the end', () => {
    expect(checkValueProofPdf(Buffer.concat([invoicePdf().subarray(0, 20), Buffer.from('<script>x</script>'), invoicePdf().subarray(20)])))
      .toEqual({ ok: false, code: 'wrong_file_type' });
    expect(checkValueProofPdf(Buffer.concat([invoicePdf(), tinyZip()]))).toEqual({ ok: false, code: 'wrong_file_type' });
  });

  it.each(['/JavaScript', '/JS (app.alert(1))', '/Launch', '/EmbeddedFiles', '/XFA', '/RichMedia'])(
    'refuses active content %s',
    (name) => {
      expect(checkValueProofPdf(invoicePdf(`/AA<<${name}>>`))).toEqual({ ok: false, code: 'pdf_active_content' });
    },
  );

  it('does not mistake longer names for active content', () => {
    expect(checkValueProofPdf(invoicePdf('/JSON 1/Launcher 2'))).toEqual({ ok: true });
  });
});
