/**
 * Store seam for dossiers (server/dossiers): administrative files imported from the e-government systems,
 * and a record of each import. Interfaces and records only; the SQLite implementation is sqlite-dossiers.ts.
 */
import type { Dossier, RowProblem } from '../dossiers/dossier-row.js';

/** What an import's merge did to the `dossiers` table. */
export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** One import of a dossier export file, as recorded. */
export interface DossierImport extends ImportCounts {
  id: number;
  source: string;
  fileName: string | null;
  actor: string;
  startedAt: number;
  finishedAt: number | null;
  status: 'staging' | 'imported' | 'refused' | 'failed';
  rows: number;
  valid: number;
  invalid: number;
  problems: RowProblem[];
}

/** A dossier as kept: unique by (source, code). */
export interface StoredDossier extends Dossier {
  source: string;
}

/**
 * Dossiers imported from the e-government systems' exports (server/dossiers): staged per import, then merged
 * by (source, code) so importing the same file twice changes nothing.
 */
export interface DossierStore {
  /** Starts an import (status staging); returns its id. */
  begin(input: { source: string; fileName?: string; actor: string; now: number }): number;
  /** Stages valid rows; returns the codes already staged by this import (repeated in the file). */
  stage(importId: number, rows: Array<{ row: number; dossier: Dossier }>): Array<{ row: number; code: string }>;
  /** Merges the staged rows into `dossiers`, records the outcome, drops the staging rows. */
  commit(
    importId: number,
    summary: { rows: number; invalid: number; problems: RowProblem[] },
    now: number,
  ): ImportCounts;
  /** Records a refused (or failed) import and drops its staging rows; nothing reaches `dossiers`. */
  refuse(
    importId: number,
    status: 'refused' | 'failed',
    summary: { rows: number; invalid: number; problems: RowProblem[] },
    now: number,
  ): void;
  /** One import's record, with its counts and (capped) row problems. */
  getImport(id: number): DossierImport | undefined;
  /** How many dossiers are kept. */
  count(): number;
  /** Id of the newest completed import (0 before any): changes whenever dossiers may have changed. */
  lastImportId(): number;
  /** Dossiers due in [dueFrom, dueTo), optionally of one commune, by due time. */
  list(q: { dueFrom?: number; dueTo?: number; commune?: string; limit?: number }): StoredDossier[];
  /** The same, streamed rather than built as one array: a year of a province is a million rows. */
  iterate(q: { dueFrom?: number; dueTo?: number; commune?: string }): IterableIterator<StoredDossier>;
  /** The earliest receipt among the dossiers due in the span (undefined when none): how far back outages matter. */
  earliestReceived(q: { dueFrom?: number; dueTo?: number; commune?: string }): number | undefined;
}
