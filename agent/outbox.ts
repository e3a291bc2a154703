/**
 * The agent's durable outbox: every result is committed to a local SQLite file (WAL) before any attempt
 * to send it, and deleted only when the server acknowledged the batch that carried it.
 *
 * Batches are stable: when the pusher asks for work, the oldest unsent rows are stamped with a fresh
 * batchId in the same transaction, and until that batch is acknowledged every later call returns exactly
 * the same rows under the same id — across agent restarts too. The server deduplicates on batchId (and on
 * result id), so a batch whose reply was lost is simply acknowledged again.
 *
 * Bounds: at most `maxRows` rows and `maxAgeDays` of age; the oldest are dropped first and counted in
 * `droppedTotal`, which is reported to the server so a gap is explained, not silent.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { HealthRecord, InventoryRecord, ProbeResult } from '../protocol/wire.js';
import type { HealthSample, InventoryDoc } from '../protocol/system.js';

export type UnsequencedResult = Omit<ProbeResult, 'seq'>;

export interface OutboxBatch {
  batchId: string;
  results: ProbeResult[];
  health: HealthRecord[];
  inventory: InventoryRecord[];
}

/** What a row holds. Probe results are the bulk; PC health and inventory share the queue and sequence. */
export type RecordType = 'result' | 'health' | 'inventory';

export interface OutboxStats {
  pending: number;
  oldestTs: number | null;
  droppedTotal: number;
  deadLettered: number;
  lastSeq: number;
}

