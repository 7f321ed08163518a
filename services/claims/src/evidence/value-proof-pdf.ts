/**
 * Whether uploaded bytes are a PDF invoice we keep as value proof. Pure, bytes only.
 *
 * A PDF cannot be re-encoded the way a photo is (pdfkit writes PDFs, it does not read them), so
 * it is stored byte for byte and only ever served as a download (`Content-Disposition: attachment`,
 * `nosniff`). What makes that safe enough, each rule against a different abuse:
 * - `%PDF-1.x` / `%PDF-2.0` at offset 0 (not somewhere in the first 1 KB, which readers tolerate
 *   and polyglots rely on) and `%%EOF` near the end: a PDF a viewer opens as such;
 * - no HTML/script/SVG opener in the first 1445 bytes, where content sniffers decide, and no ZIP
 *   directory at the end, where ZIP readers look (the same polyglot rules as @portico/images);
 * - no active content: JavaScript, launch actions, embedded files, XFA forms. An invoice needs
 *   none of them, and the bundle goes to carriers' desks.
 */
export type PdfVerdict = { readonly ok: true } | { readonly ok: false; readonly code: PdfFailureCode };
export type PdfFailureCode = 'wrong_file_type' | 'corrupt' | 'pdf_active_content' | 'too_small';

/** Smaller than any real one-page invoice; below this it is a stub or a probe. */
export const MIN_PDF_BYTES = 200;
/** `%%EOF` must appear in the last this-many bytes (writers append a newline or a little padding). */
const EOF_WINDOW_BYTES = 1024;
const SNIFF_WINDOW_BYTES = 1445;

const HEADER = /^%PDF-(1\.[0-7]|2\.0)[\r\n\s%]/;
const FOREIGN_TEXT = ['<!doctype html', '<html', '<head', '<body', '<script', '<iframe', '<svg', '<?php'];
/**
 * Name objects that carry active content. Matched as PDF names (a delimiter must follow), so
 * `/JSON` or `/Launcher` in a string does not count. Inside compressed object streams these are
 * invisible to a byte scan; that is why the file is only ever served as a download.
 */
const ACTIVE_NAMES = ['/JavaScript', '/JS', '/Launch', '/EmbeddedFile', '/EmbeddedFiles', '/XFA', '/RichMedia'];
const ZIP_EOCD = Buffer.from('PK\x05\x06', 'latin1');

export function isPdfSignature(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 5 && Buffer.from(bytes.buffer, bytes.byteOffset, 5).toString('latin1') === '%PDF-';
}

export function checkValueProofPdf(bytes: Uint8Array): PdfVerdict {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = data.toString('latin1', 0, Math.min(data.length, SNIFF_WINDOW_BYTES));
  if (!HEADER.test(head)) return { ok: false, code: 'wrong_file_type' };
  if (data.length < MIN_PDF_BYTES) return { ok: false, code: 'too_small' };
  const lowerHead = head.toLowerCase();
  if (FOREIGN_TEXT.some((s) => lowerHead.includes(s))) return { ok: false, code: 'wrong_file_type' };
  if (endsWithZipDirectory(data)) return { ok: false, code: 'wrong_file_type' };
  // Cut short (an interrupted upload): the trailer and its %%EOF are what a reader needs first.
  const tail = data.toString('latin1', Math.max(0, data.length - EOF_WINDOW_BYTES));
  if (!tail.includes('%%EOF')) return { ok: false, code: 'corrupt' };
  const text = data.toString('latin1');
  if (ACTIVE_NAMES.some((name) => containsName(text, name))) return { ok: false, code: 'pdf_active_content' };
  return { ok: true };
}

/** PDF delimiters and whitespace end a name (ISO 32000-1, 7.2.2). */
const NAME_END = new Set([' ', '\t', '\r', '\n', '\f', '\0', '/', '(', ')', '<', '>', '[', ']', '{', '}', '%']);

function containsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const next = text[at + name.length];
    if (next === undefined || NAME_END.has(next)) return true;
  }
  return false;
}

/** A ZIP reader finds an archive from its end-of-central-directory record at the end of the file. */
function endsWithZipDirectory(data: Buffer): boolean {
  const slack = 256;
  const searchFrom = Math.max(0, data.length - 22 - 0xffff - slack);
  for (let at = data.lastIndexOf(ZIP_EOCD); at >= searchFrom; at = data.lastIndexOf(ZIP_EOCD, at - 1)) {
    if (at + 22 <= data.length && data.length - (at + 22 + data.readUInt16LE(at + 20)) <= slack) return true;
    if (at === 0) break;
  }
  return false;
}
