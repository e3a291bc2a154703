/**
 * The Store on one SQLite file (better-sqlite3, WAL). This module opens and migrates the database, and
 * holds agents and the ingest transaction; reads live in sqlite-reads.ts and retention in sqlite-retention.ts.
 *
 * Ingest writes each new result once to the raw table and folds it into minute/hour/day rollups in the
 * same transaction, so dashboards and reports read rollups whose size depends on the time span, never on
 * how many raw rows exist, and raw retention can be short without breaking any view.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from './store-error.js';
import type { AgentStatus } from '../../protocol/wire.js';
import { RESOLUTIONS, RollupAccumulator, ServiceHourAccumulator, type BucketAggregate } from './buckets.js';
import { migrate } from './sqlite-migrate.js';
import { createRetention } from './sqlite-retention.js';
import { createReads, detailJson } from './sqlite-reads.js';
import { createHourOfDayProfile } from './sqlite-profile.js';
import { createSystemStore } from './sqlite-system.js';
import { createIncidentStore } from './sqlite-incidents.js';
import { createCalendarStore } from './sqlite-calendar.js';
import { createApiTokenStore, createSessionStore, createUserStore } from './sqlite-auth.js';
import { createReportLog } from './sqlite-report-log.js';
import { createRumStore } from './sqlite-rum.js';
import { createAlertStore } from './sqlite-alerts.js';
import { createDossierStore } from './sqlite-dossiers.js';
import type {
  AgentRecord,
  AgentSummary,
  AgentWithSecret,
  IngestInput,
  IngestOutcome,
  Resolution,
  ResultToStore,
  Store,
} from './store.js';

export { StoreError } from './store-error.js';

export interface SqliteStoreOptions {
  /** Database file path; its directory is created if missing. */
  file: string;
  /** Local UTC offset that day buckets start at (midnight). Default 420 = Vietnam, UTC+7, no DST. */
  dayOffsetMinutes?: number;
  log?: Logger;
  /** Rows deleted per retention statement. Default 5000. */
  retentionChunkRows?: number;
  /** Retention statements per applyRetention call, across all tables. Default 40. */
  retentionMaxChunks?: number;
}

/** The SQLite Store, plus what only this implementation has. */
export interface SqliteStore extends Store {
  readonly file: string;
  readonly dayOffsetMinutes: number;
  /** The connection itself, for diagnostics, online backup and tests; domain code uses the Store methods. */
  readonly db: BetterSqlite3.Database;
}

const AGENT_COLUMNS = 'id, commune, name, created_at AS createdAt, revoked_at AS revokedAt, last_skew_ms AS lastSkewMs';

interface AgentSummaryRow extends AgentRecord {
  lastPushAt: number | null;
  lastSkewMs: number | null;
  lastStatus: string | null;
  maxSeq: number;
  resultsReceived: number;
}

function openDatabase(file: string, log: Logger | undefined): BetterSqlite3.Database {
  let db: BetterSqlite3.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: 5000 });
    // WAL + FULL: a batch is on disk before its ack leaves, so even a power cut at the data centre cannot
    // lose results the agent has already deleted from its outbox. NORMAL would be faster but could roll
    // back acknowledged batches; agents batch, so the fsync is paid per batch, not per result.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    // Truncate the -wal file back to 64 MiB after checkpoints so one burst does not keep it large.
    db.pragma('journal_size_limit = 67108864');
    migrate(db, { log });
    return db;
  } catch (err) {
    db?.close();
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof StoreError ? err.code : 'CW_ERR_STORE_OPEN';
    throw new StoreError(code, `cannot open database ${file}: ${message}`, { cause: err });
  }
}

