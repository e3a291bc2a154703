/**
 * report.pdf: the bundle's report as a PDF (pdfkit), for the vendor and the province to file and sign: the
 * heading block, the same tables as the CSV files, then each vendor-side incident's record essentials
 * (pdf-record.ts) and how to check the signature.
 *
 * Vietnamese needs a font with its precomposed letters: DejaVu Sans is embedded (pdf-fonts.ts), subset to the
 * glyphs used, with the Unicode map that lets `pdftotext` and screen readers get the text back exactly.
 * Landscape A4, because the incident and dossier tables are wide.
 */
import PDFDocument from 'pdfkit';
import type { Tabular } from '../export/tabular.js';
import type { BundleData } from './bundle-data.js';
import { bundleMeta, type BundleOrigin } from './bundle-meta.js';
import { bundleTables } from './bundle-tables.js';
import { both, bt, type BundleKey } from './bundle-text.js';
import type { IncidentRecord } from './incident-record.js';
import type { PdfFonts } from './pdf-fonts.js';
import { drawRecordPdf } from './pdf-record.js';

export { DEFAULT_FONT_DIR, loadPdfFonts, pdfFontDir, PdfFontMissing } from './pdf-fonts.js';

/** What reportPdf needs beside the bundle model. */
export interface PdfOptions extends BundleOrigin {
  /** DejaVu Sans, as loadPdfFonts reads it. */
  fonts: PdfFonts;
  /** The document's creation time (its metadata), epoch ms. */
  now: number;
  /**
   * The record of each vendor-side incident, by incident id, already scrubbed of secrets; an incident without
   * one gets a line pointing at its page.
   */
  records?: ReadonlyMap<number, IncidentRecord>;
}

/**
 * The bundle's report as PDF bytes: heading block, SLA, the vendor's incidents, those not theirs, RUM error
 * groups, overdue dossiers, the vendor's incident records, and how to verify; page numbers in the footer.
 */
export function reportPdf(d: BundleData, o: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    bufferPages: true,
    info: {
      Title: `${bt('vi', 'title')} — ${d.vendor.name}`,
      Author: 'CommuneWatch',
      Subject: `${d.vendor.id} ${d.period.from} ${d.period.to}`,
      CreationDate: new Date(o.now),
    },
    lang: 'vi-VN',
  });
  doc.registerFont('body', o.fonts.regular);
  doc.registerFont('bold', o.fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 72;
  const heading = (key: BundleKey, size = 12) => {
    if (doc.y > doc.page.height - 120) doc.addPage();
    doc.moveDown(0.6).font('bold').fontSize(size).text(bt('vi', key), { width });
    doc
      .font('body')
      .fontSize(size - 3)
      .fillColor('#555')
      .text(bt('en', key), { width })
      .fillColor('#000');
    doc.moveDown(0.3);
  };
  const para = (key: BundleKey, vars: Record<string, string | number> = {}) => {
    doc
      .font('body')
      .fontSize(8.5)
      .text(bt('vi', key, vars), { width });
    doc
      .fillColor('#555')
      .text(bt('en', key, vars), { width })
      .fillColor('#000')
      .moveDown(0.3);
  };
  const table = (t: Tabular) => {
    const rows = [...t.rows];
    if (rows.length === 0) {
      doc.font('body').fontSize(8.5).text(both('none'), { width });
      return;
    }
    doc.x = 36;
    doc.table({
      maxWidth: width,
      defaultStyle: { padding: 2, border: 0.5, font: { src: 'body', size: 7 } } as never,
      rowStyles: (i) =>
        i === 0 ? ({ backgroundColor: '#eeeeee', font: { src: 'bold', size: 7 } } as never) : undefined,
      data: [t.headers.map((h) => h), ...rows.map((r) => r.map((c) => (c === null ? '' : String(c))))],
    });
    doc.x = 36;
    doc.moveDown(0.5);
  };

  doc.font('bold').fontSize(16).text(bt('vi', 'title'), { width });
  doc.font('body').fontSize(11).fillColor('#555').text(bt('en', 'title'), { width }).fillColor('#000').moveDown(0.5);
  const meta = bundleMeta(d, o);
  for (const [k, v] of meta) {
    doc
      .font('bold')
      .fontSize(9)
      .text(`${both(k)}: `, { continued: true, width });
    doc.font('body').text(v, { width });
  }
  doc.moveDown(0.3);
  para('intro');

  const t = bundleTables(d);
  heading('sec_sla');
  if (d.sla === null) doc.font('body').fontSize(8.5).text(both('sla_missing'), { width });
  else table(t.sla);
  heading('sec_incidents');
  table(t.incidents);
  heading('sec_not_theirs');
  para('sec_not_theirs_note');
  table(t.notTheirs);
  heading('sec_rum');
  para('sec_rum_note');
  table(t.rumErrors);
  heading('sec_dossiers');
  table(t.dossiers);
  if (d.incidents.length > 0) {
    // A record needs room: its heading is not left alone at the foot of a page.
    if (doc.y > doc.page.height - 220) doc.addPage();
    heading('sec_records');
    for (const i of d.incidents) {
      const record = o.records?.get(i.id);
      if (record) drawRecordPdf(doc, record, width, d.period.timezoneOffsetMinutes);
      else {
        doc.moveDown(0.3).font('bold').fontSize(10).text(`#${i.id}`, { width });
        para('record_missing', { id: i.id });
      }
    }
  }
  heading('sec_verify');
  para('verify_text');
  doc.font('body').fontSize(8).text(o.keyId, { width });

  // Page numbers last, once the number of pages is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin: without this, pdfkit would start a new page for the footer.
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(7)
      .text(`${bt('vi', 'page', { n: i + 1 })} / ${range.count}`, 36, doc.page.height - 30, {
        width,
        align: 'right',
        lineBreak: false,
      });
  }
  doc.end();
  return done;
}
