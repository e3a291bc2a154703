/**
 * The hour-of-day × weekday latency and failure profile (peak-hour congestion: "signing one dossier takes
 * ten minutes at 9 a.m."), computed from hour rollups in local time, so it costs the same whether raw
 * results are kept for a week or not at all.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { HourOfDayCell, HourOfDayQuery } from './store.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export function createHourOfDayProfile(db: BetterSqlite3.Database, dayOffsetMinutes: number) {
  const offset = dayOffsetMinutes * 60_000;
  const cache = new Map<string, BetterSqlite3.Statement>();
  // A whole service class across communes: from the per-service hour rollups, a few hundred rows a month.
  const byService =
    db.prepare(`SELECT ((bucket + @offset) / ${DAY} + 4) % 7 AS weekday, ((bucket + @offset) % ${DAY}) / ${HOUR} AS hour,
      sum(count) AS count, sum(ok_count) AS okCount, sum(latency_count) AS latencyCount,
      sum(latency_sum) AS latencySumMs, max(latency_max) AS latencyMaxMs
    FROM rollup_service_hour WHERE service = @service AND bucket >= @from AND bucket < @to
    GROUP BY weekday, hour ORDER BY weekday, hour`);
  return (query: HourOfDayQuery): HourOfDayCell[] => {
    if (query.service !== undefined && query.commune === undefined && query.target === undefined) {
      return byService.all({ offset, service: query.service, from: query.from, to: query.to }) as HourOfDayCell[];
    }
    const filters = [
      query.commune === undefined ? '' : 'AND t.commune = @commune',
      query.target === undefined ? '' : 'AND t.name = @target',
      query.service === undefined ? '' : 'AND t.service = @service',
    ].join(' ');
    // 1970-01-01 was a Thursday: (local day number + 4) % 7 gives 0 = Sunday … 6 = Saturday.
    const sql = `SELECT ((r.bucket + @offset) / ${DAY} + 4) % 7 AS weekday, ((r.bucket + @offset) % ${DAY}) / ${HOUR} AS hour,
        sum(r.count) AS count, sum(r.ok_count) AS okCount, sum(r.latency_count) AS latencyCount,
        sum(r.latency_sum) AS latencySumMs, max(r.latency_max) AS latencyMaxMs
      FROM rollup_hour r JOIN targets t ON t.id = r.target_id
      WHERE r.bucket >= @from AND r.bucket < @to ${filters}
      GROUP BY weekday, hour ORDER BY weekday, hour`;
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
    const params: Record<string, unknown> = { offset, from: query.from, to: query.to };
    for (const key of ['commune', 'target', 'service'] as const) if (query[key] !== undefined) params[key] = query[key];
    return stmt.all(params) as HourOfDayCell[];
  };
}