export interface OutboxOptions {
  file: string;
  maxRows: number;
  maxAgeDays: number;
  now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: a seq is never reused, even after deletes
  ts INTEGER NOT NULL,
  batch_id TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_batch ON outbox(batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_ts ON outbox(ts);
-- Batches the server refused as malformed (HTTP 400): kept for inspection and re-sending after an upgrade.
CREATE TABLE IF NOT EXISTS dead_letter (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  body TEXT NOT NULL,
  reason TEXT NOT NULL,
  parked_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('dropped_total', 0);
`;

export class Outbox {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly stmts;

  constructor(private readonly options: OutboxOptions) {
    try {
      mkdirSync(dirname(options.file), { recursive: true });
      this.db = new Database(options.file, { timeout: 5000 });
    } catch (err) {
      throw new Error(`cannot open agent outbox ${options.file}: ${(err as Error).message}`);
    }
    this.db.pragma('journal_mode = WAL');
    // FULL: a result acknowledged to nobody yet must survive a power cut at a commune office.
    this.db.pragma('synchronous = FULL');
    // The outbox is written at the tail and read at the head: a few pages are hot. SQLite's default 2 MiB
    // page cache would fill with pages read once; 256 KiB keeps the agent's memory down on old PCs.
    this.db.pragma('cache_size = -256');
    this.db.exec(SCHEMA);
    addTypeColumn(this.db);
    this.now = options.now ?? Date.now;
    this.stmts = {
      insert: this.db.prepare('INSERT INTO outbox (ts, body, type) VALUES (?, ?, ?)'),
      pendingBatch: this.db.prepare('SELECT batch_id FROM outbox WHERE batch_id IS NOT NULL ORDER BY seq LIMIT 1'),
      rowsOfBatch: this.db.prepare('SELECT seq, body, type FROM outbox WHERE batch_id = ? ORDER BY seq'),
      oldestUnbatched: this.db.prepare('SELECT seq FROM outbox WHERE batch_id IS NULL ORDER BY seq LIMIT ?'),
      stamp: this.db.prepare(
        'UPDATE outbox SET batch_id = ? WHERE seq IN (SELECT seq FROM outbox WHERE batch_id IS NULL ORDER BY seq LIMIT ?)',
      ),
      deleteBatch: this.db.prepare('DELETE FROM outbox WHERE batch_id = ?'),
      unstampBatch: this.db.prepare('UPDATE outbox SET batch_id = NULL WHERE batch_id = ?'),
      lastSeq: this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
      dropOldest: this.db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)'),
      // Only from the old end (seq order), even if the agent clock once ran backwards: rows in the middle
      // stay, and the seq span keeps equal to the row count.
      dropOlderThan: this.db.prepare(
        'DELETE FROM outbox WHERE seq <= (SELECT seq FROM outbox WHERE ts < ? ORDER BY seq DESC LIMIT 1)',
      ),
      oldestTs: this.db.prepare('SELECT ts FROM outbox ORDER BY ts LIMIT 1'),
      seqSpan: this.db.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM outbox'),
      addDropped: this.db.prepare("UPDATE meta SET value = value + ? WHERE key = 'dropped_total'"),
      dropped: this.db.prepare("SELECT value FROM meta WHERE key = 'dropped_total'"),
      park: this.db.prepare(
        `INSERT OR REPLACE INTO dead_letter (seq, ts, body, type, reason, parked_at)
        SELECT seq, ts, body, type, ?, ? FROM outbox WHERE batch_id = ?`,
      ),
      deadCount: this.db.prepare('SELECT count(*) AS n FROM dead_letter'),
    };
    this.enforceBounds();
  }

  /** Durably appends a result and returns it with its sequence number. */
  append(result: UnsequencedResult): ProbeResult {
    // The seq is the row id; the body is stored without it and the two are joined on read.
    const seq = this.insert('result', result.ts, result);
    return { ...result, seq };
  }

  /** Durably appends a PC health sample or inventory document; returns its sequence number. */
  appendRecord(type: 'health', record: HealthSample & { id: string }): number;
  appendRecord(type: 'inventory', record: InventoryDoc & { id: string }): number;
  appendRecord(type: 'health' | 'inventory', record: { id: string; ts: number }): number {
    return this.insert(type, record.ts, record);
  }

  private insert(type: RecordType, ts: number, body: object): number {
    const seq = Number(this.stmts.insert.run(ts, JSON.stringify(body), type).lastInsertRowid);
    this.enforceBounds();
    return seq;
  }

  /**
   * The batch to send next: the pending (stamped, unacknowledged) batch if there is one, else the oldest
   * unsent rows stamped with a new batchId. Undefined when the outbox is empty.
   */
  nextBatch(limit: number): OutboxBatch | undefined {
    return this.db
      .transaction((): OutboxBatch | undefined => {
        let row = this.stmts.pendingBatch.get() as { batch_id: string } | undefined;
        if (!row) {
          if (this.stmts.oldestUnbatched.all(1).length === 0) return undefined;
          const batchId = randomUUID();
          this.stmts.stamp.run(batchId, limit);
          row = { batch_id: batchId };
        }
        const rows = this.stmts.rowsOfBatch.all(row.batch_id) as { seq: number; body: string; type: RecordType }[];
        const batch: OutboxBatch = { batchId: row.batch_id, results: [], health: [], inventory: [] };
        for (const r of rows) {
          const record = { ...(JSON.parse(r.body) as object), seq: r.seq };
          if (r.type === 'health') batch.health.push(record as HealthRecord);
          else if (r.type === 'inventory') batch.inventory.push(record as InventoryRecord);
          else batch.results.push(record as ProbeResult);
        }
        return batch;
      })
      .immediate();
  }

  /** The server stored (or had already stored) this batch: forget it. */
  acknowledge(batchId: string): number {
    return this.stmts.deleteBatch.run(batchId).changes;
  }

  /**
   * Releases a pending batch so its rows are re-batched (e.g. after a 413, with a smaller limit).
   * Safe: the server never stored a batch it answered 413 to.
   */
  release(batchId: string): void {
    this.stmts.unstampBatch.run(batchId);
  }

  /** Moves a batch the server will never accept out of the way, keeping its rows. */
  deadLetter(batchId: string, reason: string): void {
    this.db.transaction(() => {
      this.stmts.park.run(reason, this.now(), batchId);
      this.stmts.deleteBatch.run(batchId);
    })();
  }

  stats(): OutboxStats {
    const n = this.pendingCount();
    const oldest = (this.stmts.oldestTs.get() as { ts: number } | undefined)?.ts ?? null;
    const seqRow = this.stmts.lastSeq.get() as { seq: number } | undefined;
    const dead = (this.stmts.deadCount.get() as { n: number }).n;
    return {
      pending: n,
      oldestTs: oldest,
      droppedTotal: this.droppedTotal(),
      deadLettered: dead,
      lastSeq: seqRow?.seq ?? 0,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Rows leave only from the old end (acks and drops), so the seq span is the row count: O(log n). */
  private pendingCount(): number {
    const { lo, hi } = this.stmts.seqSpan.get() as { lo: number | null; hi: number | null };
    return lo === null || hi === null ? 0 : hi - lo + 1;
  }

  private droppedTotal(): number {
    return (this.stmts.dropped.get() as { value: number }).value;
  }

  /** Drops the oldest rows beyond the size and age bounds, counting them. Called periodically by append. */
  private enforceBounds(): void {
    this.db.transaction(() => {
      // Both checks are index lookups, cheap enough for every append even with a million rows queued.
      let dropped = 0;
      const cutoff = this.now() - this.options.maxAgeDays * 86_400_000;
      const oldest = this.stmts.oldestTs.get() as { ts: number } | undefined;
      if (oldest && oldest.ts < cutoff) dropped += this.stmts.dropOlderThan.run(cutoff).changes;
      // Note: a clock jumping forward by more than maxAgeDays ages every row at once; the size bound is the
      // real disk guard, so keep maxAgeDays generous.
      const n = this.pendingCount();
      if (n > this.options.maxRows) dropped += this.stmts.dropOldest.run(n - this.options.maxRows).changes;
      if (dropped > 0) this.stmts.addDropped.run(dropped);
    })();
  }
}

/** Outboxes created before health/inventory records existed hold only results: add the column in place. */
function addTypeColumn(db: Database.Database): void {
  for (const table of ['outbox', 'dead_letter']) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((c) => c.name === 'type'))
      db.exec(`ALTER TABLE ${table} ADD COLUMN type TEXT NOT NULL DEFAULT 'result'`);
  }
}
