import { readFileSync } from 'node:fs';
import { locateShippedCjkFont } from '@portico/images';
import PDFDocument from 'pdfkit';
import type { EvidenceManifest } from './evidence-manifest';
import { formatMoney, formatTime, labelOf } from './evidence-pdf-labels';

/**
 * The evidence bundle as a PDF for a carrier's claims desk: a cover page with the claim's facts,
 * then the tracking history, communication log and decision history as tables, the photos
 * (scaled), the value proof documents, and every SHA-256 (each item, each section, the manifest).
 *
 * A rendering of the manifest, nothing more: every fact printed comes from it, so what a carrier
 * reads is what the manifest's hash covers. The PDF's own bytes are not part of any hash a carrier
 * needs (the manifest lists the items' hashes independently of it). Deterministic for the same
 * input: the document dates are the bundle's creation time, not the time of rendering.
 *
 * Text is set in the project's shipped Noto Sans Hans (@embedpdf/fonts-sc) for Chinese and Latin
 * alike: pdfkit's standard fonts have no CJK glyphs, and a missing font would print nothing.
 */
export interface PdfPhoto {
  readonly id: string;
  /** The stored JPEG (re-encoded, metadata-free). */
  readonly jpeg: Buffer;
}

export interface EvidencePdfInput {
  readonly manifest: EvidenceManifest;
  readonly manifestSha256: string;
  /** Image items' bytes by id (photos and image value proofs); PDFs are listed, not embedded. */
  readonly images: readonly PdfPhoto[];
}

const FONT = 'cjk';
const FONT_BOLD = 'cjk-bold';
const MARGIN = 48;
const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN - 24; // room for the footer

let fonts: { regular: Buffer; bold: Buffer } | undefined;
/** Read once per process: the faces are ~8 MB each, pdfkit subsets what a bundle uses. */
function shippedFonts() {
  fonts ??= {
    regular: readFileSync(locateShippedCjkFont('NotoSansHans-Regular.otf')),
    bold: readFileSync(locateShippedCjkFont('NotoSansHans-Bold.otf')),
  };
  return fonts;
}

export function renderEvidencePdf(input: EvidencePdfInput): Promise<Buffer> {
  const { manifest } = input;
  const created = new Date(manifest.createdAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `Evidence bundle ${manifest.bundleId} (claim ${manifest.claim.id})`,
      Author: 'Portico claims',
      Subject: 'Claim evidence bundle',
      CreationDate: created,
      ModDate: created,
    },
  });
  const { regular, bold } = shippedFonts();
  doc.registerFont(FONT, regular);
  doc.registerFont(FONT_BOLD, bold);
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const w = new Writer(doc);
  cover(w, input);
  trackingHistory(w, manifest);
  communicationLog(w, manifest);
  decisionHistory(w, manifest);
  photos(w, input);
  valueProofs(w, input);
  hashes(w, input);
  footers(doc, manifest);
  doc.end();
  return done;
}

/** Cursor-based writing with page breaks, so sections never run into the footer. */
class Writer {
  constructor(readonly doc: PDFKit.PDFDocument) {}

  get y(): number {
    return this.doc.y;
  }

  ensure(height: number): void {
    if (this.doc.y + height > BOTTOM) this.doc.addPage();
  }

  heading(zh: string, en: string): void {
    this.ensure(60);
    this.doc.moveDown(0.8);
    this.doc.font(FONT_BOLD).fontSize(14).fillColor('#1a3a5c').text(`${zh}  ${en}`, MARGIN, this.doc.y);
    const y = this.doc.y + 2;
    this.doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_WIDTH, y).lineWidth(0.8).strokeColor('#1a3a5c').stroke();
    this.doc.moveDown(0.5);
    this.doc.fillColor('#000000');
  }

  note(text: string): void {
    this.doc.font(FONT).fontSize(9).fillColor('#555555').text(text, MARGIN, this.doc.y, { width: CONTENT_WIDTH });
    this.doc.fillColor('#000000');
  }

  /** A table: header row, then rows; each cell cut to its column with an ellipsis. */
  table(columns: ReadonlyArray<{ title: string; width: number }>, rows: readonly string[][], fontSize = 8.5): void {
    const rowHeight = fontSize * 1.9;
    const header = () => {
      this.ensure(rowHeight * 2);
      const y = this.doc.y;
      this.doc.rect(MARGIN, y - 2, CONTENT_WIDTH, rowHeight).fill('#e8eef4');
      this.doc.fillColor('#000000').font(FONT_BOLD).fontSize(fontSize);
      let x = MARGIN + 3;
      for (const c of columns) {
        this.doc.text(fit(this.doc, c.title, c.width - 6), x, y + 2, { width: c.width - 6, lineBreak: false });
        x += c.width;
      }
      this.doc.y = y + rowHeight;
    };
    header();
    if (rows.length === 0) {
      this.note('（无 none）');
      return;
    }
    for (const [i, row] of rows.entries()) {
      if (this.doc.y + rowHeight > BOTTOM) {
        this.doc.addPage();
        header();
      }
      const y = this.doc.y;
      if (i % 2 === 1) this.doc.rect(MARGIN, y - 2, CONTENT_WIDTH, rowHeight).fill('#f7f9fb');
      this.doc.fillColor('#000000').font(FONT).fontSize(fontSize);
      let x = MARGIN + 3;
      for (const [j, c] of columns.entries()) {
        this.doc.text(fit(this.doc, row[j] ?? '', c.width - 6), x, y + 2, { width: c.width - 6, lineBreak: false });
        x += c.width;
      }
      this.doc.y = y + rowHeight;
    }
    this.doc.x = MARGIN;
  }

  /** Label / value pairs (the cover). */
  facts(pairs: ReadonlyArray<[string, string]>): void {
    for (const [label, value] of pairs) {
      this.ensure(20);
      const y = this.doc.y;
      this.doc.font(FONT).fontSize(9.5).fillColor('#555555').text(label, MARGIN, y, { width: 170 });
      this.doc.font(FONT_BOLD).fontSize(10).fillColor('#000000').text(value, MARGIN + 175, y, { width: CONTENT_WIDTH - 175 });
      this.doc.y = Math.max(this.doc.y, y + 16) + 3;
    }
    this.doc.x = MARGIN;
  }
}

