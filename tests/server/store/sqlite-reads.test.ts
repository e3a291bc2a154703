import { describe, expect, it } from 'vitest';
import { LATEST_PER_TARGET_SQL, resultsSql, rollupSql } from '../../../server/store/sqlite-reads.js';
import type { SqliteStore } from '../../../server/store/sqlite-store.js';
import type { ResultToStore } from '../../../server/store/store.js';
import { DAY, HOUR, MINUTE, openTempStore, result, T0, withAgent } from './fixtures.js';

function plan(store: SqliteStore, sql: string, params: Record<string, unknown>): string[] {
  return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
}

describe('listResults and countResults', () => {
  it('round-trips every field: per-kind detail objects, error only when present, numbers and booleans', () => {
    const store = openTempStore();
    const { agent, batch } = withAgent(store);
    const stored: ResultToStore[] = [
      result({
        ts: T0,
        kind: 'icmp',
        service: 'network',
        target: 'gw',
        latencyMs: 12.5,
        icmp: { sent: 5, received: 4, lossRatio: 0.2, rttMinMs: 10, rttAvgMs: 12.5, rttMaxMs: 20, jitterMs: 1.25 },
      }),
      result({
        ts: T0 + 1,
        http: {
          statusCode: 503,
          phases: {
            resolveMs: 1,
            connectMs: 2.5,
            tlsMs: 30,
            processingMs: 400,
            transferMs: 2,
            firstByteMs: 433,
            totalMs: 435,
          },
          certExpiresAt: T0 + 90 * DAY,
          tlsVersion: 'TLSv1.3',
        },
        ok: false,
        error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: '[STATUS] (503) == 200' },
      }),
      result({ ts: T0 + 2, kind: 'tcp', target: 'smtp', tcp: { connectMs: 3, address: '10.0.0.1:25' } }),
      result({
        ts: T0 + 3,
        kind: 'dns',
        target: 'dns',
        latencyMs: undefined,
        dns: { answers: ['1.2.3.4'], server: '8.8.8.8:53' },
      }),
    ];
    store.ingestBatch(batch(stored, { receivedAt: T0 + MINUTE }));
    const listed = store.listResults({});
    expect(listed).toEqual(
      [...stored].reverse().map((r) => {
        const { latencyMs, ...rest } = r;
        return {
          ...rest,
          ...(latencyMs === undefined ? {} : { latencyMs }),
          commune: '26734',
          receivedAt: T0 + MINUTE,
          agentId: agent.id,
        };
      }),
    );
    expect(listed.find((r) => r.target === 'dns')).not.toHaveProperty('latencyMs');
    expect(listed.find((r) => r.target === 'gw')).not.toHaveProperty('error');
    expect(listed.find((r) => r.target === 'gw')).not.toHaveProperty('http');
    expect(typeof listed[0]?.ok).toBe('boolean');
  });

  it('filters by commune, target and [from, to), newest first, with a default and a capped limit', () => {
    const store = openTempStore();
    const hanoi = withAgent(store, '00004');
    const hue = withAgent(store, '19774');
    const ts = (i: number) => T0 + i * MINUTE;
    store.ingestBatch(
      hanoi.batch(Array.from({ length: 10 }, (_, i) => result({ ts: ts(i), target: i % 2 ? 'gw' : 'portal' }))),
    );
    store.ingestBatch(hue.batch(Array.from({ length: 10 }, (_, i) => result({ ts: ts(i) + 1, target: 'portal' }))));

    const all = store.listResults({});
    expect(all).toHaveLength(20);
    expect(all.map((r) => r.ts)).toEqual([...all.map((r) => r.ts)].sort((a, b) => b - a));
    expect(store.listResults({ commune: '00004' }).every((r) => r.commune === '00004')).toBe(true);
    expect(store.listResults({ commune: '00004' }).map((r) => r.ts)).toEqual(
      Array.from({ length: 10 }, (_, i) => ts(9 - i)),
    );
    expect(store.listResults({ target: 'portal' })).toHaveLength(15);
    expect(store.listResults({ target: 'portal', limit: 3 }).map((r) => [r.commune, r.ts])).toEqual([
      ['19774', ts(9) + 1],
      ['19774', ts(8) + 1],
      ['00004', ts(8)],
    ]);
    expect(store.listResults({ commune: '00004', target: 'gw' }).map((r) => r.ts)).toEqual([
      ts(9),
      ts(7),
      ts(5),
      ts(3),
      ts(1),
    ]);
    // from is inclusive, to exclusive.
    expect(store.listResults({ commune: '00004', from: ts(2), to: ts(5) }).map((r) => r.ts)).toEqual([
      ts(4),
      ts(3),
      ts(2),
    ]);
    expect(store.listResults({ from: ts(2), to: ts(3) }).map((r) => r.ts)).toEqual([ts(2) + 1, ts(2)]);
    expect(store.listResults({ commune: 'nowhere' })).toEqual([]);
    expect(store.listResults({ limit: 0 })).toEqual([]);

    expect(store.countResults({})).toBe(20);
    expect(store.countResults({ commune: '19774' })).toBe(10);
    expect(store.countResults({ target: 'gw' })).toBe(5);
    expect(store.countResults({ commune: '00004', target: 'portal', from: ts(2), to: ts(6) })).toBe(2);
  });

  it('defaults to 1000 rows and caps the limit at 10000', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    for (let b = 0; b < 3; b += 1) {
      store.ingestBatch(
        batch(Array.from({ length: 3500 }, (_, i) => result({ ts: T0 + b * 3500 + i, target: `t${i % 5}` }))),
      );
    }
    expect(store.listResults({})).toHaveLength(1000);
    expect(store.listResults({ limit: 50_000 })).toHaveLength(10_000);
    expect(store.listResults({ target: 't1', limit: 50_000 })).toHaveLength(2100);
  });

  it('gives the same answers whichever plan the filter leads to', () => {
    const store = openTempStore();
    const all: { commune: string; target: string; ts: number }[] = [];
    const ingest = (commune: string, targets: string[]) => {
      const { batch } = withAgent(store, commune);
      const results = targets.flatMap((target, i) =>
        [0, 1].map((k) => result({ target, ts: T0 + k * 100_000 + all.length * 10 + i })),
      );
      store.ingestBatch(batch(results));
      for (const r of results) all.push({ commune, target: r.target, ts: r.ts });
    };
    ingest(
      'big',
      Array.from({ length: 25 }, (_, i) => `svc-${i}`),
    );
    for (let c = 0; c < 100; c += 1) ingest(`c${c}`, ['gateway']);
    const expected = (keep: (r: (typeof all)[number]) => boolean, limit: number) =>
      all
        .filter(keep)
        .sort((a, b) => b.ts - a.ts)
        .slice(0, limit)
        .map((r) => `${r.commune}/${r.target}@${r.ts}`);
    const got = (q: Parameters<typeof store.listResults>[0]) =>
      store.listResults(q).map((r) => `${r.commune}/${r.target}@${r.ts}`);

    // 25 targets × 5 rows: per-target merge.
    expect(got({ commune: 'big', limit: 5 })).toEqual(expected((r) => r.commune === 'big', 5));
    // 25 targets × 1000 rows, a small share of 125 targets: per-target key ranges sorted by SQLite.
    expect(got({ commune: 'big', limit: 1000 })).toEqual(expected((r) => r.commune === 'big', 1000));
    // 100 of 125 targets: walk the time index.
    expect(got({ target: 'gateway', limit: 1000 })).toEqual(expected((r) => r.target === 'gateway', 1000));
    expect(got({ target: 'gateway', limit: 150, from: T0 + 100_000 })).toEqual(
      expected((r) => r.target === 'gateway' && r.ts >= T0 + 100_000, 150),
    );

    const planOf = (via: 'time' | 'targets') =>
      plan(store, resultsSql({ commune: 'x' }, via), { commune: 'x', from: 0, to: 1, limit: 1 }).join(' | ');
    expect(planOf('time')).toMatch(/^SEARCH r USING INDEX results_ts/);
    expect(planOf('targets')).toMatch(
      /^SEARCH t USING (COVERING )?INDEX sqlite_autoindex_targets_1 \(commune=\?\) \| SEARCH r USING PRIMARY KEY/,
    );
  });
});

