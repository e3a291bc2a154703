/**
 * Importing dossiers: header row mapped to fields, every row checked, valid rows staged in chunks, then
 * either merged (upsert by source + code) or — when any row is bad and `partial` is not set — nothing at
 * all, with a report naming every bad cell. Shared by the CLI (files), and the API (JSON rows).
 */
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import { mapHeaders, type DossierField } from './fields.js';
import { toDossier, type Dossier, type RowProblem } from './dossier-row.js';
import type { RawRow } from './readers.js';

/** Where to import to, from what source, by whom, and how strictly. */
export interface ImportOptions {
  store: Store;
  units: Units;
  offsetMinutes: number;
  /** Where the records come from, e.g. "motcua-laocai": the same code from two sources is two dossiers. */
  source: string;
  fileName?: string;
  actor: string;
  now: () => number;
  /** Import the good rows even when some are bad. */
  partial: boolean;
  /** Extra header names → fields (a mapping file). */
  mapping?: Record<string, DossierField>;
  /** Called every `progressEvery` rows with the rows read so far. */
  onProgress?: (rows: number) => void;
  progressEvery?: number;
}

/** What an import did; kept with the import and answered by the API and the CLI. */
export interface ImportReport {
  importId: number;
  status: 'imported' | 'refused';
  rows: number;
  valid: number;
  invalid: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Every problem found (row, column, value, reason); the stored import keeps the first 1,000. */
  problems: RowProblem[];
  /** Headers that map to no field (ignored). */
  ignoredHeaders: string[];
}

const CHUNK = 5000;

/** The header row lacks required columns: nothing can be read (the API answers 400). */
export class ImportHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportHeaderError';
  }
}

/** Imports rows whose first row is the header. Throws ImportHeaderError when required columns are missing. */
export async function importRows(rows: AsyncIterable<RawRow>, opts: ImportOptions): Promise<ImportReport> {
  const iterator = rows[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new ImportHeaderError('the file is empty: expected a header row, then one row per dossier');
  const headers = first.value.cells.map((c) => String(c ?? '').trim());
  const mapping = mapHeaders(headers, opts.mapping);
  if (mapping.missing.length > 0) {
    throw new ImportHeaderError(
      `no column for ${mapping.missing.join(', ')}; headers found: ${headers.filter(Boolean).join(', ')} ` +
        '(see docs/dossiers.md for the accepted names, or give a mapping file)',
    );
  }
  const headerOf = (field: DossierField) => {
    for (const [i, f] of mapping.columns) if (f === field) return headers[i]!;
    return field;
  };
  const importId = opts.store.dossiers.begin({
    source: opts.source,
    fileName: opts.fileName,
    actor: opts.actor,
    now: opts.now(),
  });
  const problems: RowProblem[] = [];
  let count = 0;
  let invalid = 0;
  let chunk: Array<{ row: number; dossier: Dossier }> = [];
  const flush = () => {
    for (const r of opts.store.dossiers.stage(importId, chunk)) {
      invalid++;
      problems.push({
        row: r.row,
        column: headerOf('code'),
        value: r.code,
        reason: 'this dossier code appears on an earlier row of the file',
      });
    }
    chunk = [];
  };
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const raw = next.value;
      if (raw.cells.every((c) => c === undefined || c === null || String(c).trim() === '')) continue;
      count++;
      const cells: Partial<Record<DossierField, unknown>> = {};
      for (const [i, field] of mapping.columns) cells[field] = raw.cells[i];
      const { dossier, problems: bad } = toDossier(cells, {
        rowNumber: raw.rowNumber,
        headerOf,
        units: opts.units,
        offsetMinutes: opts.offsetMinutes,
      });
      if (dossier) chunk.push({ row: raw.rowNumber, dossier });
      else {
        invalid++;
        problems.push(...bad);
      }
      if (chunk.length >= CHUNK) flush();
      if (opts.onProgress && count % (opts.progressEvery ?? 100_000) === 0) opts.onProgress(count);
    }
    flush();
  } catch (err) {
    opts.store.dossiers.refuse(importId, 'failed', { rows: count, invalid, problems }, opts.now());
    throw err;
  }
  const summary = { rows: count, invalid, problems };
  const base = { importId, rows: count, valid: count - invalid, invalid, problems, ignoredHeaders: mapping.ignored };
  if (invalid > 0 && !opts.partial) {
    opts.store.dossiers.refuse(importId, 'refused', summary, opts.now());
    return { ...base, status: 'refused', inserted: 0, updated: 0, unchanged: 0 };
  }
  const counts = opts.store.dossiers.commit(importId, summary, opts.now());
  return { ...base, status: 'imported', ...counts };
}

/** JSON objects (the API) as rows: the union of their keys is the header. */
export async function* objectRows(records: ReadonlyArray<Record<string, unknown>>): AsyncIterable<RawRow> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  yield { rowNumber: 1, cells: keys };
  for (const [i, r] of records.entries()) yield { rowNumber: i + 2, cells: keys.map((k) => r[k]) };
}
