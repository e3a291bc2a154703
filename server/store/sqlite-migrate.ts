/**
 * Migration runner: applies numbered SQL files (`NNN-name.sql`) from server/store/migrations in order,
 * each in its own IMMEDIATE transaction, and records them in `schema_migrations` (version, name,
 * applied_at). Files are found at run time next to this module, which holds both under vitest (source)
 * and after the build (scripts/copy-assets.mjs copies them into dist/server/store/migrations).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from './store-error.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrateReport {
  from: number;
  to: number;
  applied: string[];
}

/** Where the shipped migrations live, resolved relative to this module (source or dist). */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

const FILE_PATTERN = /^(\d{3})-([a-z0-9][a-z0-9-]*)\.sql$/;

/**
 * Reads the migration files of `dir`, sorted by version. Versions must run 1, 2, 3… without gaps or
 * repeats, and every .sql file must match the naming pattern: a misnamed file would otherwise be skipped
 * silently and the schema would drift.
 */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file, index) => {
    const match = FILE_PATTERN.exec(file);
    if (match === null) {
      throw new StoreError('CW_ERR_STORE_MIGRATION_NAME', `migration file ${file} does not match NNN-name.sql`);
    }
    const version = Number(match[1]);
    if (version !== index + 1) {
      throw new StoreError(
        'CW_ERR_STORE_MIGRATION_ORDER',
        `migration ${file}: expected version ${index + 1} (versions must be consecutive from 001)`,
      );
    }
    return { version, name: match[2] ?? '', sql: readFileSync(new URL(file, dir), 'utf8') };
  });
}

function currentVersion(db: BetterSqlite3.Database): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the schema up to the newest known migration. Re-running on an up-to-date database is a no-op.
 * Refuses (CW_ERR_STORE_SCHEMA_TOO_NEW) a database written by a newer CommuneWatch, because this code
 * would misread or damage tables it does not know.
 */
export function migrate(
  db: BetterSqlite3.Database,
  options: { migrations?: Migration[]; now?: () => number; log?: Logger } = {},
): MigrateReport {
  const migrations = options.migrations ?? loadMigrations();
  const now = options.now ?? Date.now;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const from = currentVersion(db);
  const known = migrations.at(-1)?.version ?? 0;
  if (from > known) {
    throw new StoreError(
      'CW_ERR_STORE_SCHEMA_TOO_NEW',
      `database schema version ${from} is newer than this CommuneWatch supports (${known}); ` +
        'run the newer CommuneWatch or restore a backup made by this version',
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    // IMMEDIATE takes the write lock before re-reading the version, so two processes opening the same
    // file at once cannot both apply a migration.
    const ran = db
      .transaction(() => {
        if (currentVersion(db) >= m.version) return false;
        db.exec(m.sql);
        record.run(m.version, m.name, now());
        return true;
      })
      .immediate();
    if (ran) {
      applied.push(`${String(m.version).padStart(3, '0')}-${m.name}`);
      options.log?.info({ version: m.version, name: m.name }, 'applied database migration');
    }
  }
  return { from, to: Math.max(from, known), applied };
}