describe('rollups', () => {
  it('answers [from, to) oldest first with target metadata, filtered by commune and target', () => {
    const store = openTempStore();
    const a = withAgent(store, '00004');
    const b = withAgent(store, '19774');
    store.ingestBatch(
      a.batch([
        result({ ts: T0 }),
        result({ ts: T0 + HOUR }),
        result({ ts: T0 + 2 * HOUR, target: 'gw', kind: 'icmp', service: 'network' }),
      ]),
    );
    store.ingestBatch(b.batch([result({ ts: T0 + HOUR })]));
    const hourStart = T0 - 30 * MINUTE;
    const rows = store.rollups({ resolution: 'hour', from: hourStart, to: hourStart + 2 * HOUR });
    expect(rows.map((r) => [r.bucket, r.commune, r.target])).toEqual([
      [hourStart, '00004', 'portal'],
      [hourStart + HOUR, '00004', 'portal'],
      [hourStart + HOUR, '19774', 'portal'],
    ]);
    expect(store.rollups({ resolution: 'hour', commune: '19774', from: 0, to: T0 * 2 })).toHaveLength(1);
    expect(store.rollups({ resolution: 'hour', target: 'gw', from: 0, to: T0 * 2 })).toMatchObject([
      { kind: 'icmp', service: 'network', commune: '00004' },
    ]);
    expect(store.rollups({ resolution: 'day', commune: '00004', from: 0, to: T0 * 2 })).toMatchObject([
      { target: 'gw', count: 1 },
      { target: 'portal', count: 2 },
    ]);
  });

  it('never touches the raw results table and reads rollups by key or bucket index', () => {
    const store = openTempStore();
    for (const resolution of ['minute', 'hour', 'day'] as const) {
      for (const filter of [{}, { commune: 'c' }, { target: 't' }, { commune: 'c', target: 't' }]) {
        const steps = plan(store, rollupSql({ resolution, ...filter }), { from: 0, to: 1, ...filter });
        expect(steps.join(' | '), JSON.stringify(filter)).not.toMatch(/\bresults\b|SCAN r\b/);
        expect(steps.join(' | ')).toMatch(
          new RegExp(`SEARCH r USING (PRIMARY KEY|(COVERING )?INDEX rollup_${resolution}_bucket)`),
        );
      }
    }
    expect(() => store.rollups({ resolution: 'week' as 'day', from: 0, to: 1 })).toThrow(
      'unknown rollup resolution "week"',
    );
  });
});

describe('latestPerTarget', () => {
  it('returns the newest stored result of every target through one key lookup each', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    const newestPortal = result({ ts: T0 + 2 * MINUTE, ok: false });
    store.ingestBatch(
      batch([
        result({ ts: T0 }),
        newestPortal,
        result({ ts: T0 + MINUTE, target: 'gw', kind: 'icmp', service: 'network' }),
      ]),
    );
    store.ingestBatch(batch([result({ ts: T0 - DAY })])); // late, older: must not become the latest
    const latest = store.latestPerTarget();
    expect(latest.map((t) => [t.commune, t.target, t.kind, t.service, t.lastResult.ts])).toEqual([
      ['26734', 'gw', 'icmp', 'network', T0 + MINUTE],
      ['26734', 'portal', 'http', 'portal', T0 + 2 * MINUTE],
    ]);
    expect(latest[1]?.lastResult).toMatchObject({ id: newestPortal.id, ok: false });
    const steps = plan(store, LATEST_PER_TARGET_SQL, {}).join(' | ');
    expect(steps).not.toMatch(/SCAN (r|results)\b/);
    expect(steps).toMatch(/SEARCH results USING PRIMARY KEY \(target_id=\?\)/);
  });
});
