import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../../server/store/sqlite-migrate.js';
import { openSqliteStore, StoreError } from '../../../server/store/sqlite-store.js';
import { openTempStore, result, T0, tempDir, track, withAgent } from './fixtures.js';

/** The shipped migrations, so these tests keep holding as numbered files are added. */
const SHIPPED = loadMigrations();
const LATEST = SHIPPED.length;

describe('migrations', () => {
  it('apply on a fresh file, with the connection pragmas set and STRICT tables', () => {
    const file = join(tempDir(), 'nested', 'deeper', 'cw.db');
    const store = track(openSqliteStore({ file }));
    const db = store.db;
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(
      SHIPPED.map((m) => ({ version: m.version, name: m.name })),
    );
    expect(SHIPPED.slice(0, 8).map((m) => m.name)).toEqual([
      'init',
      'fault-layer',
      'pc-health-inventory',
      'calendar',
      'incidents',
      'alerts',
      'incident-agent-index',
      'dossiers',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(67_108_864);
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_migrations'")
      .all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual([
      'agents',
      'alert_groups',
      'alert_members',
      'api_tokens',
      'calendar_audit',
      'calendar_days',
      'commune_catchup',
      'dossier_imports',
      'dossier_staging',
      'dossiers',
      'health_samples',
      'incident_communes',
      'incident_events',
      'incident_evidence',
      'incident_replies',
      'incidents',
      'ingested_batches',
      'inventory_docs',
      'notifications',
      'report_log',
      'results',
      'rollup_day',
      'rollup_hour',
      'rollup_minute',
      'rollup_service_hour',
      'rum_apps',
      'rum_batches',
      'rum_error_dims',
      'rum_error_groups',
      'rum_fetch_failures',
      'rum_vitals',
      'silences',
      'target_states',
      'targets',
      'users',
      'web_sessions',
      'work_schedules',
    ]);
    for (const t of tables) expect(t.sql, t.name).toMatch(/\)\s*STRICT/);
  });

  it('re-opening an up-to-date file is a no-op that keeps the data', () => {
    const file = join(tempDir(), 'cw.db');
    const first = openSqliteStore({ file });
    const { batch } = withAgent(first);
    first.ingestBatch(batch([result()]));
    const applied = first.db.prepare('SELECT * FROM schema_migrations').all();
    first.close();
    first.close(); // idempotent

    const again = track(openSqliteStore({ file }));
    expect(again.db.prepare('SELECT * FROM schema_migrations').all()).toEqual(applied);
    expect(again.countResults({})).toBe(1);
    expect(migrate(again.db)).toEqual({ from: LATEST, to: LATEST, applied: [] });
  });

  it('refuses a database written by a newer version, naming the file', () => {
    const file = join(tempDir(), 'cw.db');
    openSqliteStore({ file }).close();
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, ?)')
      .run('from-the-future', T0);
    raw.close();
    let caught: unknown;
    try {
      openSqliteStore({ file });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('CW_ERR_STORE_SCHEMA_TOO_NEW');
    expect((caught as StoreError).message).toContain(file);
    expect((caught as StoreError).message).toContain(`version 99 is newer than this CommuneWatch supports (${LATEST})`);
  });

  it('names the file when it cannot be opened', () => {
    const dir = tempDir();
    const notADb = join(dir, 'garbage.db');
    writeFileSync(notADb, 'this is not an SQLite database, just text long enough to have a header'.repeat(10));
    expect(() => openSqliteStore({ file: notADb })).toThrow(
      new RegExp(`cannot open database ${notADb}: .*not a database`),
    );
    const isADir = join(dir, 'a-directory');
    mkdirSync(isADir);
    expect(() => openSqliteStore({ file: isADir })).toThrow(`cannot open database ${isADir}`);
  });

  it('runs each migration in its own transaction: a failing one leaves the earlier ones applied', () => {
    const store = openTempStore();
    const next = LATEST + 1;
    const label = (name: string) => `${String(next).padStart(3, '0')}-${name}`;
    const broken = {
      version: next,
      name: 'broken',
      sql: 'CREATE TABLE half_done (x INTEGER) STRICT; SELECT nope FROM nowhere;',
    };
    expect(() => migrate(store.db, { migrations: [...SHIPPED, broken] })).toThrow(/no such table: nowhere/);
    expect(store.db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(LATEST);

    const fixed = { version: next, name: 'fixed', sql: 'CREATE TABLE later (x INTEGER) STRICT;' };
    expect(migrate(store.db, { migrations: [...SHIPPED, fixed] })).toEqual({
      from: LATEST,
      to: next,
      applied: [label('fixed')],
    });
  });

  it('rejects misnamed or non-consecutive migration files', () => {
    const gap = tempDir();
    writeFileSync(join(gap, '001-init.sql'), 'SELECT 1;');
    writeFileSync(join(gap, '003-skip.sql'), 'SELECT 1;');
    expect(() => loadMigrations(pathToFileURL(`${gap}/`))).toThrow('migration 003-skip.sql: expected version 2');
    const misnamed = tempDir();
    writeFileSync(join(misnamed, '001_init.sql'), 'SELECT 1;');
    expect(() => loadMigrations(pathToFileURL(`${misnamed}/`))).toThrow(
      'migration file 001_init.sql does not match NNN-name.sql',
    );
  });
});
