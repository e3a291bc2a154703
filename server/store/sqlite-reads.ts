/**
 * The read side of the SQLite store: raw result listing and counting, rollup queries and the latest
 * result per target. Every query here is a b-tree range on a primary key or index; none scans the raw
 * table, so a large history costs disk, not dashboard time.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { RESOLUTIONS } from './buckets.js';
import type { ResultQuery, RollupQuery, RollupRow, StoredResult, Store, TargetState } from './store.js';

type Statement = BetterSqlite3.Statement;

export const DEFAULT_RESULT_LIMIT = 1000;
export const MAX_RESULT_LIMIT = 10_000;
/**
 * listResults with a commune/target filter picks one of three plans (all newest-first, same order):
 * - few rows to consider (matching targets × limit ≤ this): read each target's newest `limit` rows by
 *   primary key and merge in JS — cost independent of the time range;
 * - matching targets are a large share of all targets (≥ 1/4, e.g. a name every commune uses): walk the
 *   global ts index newest-first, where matches are frequent, and stop at `limit`;
 * - otherwise: range-scan each matching target by primary key and let SQLite sort.
 */
const MERGE_BUDGET_ROWS = 20_000;
const TIME_WALK_SHARE = 4;

const RESULT_COLUMNS = `r.result_id, r.seq, r.ts, r.agent_ts, r.received_at, r.agent_id, r.ok, r.duration_ms,
  r.latency_ms, r.error_code, r.error_message, r.detail, r.role, r.layer, r.blame, r.link, t.commune, t.name, t.kind,
  t.service`;

interface ResultRow {
  result_id: string;
  seq: number;
  ts: number;
  agent_ts: number;
  received_at: number;
  agent_id: number;
  ok: number;
  duration_ms: number;
  latency_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  detail: string | null;
  role: string | null;
  layer: string | null;
  blame: string | null;
  link: string | null;
  commune: string;
  name: string;
  kind: string;
  service: string;
}

const DETAIL_KEYS = ['icmp', 'http', 'tcp', 'dns', 'transaction'] as const;
/** Placement fields, each its own nullable column so failures can be counted by layer in SQL. */
export const PLACEMENT_KEYS = ['role', 'layer', 'blame', 'link'] as const;

/** The `detail` column: the per-kind objects that are present, or null when none is. */
export function detailJson(result: Pick<StoredResult, (typeof DETAIL_KEYS)[number]>): string | null {
  const detail: Record<string, unknown> = {};
  let any = false;
  for (const key of DETAIL_KEYS) {
    if (result[key] !== undefined) {
      detail[key] = result[key];
      any = true;
    }
  }
  return any ? JSON.stringify(detail) : null;
}

function toStoredResult(row: ResultRow): StoredResult {
  const result: StoredResult = {
    id: row.result_id,
    seq: row.seq,
    ts: row.ts,
    target: row.name,
    kind: row.kind,
    service: row.service,
    ok: row.ok === 1,
    durationMs: row.duration_ms,
    commune: row.commune,
    agentTs: row.agent_ts,
    receivedAt: row.received_at,
    agentId: row.agent_id,
  };
  if (row.latency_ms !== null) result.latencyMs = row.latency_ms;
  if (row.error_code !== null) result.error = { code: row.error_code, message: row.error_message ?? '' };
  for (const key of PLACEMENT_KEYS) if (row[key] !== null) result[key] = row[key];
  if (row.detail !== null) {
    const detail = JSON.parse(row.detail) as Partial<StoredResult>;
    for (const key of DETAIL_KEYS) {
      if (detail[key] !== undefined) Object.assign(result, { [key]: detail[key] });
    }
  }
  return result;
}

/** Newest first, ties broken by id descending (the same order SQLite's BINARY collation gives ASCII ids). */
function newestFirst(a: StoredResult, b: StoredResult): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_RESULT_LIMIT;
  return Math.max(0, Math.min(MAX_RESULT_LIMIT, Math.floor(limit)));
}

/** SQL for a rollup query; exported so tests can check its query plan. */
export function rollupSql(query: Pick<RollupQuery, 'resolution' | 'commune' | 'target'>): string {
  // The resolution becomes part of a table name, so it is checked here rather than trusted from a caller.
  if (!(RESOLUTIONS as readonly string[]).includes(query.resolution)) {
    throw new RangeError(`unknown rollup resolution ${JSON.stringify(query.resolution)}`);
  }
  const filters = [
    query.commune === undefined ? '' : 'AND t.commune = @commune',
    query.target === undefined ? '' : 'AND t.name = @target',
  ].join(' ');
  return `SELECT t.commune, t.name AS target, t.service, t.kind, r.bucket, r.count, r.ok_count AS okCount,
      r.latency_count AS latencyCount, r.latency_sum AS latencySumMs, r.latency_min AS latencyMinMs,
      r.latency_max AS latencyMaxMs, r.loss_sum AS lossSum, r.loss_count AS lossCount
    FROM rollup_${query.resolution} r JOIN targets t ON t.id = r.target_id
    WHERE r.bucket >= @from AND r.bucket < @to ${filters}
    ORDER BY r.bucket, t.commune, t.name`;
}

