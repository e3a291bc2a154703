/**
 * Shared helpers for the store tests: real SQLite files in a fresh temp directory per test (removed
 * afterwards), and a compact result factory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../../../server/store/sqlite-store.js';
import type { IngestInput, ResultToStore } from '../../../server/store/store.js';

/** 2026-11-24T17:30Z — 00:30 on 2026-11-25 in Vietnam (UTC+7). */
export const T0 = Date.UTC(2026, 10, 24, 17, 30);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const dirs: string[] = [];
const stores: SqliteStore[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory under os.tmpdir(), removed after the current test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-store-'));
  dirs.push(dir);
  return dir;
}

/** Opens a store on a new temp file; it is closed after the current test. */
export function openTempStore(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = openSqliteStore({ file: join(tempDir(), 'test.db'), ...options });
  stores.push(store);
  return store;
}

/** Registers `store` for closing after the test (for stores opened by the test itself). */
export function track(store: SqliteStore): SqliteStore {
  stores.push(store);
  return store;
}

let counter = 0;

/** A successful HTTP-ish result; override anything. Ids are unique per call unless given. */
export function result(overrides: Partial<ResultToStore> = {}): ResultToStore {
  counter += 1;
  const ts = overrides.ts ?? T0;
  return {
    id: `r-${String(counter).padStart(8, '0')}`,
    seq: counter,
    ts,
    agentTs: ts,
    target: 'portal',
    kind: 'http',
    service: 'portal',
    ok: true,
    durationMs: 120,
    latencyMs: 100,
    ...overrides,
  };
}

/** An agent in commune 26734 plus a batch builder bound to it. */
export function withAgent(store: SqliteStore, commune = '26734') {
  const agent = store.createAgent({
    commune,
    name: 'pc-1',
    tokenLookup: `lk-${commune}-${counter++}`,
    tokenHash: 'ab'.repeat(32),
    now: T0,
  });
  let batchNo = 0;
  const batch = (results: ResultToStore[], extra: Partial<IngestInput> = {}): IngestInput => ({
    agentId: agent.id,
    commune,
    batchId: `batch-${agent.id}-${++batchNo}`,
    receivedAt: T0 + MINUTE,
    skewMs: 0,
    results,
    ...extra,
  });
  return { agent, batch };
}
