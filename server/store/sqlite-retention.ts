/**
 * Retention for the SQLite store: deletes the oldest rows past the policy in chunks of `chunkRows`, each
 * chunk its own (autocommitted) statement, with at most `maxChunks` chunks per call across all tables.
 * better-sqlite3 is synchronous, so the chunk budget is what bounds how long one call holds the event
 * loop (Uptime Kuma's blocking clean-ups produced false downtime); `more: true` tells the caller to come
 * back, e.g. after setImmediate. Small tables go first so a big raw backlog cannot starve them.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { bucketWidthMs } from './buckets.js';
import type { Resolution, RetentionPolicy, RetentionReport } from './store.js';

const DAY_MS = 86_400_000;
/** A retried batch is answered from ingested_batches; agents retry for days after an outage at most. */
const MIN_BATCH_DAYS = 7;

export interface RetentionOptions {
  chunkRows: number;
  maxChunks: number;
}

/** Builds `applyRetention` over an open, migrated database. */
export function createRetention(
  db: BetterSqlite3.Database,
  options: RetentionOptions,
): (policy: RetentionPolicy, now: number) => RetentionReport {
  // Each statement selects the oldest chunk through a time index, then deletes those keys through the
  // primary key; both are range/point lookups, never a table scan.
  const rollupDelete = (resolution: Resolution) =>
    db.prepare(`DELETE FROM rollup_${resolution} WHERE (target_id, bucket) IN
      (SELECT target_id, bucket FROM rollup_${resolution} WHERE bucket < ? ORDER BY bucket LIMIT ?)`);
  const del = {
    batches: db.prepare(`DELETE FROM ingested_batches WHERE (agent_id, batch_id) IN
      (SELECT agent_id, batch_id FROM ingested_batches WHERE received_at < ? ORDER BY received_at LIMIT ?)`),
    day: rollupDelete('day'),
    hour: rollupDelete('hour'),
    serviceHour: db.prepare(`DELETE FROM rollup_service_hour WHERE (service, bucket) IN
      (SELECT service, bucket FROM rollup_service_hour WHERE bucket < ? ORDER BY bucket LIMIT ?)`),
    minute: rollupDelete('minute'),
    raw: db.prepare(`DELETE FROM results WHERE (target_id, ts, result_id) IN
      (SELECT target_id, ts, result_id FROM results WHERE ts < ? ORDER BY ts LIMIT ?)`),
    // PC health samples are as fine-grained as raw results and follow the same window; inventories (one a
    // day per PC) are the equipment history and are kept.
    health: db.prepare(`DELETE FROM health_samples WHERE record_id IN
      (SELECT record_id FROM health_samples WHERE ts < ? ORDER BY ts LIMIT ?)`),
  };

  return (policy, now) => {
    for (const [key, days] of Object.entries(policy)) {
      if (typeof days !== 'number' || !(days >= 0)) throw new RangeError(`retention ${key} must be ≥ 0, got ${days}`);
    }
    let budget = options.maxChunks;
    let more = false;
    /** Deletes rows whose time column is < `bound`, chunk by chunk, while the budget lasts. */
    const drain = (stmt: BetterSqlite3.Statement, bound: number | null): number => {
      if (bound === null) return 0;
      let deleted = 0;
      for (;;) {
        if (budget <= 0) {
          more = true;
          return deleted;
        }
        budget -= 1;
        const changes = stmt.run(bound, options.chunkRows).changes;
        deleted += changes;
        if (changes < options.chunkRows) return deleted;
      }
    };
    // 0 days keeps the data forever.
    const cutoff = (days: number): number | null => (days > 0 ? now - days * DAY_MS : null);
    // A rollup bucket goes only once it lies wholly before the cutoff (bucket end ≤ cutoff).
    const bucketBound = (days: number, resolution: Resolution): number | null => {
      const c = cutoff(days);
      return c === null ? null : c - bucketWidthMs(resolution) + 1;
    };
    const batchDays = policy.rawDays > 0 ? Math.max(policy.rawDays, MIN_BATCH_DAYS) : 0;

    const batchesDeleted = drain(del.batches, cutoff(batchDays));
    const dayDeleted = drain(del.day, bucketBound(policy.dayDays, 'day'));
    const hourDeleted = drain(del.hour, bucketBound(policy.hourDays, 'hour'));
    // Per-service hours follow the per-target ones (a few rows per hour: not reported separately).
    drain(del.serviceHour, bucketBound(policy.hourDays, 'hour'));
    const minuteDeleted = drain(del.minute, bucketBound(policy.minuteDays, 'minute'));
    const rawDeleted = drain(del.raw, cutoff(policy.rawDays));
    const healthDeleted = drain(del.health, cutoff(policy.rawDays));
    return { rawDeleted, minuteDeleted, hourDeleted, dayDeleted, batchesDeleted, healthDeleted, more };
  };
}
