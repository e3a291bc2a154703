/**
 * report.pdf: the bundle's report as a PDF (pdfkit), for the vendor and the province to file and sign.
 * Vietnamese needs a font with its precomposed letters (ầ, ộ, ữ …): the standard PDF fonts have none, so
 * DejaVu Sans (Debian's fonts-dejavu-core) is embedded, subset to the glyphs used, with the Unicode map that
 * lets `pdftotext` and screen readers get the text back exactly. The font folder can be moved with the
 * COMMUNEWATCH_PDF_FONT_DIR environment variable or the builder's `fontDir`; a missing font is an error that
 * says which file and which package, never a PDF of empty boxes.
 *
 * Landscape A4, because the incident and dossier tables are wide; the same tables as the CSV files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { Tabular } from '../export/tabular.js';
import type { BundleData } from './bundle-data.js';
import { bundleTables } from './bundle-tables.js';
import { both, bt, serviceLabel, type BundleKey } from './bundle-text.js';

export const DEFAULT_FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const REGULAR = 'DejaVuSans.ttf';
const BOLD = 'DejaVuSans-Bold.ttf';

/** The font folder: the option, else COMMUNEWATCH_PDF_FONT_DIR, else Debian's. */
export function pdfFontDir(option?: string): string {
  return option ?? process.env.COMMUNEWATCH_PDF_FONT_DIR ?? DEFAULT_FONT_DIR;
}

/** The two font files, read; throws naming the missing file and how to get it. */
export function loadPdfFonts(dir: string): { regular: Buffer; bold: Buffer } {
  for (const f of [REGULAR, BOLD]) {
    const path = join(dir, f);
    if (!existsSync(path))
      throw new Error(
        `the PDF font ${path} is missing: install Debian's fonts-dejavu-core (apt-get install fonts-dejavu-core) ` +
          'or point COMMUNEWATCH_PDF_FONT_DIR at a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf',
      );
  }
  return { regular: readFileSync(join(dir, REGULAR)), bold: readFileSync(join(dir, BOLD)) };
}

export interface PdfOptions {
  serverVersion: string;
  keyId: string;
  fonts: { regular: Buffer; bold: Buffer };
  /** The document's creation time (its metadata), epoch ms. */
  now: number;
}

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
  const para = (key: BundleKey) => {
    doc.font('body').fontSize(8.5).text(bt('vi', key), { width });
    doc.fillColor('#555').text(bt('en', key), { width }).fillColor('#000').moveDown(0.3);
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
  const meta: Array<[BundleKey, string]> = [
    ['vendor', `${d.vendor.name} (${d.vendor.id})`],
    ['services', d.vendor.services.map(serviceLabel).join('; ')],
    ['period', `${d.period.from} → ${d.period.to}`],
    ['generated', d.generatedAt],
    ['server_version', o.serverVersion],
    ['key_id', o.keyId],
  ];
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
