/**
 * Rows out of the files provinces export: CSV (csv-parse: quoted fields, BOM, `,` or `;` chosen from the
 * header line) and XLSX (exceljs's streaming reader, first worksheet), streamed so a million-row file never
 * sits in memory. Row numbers are those a spreadsheet shows (the header is row 1).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

/** One row of a file as read: its 1-based number and its cells, header row included. */
export interface RawRow {
  rowNumber: number;
  cells: unknown[];
}

/** The file formats read. */
export type FileKind = 'csv' | 'xlsx';

/** The format from the file name, or undefined when it is neither. */
export function fileKind(file: string): FileKind | undefined {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.xlsx$/i.test(file)) return 'xlsx';
  return undefined;
}

/** Streams the rows of a CSV or XLSX file (the first worksheet), the header first. */
export function readRows(file: string, kind: FileKind): AsyncIterable<RawRow> {
  return kind === 'csv' ? csvRows(file) : xlsxRows(file);
}

async function* csvRows(file: string): AsyncIterable<RawRow> {
  const handle = await open(file);
  const head = Buffer.alloc(4096);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  await handle.close();
  const firstLine = head.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const parser = createReadStream(file).pipe(
    parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true }),
  );
  let rowNumber = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    rowNumber++;
    yield { rowNumber, cells: record };
  }
}

async function* xlsxRows(file: string): AsyncIterable<RawRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  });
  for await (const worksheet of workbook) {
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const cells: unknown[] = [];
      (row.values as unknown[]).forEach((v, i) => {
        if (i > 0) cells[i - 1] = cellValue(v);
      });
      yield { rowNumber: row.number, cells };
    }
    return; // the first worksheet only
  }
}

/** exceljs cell values → what the row parser understands. */
function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  // A date cell holds the wall-clock time as if it were UTC: hand it on as local text, not as an instant.
  if (v instanceof Date) return v.toISOString().slice(0, 19);
  if (typeof v === 'object') {
    const o = v as { text?: unknown; richText?: Array<{ text: string }>; result?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.result !== undefined) return cellValue(o.result);
    if (o.text !== undefined) return o.text;
  }
  return v;
}