/** Opens (creating and migrating as needed) the SQLite store at `options.file`. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const offset = options.dayOffsetMinutes ?? 420;
  if (!Number.isInteger(offset) || offset < -720 || offset > 840) {
    throw new RangeError(`dayOffsetMinutes must be an integer in [-720, 840], got ${offset}`);
  }
  const log = options.log?.child({ component: 'store' });
  const db = openDatabase(options.file, log);

  const system = createSystemStore(db);
  const stmt = {
    createAgent: db.prepare(`INSERT INTO agents (commune, name, token_lookup, token_hash, created_at)
      VALUES (@commune, @name, @tokenLookup, @tokenHash, @now) RETURNING ${AGENT_COLUMNS}`),
    findAgent: db.prepare(`SELECT ${AGENT_COLUMNS}, token_hash AS tokenHash FROM agents
      WHERE token_lookup = ? AND revoked_at IS NULL`),
    listAgents: db.prepare(`SELECT ${AGENT_COLUMNS}, last_push_at AS lastPushAt,
      last_status AS lastStatus, max_seq AS maxSeq, results_received AS resultsReceived
      FROM agents ORDER BY commune, name, id`),
    revokeAgent: db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    findBatch: db.prepare('SELECT stored, duplicates FROM ingested_batches WHERE agent_id = ? AND batch_id = ?'),
    recordBatch: db.prepare(`INSERT INTO ingested_batches (agent_id, batch_id, received_at, stored, duplicates)
      VALUES (?, ?, ?, ?, ?)`),
    // kind/service follow the newest result, so a late result cannot revert a target's reclassification.
    upsertTarget: db
      .prepare(`INSERT INTO targets (commune, name, kind, service, first_seen, last_seen)
        VALUES (@commune, @name, @kind, @service, @firstSeen, @lastSeen)
        ON CONFLICT (commune, name) DO UPDATE SET
          kind = CASE WHEN excluded.last_seen >= last_seen THEN excluded.kind ELSE kind END,
          service = CASE WHEN excluded.last_seen >= last_seen THEN excluded.service ELSE service END,
          first_seen = min(first_seen, excluded.first_seen),
          last_seen = max(last_seen, excluded.last_seen)
        RETURNING id`)
      .pluck(),
    // DO NOTHING on any uniqueness conflict: changes === 0 means the result id was already stored.
    insertResult: db.prepare(`INSERT INTO results (target_id, ts, result_id, seq, agent_id, agent_ts, received_at,
        ok, duration_ms, latency_ms, error_code, error_message, detail, role, layer, blame, link)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    updateAgent: db.prepare(`UPDATE agents SET last_push_at = @receivedAt, last_skew_ms = @skewMs,
        last_status = coalesce(@status, last_status), max_seq = max(max_seq, @maxSeq),
        results_received = results_received + @stored
      WHERE id = @agentId`),
  };
  const foldServiceHour =
    db.prepare(`INSERT INTO rollup_service_hour (service, bucket, count, ok_count, latency_count, latency_sum, latency_max)
      VALUES (@service, @bucket, @count, @okCount, @latencyCount, @latencySum, @latencyMax)
      ON CONFLICT (service, bucket) DO UPDATE SET
        count = count + excluded.count,
        ok_count = ok_count + excluded.ok_count,
        latency_count = latency_count + excluded.latency_count,
        latency_sum = latency_sum + excluded.latency_sum,
        latency_max = coalesce(max(latency_max, excluded.latency_max), latency_max, excluded.latency_max)`);
  // min()/max() with a NULL argument return NULL, hence the coalesce chains for buckets without latency.
  const foldRollup = Object.fromEntries(
    RESOLUTIONS.map((r) => [
      r,
      db.prepare(`INSERT INTO rollup_${r} (target_id, bucket, count, ok_count,
        latency_count, latency_sum, latency_min, latency_max, loss_sum, loss_count)
      VALUES (@targetId, @bucket, @count, @okCount, @latencyCount, @latencySum, @latencyMin, @latencyMax,
        @lossSum, @lossCount)
      ON CONFLICT (target_id, bucket) DO UPDATE SET
        count = count + excluded.count,
        ok_count = ok_count + excluded.ok_count,
        latency_count = latency_count + excluded.latency_count,
        latency_sum = latency_sum + excluded.latency_sum,
        latency_min = coalesce(min(latency_min, excluded.latency_min), latency_min, excluded.latency_min),
        latency_max = coalesce(max(latency_max, excluded.latency_max), latency_max, excluded.latency_max),
        loss_sum = loss_sum + excluded.loss_sum,
        loss_count = loss_count + excluded.loss_count`),
    ]),
  ) as Record<Resolution, BetterSqlite3.Statement<[BucketAggregate]>>;

  /**
   * Upserts each distinct target of the batch once, with its first/last ts and newest kind/service.
   * Ids are cached per batch only: a rolled-back batch may have inserted a target whose id SQLite will
   * hand to another target later, so a cache that outlived the transaction could misattribute results.
   */
  function upsertTargets(commune: string, results: ResultToStore[]): Map<string, number> {
    const seen = new Map<string, { kind: string; service: string; firstSeen: number; lastSeen: number }>();
    for (const r of results) {
      const t = seen.get(r.target);
      if (t === undefined) {
        seen.set(r.target, { kind: r.kind, service: r.service, firstSeen: r.ts, lastSeen: r.ts });
        continue;
      }
      if (r.ts < t.firstSeen) t.firstSeen = r.ts;
      if (r.ts >= t.lastSeen) Object.assign(t, { lastSeen: r.ts, kind: r.kind, service: r.service });
    }
    const ids = new Map<string, number>();
    for (const [name, t] of seen) ids.set(name, stmt.upsertTarget.get({ commune, name, ...t }) as number);
    return ids;
  }

  const ingest = db.transaction((input: IngestInput): IngestOutcome => {
    const touchAgent = (maxSeq: number, stored: number) =>
      stmt.updateAgent.run({
        agentId: input.agentId,
        receivedAt: input.receivedAt,
        skewMs: Math.round(input.skewMs),
        status: input.status === undefined ? null : JSON.stringify(input.status),
        maxSeq,
        stored,
      }).changes;
    const prior = stmt.findBatch.get(input.agentId, input.batchId) as
      | { stored: number; duplicates: number }
      | undefined;
    if (prior !== undefined) {
      // A replay stores no results, but the agent did reach us: keep "last seen" truthful for silence alerts.
      touchAgent(0, 0);
      return { replay: true, ...prior, storedResults: [], storedHealth: [], storedInventory: [] };
    }

    const targetIds = upsertTargets(input.commune, input.results);
    const rollup = new RollupAccumulator(offset);
    const serviceHours = new ServiceHourAccumulator(offset);
    const storedResults: ResultToStore[] = [];
    let maxSeq = 0;
    for (const r of input.results) {
      if (r.seq > maxSeq) maxSeq = r.seq;
      const targetId = targetIds.get(r.target) as number;
      const { changes } = stmt.insertResult.run(
        targetId,
        r.ts,
        r.id,
        r.seq,
        input.agentId,
        r.agentTs,
        input.receivedAt,
        r.ok ? 1 : 0,
        r.durationMs,
        r.latencyMs ?? null,
        r.error?.code ?? null,
        r.error?.message ?? null,
        detailJson(r),
        r.role ?? null,
        r.layer ?? null,
        r.blame ?? null,
        r.link ?? null,
      );
      if (changes === 0) continue;
      storedResults.push(r);
      rollup.add(targetId, r);
      serviceHours.add(r);
    }
    for (const resolution of RESOLUTIONS) {
      for (const agg of rollup.aggregates(resolution)) foldRollup[resolution].run(agg);
    }
    for (const agg of serviceHours.aggregates()) foldServiceHour.run(agg);
    const health = input.health ?? [];
    const inventory = input.inventory ?? [];
    const { storedHealth, storedInventory } = system.insert(
      input.agentId,
      input.commune,
      input.receivedAt,
      health,
      inventory,
    );
    for (const r of [...health, ...inventory]) if (r.seq > maxSeq) maxSeq = r.seq;
    const stored = storedResults.length + storedHealth.length + storedInventory.length;
    const duplicates = input.results.length + health.length + inventory.length - stored;
    stmt.recordBatch.run(input.agentId, input.batchId, input.receivedAt, stored, duplicates);
    if (touchAgent(maxSeq, stored) === 0)
      throw new StoreError('CW_ERR_STORE_UNKNOWN_AGENT', `no agent with id ${input.agentId}`);
    return { replay: false, stored, duplicates, storedResults, storedHealth, storedInventory };
  });

  const reads = createReads(db);
  const hourOfDayProfile = createHourOfDayProfile(db, offset);
  const applyRetention = createRetention(db, {
    chunkRows: options.retentionChunkRows ?? 5000,
    maxChunks: options.retentionMaxChunks ?? 40,
  });
  const pingStmt = db.prepare('SELECT 1');

  return {
    file: options.file,
    dayOffsetMinutes: offset,
    db,
    createAgent: (input) => stmt.createAgent.get(input) as AgentRecord,
    findAgentByTokenLookup: (tokenLookup) => stmt.findAgent.get(tokenLookup) as AgentWithSecret | undefined,
    listAgents: () =>
      (stmt.listAgents.all() as AgentSummaryRow[]).map(
        (row): AgentSummary => ({
          ...row,
          lastStatus: row.lastStatus === null ? null : (JSON.parse(row.lastStatus) as AgentStatus),
        }),
      ),
    revokeAgent: (agentId, now) => stmt.revokeAgent.run(now, agentId).changes > 0,
    // IMMEDIATE takes the write lock up front: a deferred transaction that reads first and writes later
    // can fail with SQLITE_BUSY at once instead of waiting when another connection writes in between.
    ingestBatch: (input) => ingest.immediate(input),
    ...reads,
    hourOfDayProfile,
    latestHealth: system.latestHealth,
    latestInventory: system.latestInventory,
    calendar: createCalendarStore(db),
    incidents: createIncidentStore(db),
    apiTokens: createApiTokenStore(db),
    users: createUserStore(db),
    sessions: createSessionStore(db),
    alerts: createAlertStore(db),
    dossiers: createDossierStore(db),
    reports: createReportLog(db),
    rum: createRumStore(db),
    transaction: (fn) => db.transaction(fn).immediate(),
    applyRetention(policy, now) {
      const report = applyRetention(policy, now);
      // SQLite's advice for a long-lived connection is to run optimize periodically; retention is our
      // periodic job. (Not at open: on a fresh file it would record stats of empty tables.)
      db.pragma('optimize');
      log?.debug(report, 'retention applied');
      return report;
    },
    ping() {
      pingStmt.get();
    },
    close() {
      if (!db.open) return;
      try {
        db.pragma('optimize');
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        log?.warn({ err }, 'optimize/checkpoint before close failed; closing anyway');
      } finally {
        db.close();
      }
    },
  };
}