/**
 * SQL listing results newest-first, either along the global ts index ('time') or target by target
 * through the primary key ('targets'; CROSS JOIN pins targets as the outer loop). Exported for plan tests.
 */
export function resultsSql(query: Pick<ResultQuery, 'commune' | 'target'>, via: 'time' | 'targets'): string {
  const filters = [
    query.commune === undefined ? '' : 'AND t.commune = @commune',
    query.target === undefined ? '' : 'AND t.name = @target',
  ].join(' ');
  const from =
    via === 'time'
      ? 'results r INDEXED BY results_ts JOIN targets t ON t.id = r.target_id'
      : 'targets t CROSS JOIN results r ON r.target_id = t.id';
  return `SELECT ${RESULT_COLUMNS} FROM ${from}
    WHERE r.ts >= @from AND r.ts < @to ${filters} ORDER BY r.ts DESC, r.result_id DESC LIMIT @limit`;
}

export const LATEST_PER_TARGET_SQL = `SELECT ${RESULT_COLUMNS} FROM targets t
  JOIN results r ON r.result_id =
    (SELECT result_id FROM results WHERE target_id = t.id ORDER BY ts DESC, result_id DESC LIMIT 1)
  ORDER BY t.commune, t.name`;

export type StoreReads = Pick<Store, 'listResults' | 'countResults' | 'rollups' | 'latestPerTarget'>;

/** Builds the read methods over an open, migrated database. Statements are prepared once and cached. */
export function createReads(db: BetterSqlite3.Database): StoreReads {
  const cache = new Map<string, Statement>();
  const cached = (sql: string): Statement => {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const targetIdsSql = (q: Pick<ResultQuery, 'commune' | 'target'>): string =>
    `SELECT id FROM targets WHERE 1 = 1 ${q.commune === undefined ? '' : 'AND commune = @commune'}
      ${q.target === undefined ? '' : 'AND name = @target'}`;
  const perTarget = db.prepare(`SELECT ${RESULT_COLUMNS} FROM results r JOIN targets t ON t.id = r.target_id
    WHERE r.target_id = @targetId AND r.ts >= @from AND r.ts < @to ORDER BY r.ts DESC, r.result_id DESC LIMIT @limit`);
  const latest = db.prepare(LATEST_PER_TARGET_SQL);
  const targetCount = db.prepare('SELECT count(*) FROM targets').pluck();

  // Unset bounds become the widest safe integers, so one statement shape serves every range.
  const range = (q: Omit<ResultQuery, 'limit'>) => ({
    from: q.from ?? Number.MIN_SAFE_INTEGER,
    to: q.to ?? Number.MAX_SAFE_INTEGER,
  });
  const filterParams = (q: Omit<ResultQuery, 'limit'>) => ({
    ...(q.commune === undefined ? {} : { commune: q.commune }),
    ...(q.target === undefined ? {} : { target: q.target }),
  });

  return {
    listResults(query) {
      const limit = clampLimit(query.limit);
      if (limit === 0) return [];
      const params = { ...range(query), limit };
      if (query.commune === undefined && query.target === undefined) {
        return (cached(resultsSql(query, 'time')).all(params) as ResultRow[]).map(toStoredResult);
      }
      const ids = cached(targetIdsSql(query)).pluck().all(filterParams(query)) as number[];
      if (ids.length === 0) return [];
      if (ids.length * limit <= MERGE_BUDGET_ROWS) {
        const rows: StoredResult[] = [];
        for (const targetId of ids) {
          for (const row of perTarget.all({ ...params, targetId }) as ResultRow[]) rows.push(toStoredResult(row));
        }
        return ids.length === 1 ? rows : rows.sort(newestFirst).slice(0, limit);
      }
      const via = ids.length * TIME_WALK_SHARE >= (targetCount.get() as number) ? 'time' : 'targets';
      const rows = cached(resultsSql(query, via)).all({ ...params, ...filterParams(query) }) as ResultRow[];
      return rows.map(toStoredResult);
    },

    countResults(query) {
      const filters = [
        query.commune === undefined ? '' : 'AND t.commune = @commune',
        query.target === undefined ? '' : 'AND t.name = @target',
      ].join(' ');
      const sql = `SELECT count(*) FROM results r JOIN targets t ON t.id = r.target_id
        WHERE r.ts >= @from AND r.ts < @to ${filters}`;
      return cached(sql)
        .pluck()
        .get({ ...range(query), ...filterParams(query) }) as number;
    },

    rollups(query) {
      const params = { from: query.from, to: query.to, ...filterParams(query) };
      return cached(rollupSql(query)).all(params) as RollupRow[];
    },

    latestPerTarget() {
      return (latest.all() as ResultRow[]).map(
        (row): TargetState => ({
          commune: row.commune,
          target: row.name,
          service: row.service,
          kind: row.kind,
          lastResult: toStoredResult(row),
        }),
      );
    },
  };
}