/** Cuts text to a width, with an ellipsis: table cells never wrap or overlap. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 0 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function cover(w: Writer, { manifest, manifestSha256 }: EvidencePdfInput): void {
  const { doc } = w;
  const c = manifest.claim;
  doc.font(FONT_BOLD).fontSize(22).fillColor('#1a3a5c').text('理赔证据包', MARGIN, MARGIN + 10);
  doc.font(FONT).fontSize(14).fillColor('#1a3a5c').text('Claim evidence bundle');
  doc.moveDown(0.4);
  doc
    .font(FONT)
    .fontSize(9)
    .fillColor('#555555')
    .text(
      '本文件由 Portico 根据理赔案件的记录生成；各证据文件与本清单的 SHA-256 见最后一节，可逐项核验。\n' +
        'Generated by Portico from the claim records. The SHA-256 of every item and of the manifest are listed in the last section for verification.',
      { width: CONTENT_WIDTH },
    );
  doc.moveDown(1);
  doc.fillColor('#000000');
  const photos = manifest.items.filter((i) => i.kind === 'photo').length;
  const proofs = manifest.items.length - photos;
  w.facts([
    ['理赔编号 Claim id', c.id],
    ['证据包编号 Bundle id', manifest.bundleId],
    ['包裹编号 Parcel id', c.parcelId],
    ['运单号 Tracking number', c.trackingNumber],
    ['承运商 Carrier', c.carrierCode],
    ['线路 Lane', c.lane],
    ['原因 Reason', labelOf('reason', c.reason)],
    ['立案时间 Opened', formatTime(c.openedAt)],
    ['索赔金额 Claimed amount', formatMoney(manifest.claimed)],
    ['申报价值 Declared value', manifest.declared ? formatMoney(manifest.declared) : '未知 unknown'],
    [
      '保险 Insurance',
      manifest.insurance
        ? `${formatMoney(manifest.insurance)}（${labelOf('insuranceSource', manifest.insurance.source)}）`
        : '未投保或未知 not insured / unknown',
    ],
    ['证据 Evidence', `照片 ${photos} photos · 价值证明 ${proofs} value proofs`],
    ['生成时间 Created', formatTime(manifest.createdAt)],
    ['清单 SHA-256 Manifest', manifestSha256],
  ]);
}

function trackingHistory(w: Writer, m: EvidenceManifest): void {
  w.doc.addPage();
  w.heading('物流轨迹', 'Tracking history');
  w.table(
    [
      { title: '时间 Time (UTC)', width: 110 },
      { title: '状态 Status', width: 120 },
      { title: '异常 Exception', width: 85 },
      { title: '地点 Location', width: 134 },
      { title: '迟到 Late', width: CONTENT_WIDTH - 449 },
    ],
    m.trackingHistory.entries.map((t) => [
      formatTime(t.occurredAt),
      labelOf('status', t.status),
      t.exceptionReason ? labelOf('exception', t.exceptionReason) : '',
      t.location,
      t.late ? '是 yes' : '',
    ]),
  );
}

function communicationLog(w: Writer, m: EvidenceManifest): void {
  w.heading('沟通记录', 'Communication log');
  w.table(
    [
      { title: '时间 Time (UTC)', width: 110 },
      { title: '类型 Kind', width: 130 },
      { title: '操作人 Actor', width: 95 },
      { title: '内容 Details', width: CONTENT_WIDTH - 335 },
    ],
    m.communicationLog.entries.map((e) => [
      formatTime(e.at),
      labelOf('log', e.kind),
      e.actorId ?? '系统 system',
      detailsText(e.details),
    ]),
  );
}

function decisionHistory(w: Writer, m: EvidenceManifest): void {
  w.heading('处理记录', 'Decision history');
  w.table(
    [
      { title: '时间 Time (UTC)', width: 110 },
      { title: '状态变更 State', width: 175 },
      { title: '原因 Cause', width: 120 },
      { title: '操作人 Actor', width: CONTENT_WIDTH - 405 },
    ],
    (m.decisionHistory?.entries ?? []).map((d) => [
      formatTime(d.at),
      `${d.from ?? '—'} → ${d.to}`,
      d.cause,
      d.actorId ?? '系统 system',
    ]),
  );
}

function photos(w: Writer, { manifest, images }: EvidencePdfInput): void {
  const byId = new Map(images.map((i) => [i.id, i.jpeg]));
  const items = manifest.items.filter((i) => byId.has(i.id));
  w.doc.addPage();
  w.heading('照片', 'Photos');
  if (items.length === 0) w.note('（无照片 no photos）');
  for (const item of items) {
    const maxHeight = 300;
    w.ensure(maxHeight + 50);
    const y = w.y;
    w.doc.image(byId.get(item.id)!, MARGIN, y, { fit: [CONTENT_WIDTH, maxHeight], align: 'center' });
    w.doc.y = y + maxHeight + 6;
    w.doc
      .font(FONT)
      .fontSize(8.5)
      .fillColor('#333333')
      .text(
        `${labelOf('subject', item.subject)} · ${labelOf('kind', item.kind)} · ${item.id}\nSHA-256 ${item.sha256}`,
        MARGIN,
        w.doc.y,
        { width: CONTENT_WIDTH, align: 'center' },
      );
    w.doc.fillColor('#000000').moveDown(1);
  }
}

function valueProofs(w: Writer, { manifest }: EvidencePdfInput): void {
  w.heading('价值证明文件', 'Value proof documents');
  w.table(
    [
      { title: '编号 Item id', width: 190 },
      { title: '类别 Subject', width: 90 },
      { title: '格式 Type', width: 95 },
      { title: '大小 Bytes', width: CONTENT_WIDTH - 375 },
    ],
    manifest.items
      .filter((i) => i.kind === 'value_proof')
      .map((i) => [i.id, labelOf('subject', i.subject), i.contentType, i.bytes.toLocaleString('en-US')]),
  );
  w.doc.moveDown(0.5);
  w.note('图片类价值证明已嵌入"照片"一节；PDF 发票请按编号下载并以下方 SHA-256 核验。Image value proofs are shown under Photos; download PDF invoices by id and check them against the SHA-256 below.');
}

function hashes(w: Writer, { manifest, manifestSha256 }: EvidencePdfInput): void {
  w.doc.addPage();
  w.heading('哈希值', 'Hashes (SHA-256)');
  w.note(
    '核验方法：对下载的每个证据文件计算 SHA-256，与下表比对；对清单 JSON 原文计算 SHA-256，与"清单"一行比对（理赔提交事件中亦载有此值）。\n' +
      'To verify: hash each downloaded item and compare with this table; hash the manifest JSON as downloaded and compare with the manifest row (also carried by the ClaimFiled event).',
  );
  w.doc.moveDown(0.5);
  const rows: string[][] = [
    ['清单 Manifest (JSON)', manifestSha256],
    ['物流轨迹 Tracking history', manifest.trackingHistory.sha256],
    ['沟通记录 Communication log', manifest.communicationLog.sha256],
    ...(manifest.decisionHistory ? [['处理记录 Decision history', manifest.decisionHistory.sha256]] : []),
    ...manifest.items.map((i) => [`${i.id}`, i.sha256]),
  ];
  w.table(
    [
      { title: '对象 What', width: 190 },
      { title: 'SHA-256', width: CONTENT_WIDTH - 190 },
    ],
    rows,
    8,
  );
}

function footers(doc: PDFKit.PDFDocument, m: EvidenceManifest): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin: without lifting it pdfkit would start a new page for the footer.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor('#777777')
      .text(
        `${m.claim.id} · ${m.bundleId} · 第 ${i + 1} / ${count} 页 Page ${i + 1} of ${count}`,
        MARGIN,
        PAGE.height - MARGIN,
        { width: CONTENT_WIDTH, align: 'center', lineBreak: false },
      );
    doc.page.margins.bottom = bottom;
  }
}

/** Structured log details as `key=value` pairs (they are ids, codes and amounts, never free text). */
function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
