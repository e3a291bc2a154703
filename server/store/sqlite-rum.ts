/**
 * The RUM seam (rum-store.ts) on SQLite (migration 012): registered apps (keys hashed like API keys), batch
 * idempotency keys, exception groups with their per-commune/browser/version/page counts, web-vital
 * histograms and failed fetches. Aggregates only: no raw payload is kept.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { issueToken, parseToken, secretMatches } from '../auth/tokens.js';
import { boundsOf, bucketIndex } from '../rum/vitals.js';
import type { ErrorDims, ErrorGroup, FetchFailureRow, RumApp, RumStore, VitalRow } from './rum-store.js';

interface AppRow {
  id: number;
  name: string;
  origins: string;
  services: string | null;
  sample_rate: number;
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
}

const toApp = (r: AppRow): RumApp => ({
  id: r.id,
  name: r.name,
  origins: JSON.parse(r.origins) as string[],
  ...(r.services !== null && { services: JSON.parse(r.services) as string[] }),
  sampleRate: r.sample_rate,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function createRumStore(db: BetterSqlite3.Database): RumStore {
  const s = {
    insertApp: db.prepare(
      `INSERT INTO rum_apps (name, origins, services, sample_rate, key_lookup, key_hash, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    apps: db.prepare('SELECT * FROM rum_apps ORDER BY name'),
    byLookup: db.prepare('SELECT * FROM rum_apps WHERE key_lookup = ? AND revoked_at IS NULL'),
    revoke: db.prepare('UPDATE rum_apps SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    upsertSelf:
      db.prepare(`INSERT INTO rum_apps (name, origins, sample_rate, key_lookup, key_hash, created_at) VALUES (?, ?, 1, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET key_lookup = excluded.key_lookup, key_hash = excluded.key_hash, revoked_at = NULL RETURNING *`),
    claim: db.prepare('INSERT INTO rum_batches (app_id, key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    upsertGroup: db.prepare(`INSERT INTO rum_error_groups
        (app_id, fingerprint, type, message, frames, count, first_seen, last_seen, sample_stack, sample_page)
        VALUES (@appId, @fingerprint, @type, @message, @frames, 1, @at, @at, @stack, @page)
      ON CONFLICT (app_id, fingerprint) DO UPDATE SET count = count + 1, first_seen = min(first_seen, excluded.first_seen),
        last_seen = max(last_seen, excluded.last_seen), sample_stack = excluded.sample_stack, sample_page = excluded.sample_page
      RETURNING id`),
    upsertDim: db.prepare(`INSERT INTO rum_error_dims (group_id, dim, value, count, last_seen) VALUES (?, ?, ?, 1, ?)
      ON CONFLICT (group_id, dim, value) DO UPDATE SET count = count + 1, last_seen = max(last_seen, excluded.last_seen)`),
    getVital: db.prepare(
      'SELECT count, sum, buckets FROM rum_vitals WHERE app_id = ? AND day = ? AND page = ? AND commune = ? AND metric = ?',
    ),
    putVital:
      db.prepare(`INSERT INTO rum_vitals (app_id, day, page, commune, metric, count, sum, buckets) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (app_id, day, page, commune, metric) DO UPDATE SET
        count = excluded.count, sum = excluded.sum, buckets = excluded.buckets`),
    upsertFetch:
      db.prepare(`INSERT INTO rum_fetch_failures (app_id, day, commune, url, status, count, duration_sum, last_seen)
      VALUES (?, ?, ?, ?, ?, 1, ?, ?)
      ON CONFLICT (app_id, day, commune, url, status) DO UPDATE SET
        count = count + 1, duration_sum = duration_sum + excluded.duration_sum, last_seen = max(last_seen, excluded.last_seen)`),
    dims: db.prepare('SELECT dim, value, count FROM rum_error_dims WHERE group_id = ? ORDER BY count DESC'),
    pruneKeys: db.prepare('DELETE FROM rum_batches WHERE at < ?'),
    pruneGroups: db.prepare('DELETE FROM rum_error_groups WHERE last_seen < ?'),
    pruneVitals: db.prepare('DELETE FROM rum_vitals WHERE day < ?'),
    pruneFetches: db.prepare('DELETE FROM rum_fetch_failures WHERE day < ?'),
  };
  const appFilter = (ids: number[] | undefined, column: string) =>
    ids ? `AND ${column} IN (SELECT value FROM json_each(@ids))` : '';
  return {
    createApp({ name, origins, services, sampleRate = 1, now }) {
      const issued = issueToken('cwr');
      const row = s.insertApp.get(
        name,
        JSON.stringify(origins),
        services ? JSON.stringify(services) : null,
        sampleRate,
        issued.tokenLookup,
        issued.tokenHash,
        now,
      ) as AppRow;
      return { app: toApp(row), key: issued.token };
    },
    apps: () => (s.apps.all() as AppRow[]).map(toApp),
    verifyKey(key) {
      const parsed = parseToken('cwr', key);
      if (!parsed) return undefined;
      const row = s.byLookup.get(parsed.lookup) as AppRow | undefined;
      return secretMatches(row?.key_hash, parsed.secret) && row ? toApp(row) : undefined;
    },
    revokeApp: (id, now) => s.revoke.run(now, id).changes > 0,
    selfApp(name, now) {
      const issued = issueToken('cwr');
      const row = s.upsertSelf.get(name, JSON.stringify(['self']), issued.tokenLookup, issued.tokenHash, now) as AppRow;
      return { app: toApp(row), key: issued.token };
    },
    claimBatch: (appId, key, now) => s.claim.run(appId, key, now).changes > 0,
    recordError(o) {
      const { id } = s.upsertGroup.get({
        appId: o.appId,
        fingerprint: o.key.fingerprint,
        type: o.key.type,
        message: o.key.message,
        frames: JSON.stringify(o.key.frames),
        at: o.at,
        stack: o.stack ? JSON.stringify(o.stack) : null,
        page: o.page || null,
      }) as { id: number };
      for (const [dim, value] of [
        ['commune', o.commune],
        ['browser', o.browser],
        ['version', o.version],
        ['page', o.page],
      ] as const) {
        if (value) s.upsertDim.run(id, dim, value, o.at);
      }
    },
    recordVital(v) {
      const row = s.getVital.get(v.appId, v.day, v.page, v.commune, v.metric) as
        | { count: number; sum: number; buckets: string }
        | undefined;
      const buckets = row
        ? (JSON.parse(row.buckets) as number[])
        : new Array<number>(boundsOf(v.metric).length + 1).fill(0);
      buckets[bucketIndex(v.metric, v.value)]! += 1;
      s.putVital.run(
        v.appId,
        v.day,
        v.page,
        v.commune,
        v.metric,
        (row?.count ?? 0) + 1,
        (row?.sum ?? 0) + v.value,
        JSON.stringify(buckets),
      );
    },
    recordFetchFailure: (f) => void s.upsertFetch.run(f.appId, f.day, f.commune, f.url, f.status, f.durationMs, f.at),
    errorGroups(q) {
      const sql = `SELECT g.id, a.name AS app, g.fingerprint, g.type, g.message, g.frames, g.count,
          g.first_seen AS firstSeen, g.last_seen AS lastSeen, g.sample_stack AS sampleStack, g.sample_page AS samplePage
        FROM rum_error_groups g JOIN rum_apps a ON a.id = g.app_id
        WHERE g.last_seen >= @since ${appFilter(q.appIds, 'g.app_id')}
        ORDER BY g.count DESC, g.last_seen DESC LIMIT @limit`;
      const rows = db
        .prepare(sql)
        .all({ since: q.since ?? 0, limit: q.limit, ids: JSON.stringify(q.appIds ?? []) }) as Array<
        Omit<ErrorGroup, 'frames' | 'sampleStack'> & { frames: string; sampleStack: string | null }
      >;
      return rows.map((r) => ({
        ...r,
        frames: JSON.parse(r.frames) as ErrorGroup['frames'],
        sampleStack: r.sampleStack ? (JSON.parse(r.sampleStack) as ErrorGroup['sampleStack']) : null,
      }));
    },
    errorDims(groupId) {
      const out: ErrorDims = { commune: {}, browser: {}, version: {}, page: {} };
      for (const r of s.dims.all(groupId) as Array<{ dim: keyof ErrorDims; value: string; count: number }>)
        out[r.dim][r.value] = r.count;
      return out;
    },
    vitals(q) {
      const sql = `SELECT a.name AS app, v.day, v.page, v.commune, v.metric, v.count, v.sum, v.buckets
        FROM rum_vitals v JOIN rum_apps a ON a.id = v.app_id
        WHERE v.day >= @since ${appFilter(q.appIds, 'v.app_id')}
        ORDER BY v.day, a.name, v.page, v.commune, v.metric`;
      return (
        db.prepare(sql).all({ since: q.since, ids: JSON.stringify(q.appIds ?? []) }) as Array<
          Omit<VitalRow, 'buckets'> & { buckets: string }
        >
      ).map((r) => ({ ...r, buckets: JSON.parse(r.buckets) as number[] }));
    },
    fetchFailures(q) {
      const sql = `SELECT a.name AS app, f.day, f.commune, f.url, f.status, f.count, f.duration_sum AS durationSum, f.last_seen AS lastSeen
        FROM rum_fetch_failures f JOIN rum_apps a ON a.id = f.app_id WHERE f.day >= @since ${appFilter(q.appIds, 'f.app_id')}
        ORDER BY f.count DESC LIMIT @limit`;
      return db
        .prepare(sql)
        .all({ since: q.since, limit: q.limit, ids: JSON.stringify(q.appIds ?? []) }) as FetchFailureRow[];
    },
    prune(before, keysBefore) {
      return (
        s.pruneKeys.run(keysBefore).changes +
        s.pruneGroups.run(before).changes +
        s.pruneVitals.run(before).changes +
        s.pruneFetches.run(before).changes
      );
    },
  };
}
