/**
 * Any table as a file leaders can open: CSV (csv-stringify, UTF-8 with BOM so Excel shows the
 * diacritics) or XLSX (exceljs). Safe against formula injection: a text cell that starts with = + - @ or
 * a control character (a dossier code, an error message, a host name typed by anyone) is written with a
 * leading apostrophe, so no spreadsheet evaluates it. Numbers stay numbers.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';

export type Cell = string | number | null;

export interface Tabular {
  /** File name without extension, ASCII. */
  name: string;
  /** Sheet title (XLSX). */
  sheet: string;
  headers: readonly string[];
  rows: Iterable<readonly Cell[]>;
}

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Neutralises spreadsheet formulas (OWASP CSV injection). */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const clean = (row: readonly Cell[]): Array<string | number> =>
  row.map((c) => (c === null ? '' : typeof c === 'number' ? c : safeCell(c)));

export function tableCsv(t: Tabular): Buffer {
  const rows: Array<Array<string | number>> = [t.headers.map(safeCell)];
  for (const r of t.rows) rows.push(clean(r));
  return Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(stringify(rows))]);
}

export async function tableXlsx(t: Tabular): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CommuneWatch';
  // Excel refuses sheet names over 31 characters or with []:*?/\ in them.
  const ws = wb.addWorksheet(t.sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
  ws.addRow(t.headers.map(safeCell)).font = { bold: true };
  for (const r of t.rows) ws.addRow(clean(r));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function sendTable(reply: FastifyReply, t: Tabular, format: ExportFormat): Promise<FastifyReply> {
  const name = t.name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (format === 'csv') {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send(tableCsv(t));
  }
  return reply
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename="${name}.xlsx"`)
    .send(await tableXlsx(t));
}
