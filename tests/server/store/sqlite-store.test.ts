import { describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../server/store/sqlite-store.js';
import type { Resolution, RollupRow } from '../../../server/store/store.js';
import { DAY, HOUR, MINUTE, openTempStore, result, T0 } from './fixtures.js';
import { withAgent } from './fixtures.js';

/** The one rollup row of `target` in the bucket starting at `bucket`. */
function rollupAt(
  store: SqliteStore,
  resolution: Resolution,
  bucket: number,
  target = 'portal',
): RollupRow | undefined {
  return store.rollups({ resolution, from: bucket, to: bucket + 1 }).find((r) => r.target === target);
}

const LOCAL_DAY_25_NOV = Date.UTC(2026, 10, 24, 17); // 2026-11-25T00:00+07:00
const LOCAL_DAY_24_NOV = LOCAL_DAY_25_NOV - DAY;

describe('ingestBatch', () => {
  it('stores results and folds them into minute, hour and local-day rollups', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    const outcome = store.ingestBatch(
      batch([
        result({ ts: T0 + 5_000, latencyMs: 100 }),
        result({
          ts: T0 + 20_000,
          latencyMs: 300,
          ok: false,
          error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: '[STATUS] (503) == 200' },
        }),
        result({ ts: T0 + 50_000, latencyMs: undefined, ok: false }),
        result({ ts: T0 + 2 * MINUTE, latencyMs: 50 }),
        // 23:59 local on 24 Nov: same UTC date, previous local day.
        result({ ts: LOCAL_DAY_25_NOV - MINUTE, latencyMs: 10 }),
        result({
          target: 'gateway',
          kind: 'icmp',
          service: 'network',
          ts: T0 + 1000,
          latencyMs: 20,
          icmp: { sent: 4, received: 3, lossRatio: 0.25 },
        }),
        result({
          target: 'gateway',
          kind: 'icmp',
          service: 'network',
          ts: T0 + 3000,
          latencyMs: 40,
          icmp: { sent: 4, received: 4, lossRatio: 0 },
        }),
      ]),
    );
    expect(outcome).toMatchObject({ replay: false, stored: 7, duplicates: 0 });
    expect(outcome.storedResults).toHaveLength(7);
    expect(store.countResults({})).toBe(7);

    expect(rollupAt(store, 'minute', T0)).toEqual({
      commune: '26734',
      target: 'portal',
      service: 'portal',
      kind: 'http',
      bucket: T0,
      count: 3,
      okCount: 1,
      latencyCount: 2,
      latencySumMs: 400,
      latencyMinMs: 100,
      latencyMaxMs: 300,
      lossSum: 0,
      lossCount: 0,
    });
    expect(rollupAt(store, 'minute', T0 + 2 * MINUTE)).toMatchObject({ count: 1, latencySumMs: 50 });
    expect(rollupAt(store, 'hour', T0 - 30 * MINUTE)).toMatchObject({
      count: 4,
      okCount: 2,
      latencyCount: 3,
      latencySumMs: 450,
      latencyMinMs: 50,
      latencyMaxMs: 300,
    });
    expect(rollupAt(store, 'day', LOCAL_DAY_25_NOV)).toMatchObject({ count: 4, latencyMinMs: 50 });
    expect(rollupAt(store, 'day', LOCAL_DAY_24_NOV)).toMatchObject({ count: 1, latencySumMs: 10 });
    expect(rollupAt(store, 'day', LOCAL_DAY_25_NOV, 'gateway')).toMatchObject({
      kind: 'icmp',
      service: 'network',
      count: 2,
      okCount: 2,
      latencySumMs: 60,
      latencyMinMs: 20,
      latencyMaxMs: 40,
      lossSum: 0.25,
      lossCount: 2,
    });
  });

  it('keeps a bucket with no latency at null min/max, then merges a later latency into it', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    store.ingestBatch(batch([result({ latencyMs: undefined, ok: false })]));
    expect(rollupAt(store, 'minute', T0)).toMatchObject({ latencyCount: 0, latencyMinMs: null, latencyMaxMs: null });
    store.ingestBatch(batch([result({ ts: T0 + 1, latencyMs: 7 })]));
    expect(rollupAt(store, 'minute', T0)).toMatchObject({
      count: 2,
      latencyCount: 1,
      latencyMinMs: 7,
      latencyMaxMs: 7,
    });
  });

  it('answers a replayed batchId with the original counts, storing no results but noting the agent was seen', () => {
    const store = openTempStore();
    const { agent, batch } = withAgent(store);
    const first = batch([result(), result()], { status: { version: '1.0.0' } });
    expect(store.ingestBatch(first)).toMatchObject({ replay: false, stored: 2, duplicates: 0 });
    const before = {
      results: store.countResults({}),
      rollup: rollupAt(store, 'minute', T0),
      agent: store.listAgents()[0],
    };

    const retried = {
      ...first,
      receivedAt: T0 + HOUR,
      skewMs: 999,
      status: { version: '2.0.0' },
      results: [...first.results, result({ ts: T0 + 5 })],
    };
    expect(store.ingestBatch(retried)).toEqual({
      replay: true,
      stored: 2,
      duplicates: 0,
      storedResults: [],
      storedHealth: [],
      storedInventory: [],
    });
    expect(store.countResults({})).toBe(before.results);
    expect(rollupAt(store, 'minute', T0)).toEqual(before.rollup);
    expect(store.listAgents().find((a) => a.id === agent.id)).toEqual({
      ...before.agent,
      lastPushAt: T0 + HOUR,
      lastSkewMs: 999,
      lastStatus: { version: '2.0.0' },
    });
  });

  it('counts results already stored under another batch as duplicates without doubling rollups', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    const a = result({ ts: T0 + 1 });
    const b = result({ ts: T0 + 2 });
    store.ingestBatch(batch([a, b]));
    // The agent re-sends b (with a different skew-corrected ts, as after a clock fix) alongside a new c.
    const c = result({ ts: T0 + 3 });
    const outcome = store.ingestBatch(batch([{ ...b, ts: T0 + 10 }, c]));
    expect(outcome).toMatchObject({ replay: false, stored: 1, duplicates: 1 });
    expect(outcome.storedResults.map((r) => r.id)).toEqual([c.id]);
    expect(store.countResults({})).toBe(3);
    expect(rollupAt(store, 'minute', T0)?.count).toBe(3);
    expect(rollupAt(store, 'day', LOCAL_DAY_25_NOV)?.count).toBe(3);
    expect(store.listAgents()[0]?.resultsReceived).toBe(3);
  });

  it('folds a result three days late into its own old buckets', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    const old = T0 - 3 * DAY;
    store.ingestBatch(batch([result({ ts: old, latencyMs: 80 })], { receivedAt: old + 1000 }));
    store.ingestBatch(batch([result({ ts: T0 })]));
    const late = store.ingestBatch(batch([result({ ts: old + 30_000, latencyMs: 20, ok: false })]));
    expect(late.stored).toBe(1);
    expect(rollupAt(store, 'minute', old)).toMatchObject({
      count: 2,
      okCount: 1,
      latencySumMs: 100,
      latencyMinMs: 20,
      latencyMaxMs: 80,
    });
    expect(rollupAt(store, 'hour', old - 30 * MINUTE)).toMatchObject({ count: 2 });
    expect(rollupAt(store, 'day', LOCAL_DAY_25_NOV - 3 * DAY)).toMatchObject({ count: 2 });
    expect(rollupAt(store, 'day', LOCAL_DAY_25_NOV)).toMatchObject({ count: 1 });
    // A late result does not make the target look older: last_seen and kind stay with the newest.
    expect(store.latestPerTarget()[0]?.lastResult.ts).toBe(T0);
  });

  it('rolls the whole batch back when a result fails mid-way', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    store.ingestBatch(batch([result({ target: 'kept' })]));
    const rollupsBefore = store.rollups({ resolution: 'minute', from: 0, to: Number.MAX_SAFE_INTEGER });
    const agentBefore = store.listAgents()[0];

    // A fractional seq violates the STRICT INTEGER column on the third row, after two rows and a new
    // target were already written inside the transaction.
    const bad = batch([result({ target: 'new-a' }), result({ target: 'new-b' }), result({ seq: 1.5 }), result()]);
    expect(() => store.ingestBatch(bad)).toThrow(/cannot store REAL value in INTEGER column results\.seq/);
    expect(store.db.inTransaction).toBe(false);
    expect(store.countResults({})).toBe(1);
    expect(store.rollups({ resolution: 'minute', from: 0, to: Number.MAX_SAFE_INTEGER })).toEqual(rollupsBefore);
    expect(store.listAgents()[0]).toEqual(agentBefore);
    expect(store.db.prepare('SELECT name FROM targets').pluck().all()).toEqual(['kept']);

    // Nothing of the failed batch was recorded, so its corrected retry is not mistaken for a replay.
    const retry = store.ingestBatch({ ...bad, results: bad.results.map((r) => ({ ...r, seq: 7 })) });
    expect(retry).toMatchObject({ replay: false, stored: 4 });
  });

  it('refuses a batch for an unknown agent and stores nothing', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    expect(() => store.ingestBatch(batch([result()], { agentId: 999 }))).toThrow(/FOREIGN KEY/);
    expect(() => store.ingestBatch(batch([], { agentId: 999 }))).toThrow(/FOREIGN KEY/);
    expect(store.countResults({})).toBe(0);
  });

  it('updates the agent: last push, skew, status only when given, max seq and results received', () => {
    const store = openTempStore();
    const { agent, batch } = withAgent(store);
    store.ingestBatch(
      batch([result({ seq: 41 }), result({ seq: 40 })], {
        receivedAt: T0 + 5,
        skewMs: -1234,
        status: { version: '1.2.0', outboxPending: 3 },
      }),
    );
    store.ingestBatch(batch([result({ seq: 12 })], { receivedAt: T0 + 9, skewMs: 250.4 }));
    expect(store.listAgents()).toEqual([
      {
        id: agent.id,
        commune: '26734',
        name: 'pc-1',
        createdAt: T0,
        revokedAt: null,
        lastPushAt: T0 + 9,
        lastSkewMs: 250,
        lastStatus: { version: '1.2.0', outboxPending: 3 },
        maxSeq: 41,
        resultsReceived: 3,
      },
    ]);
  });

  it('lets the newest result decide a target kind and service, not a late one', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    store.ingestBatch(batch([result({ ts: T0, kind: 'http', service: 'portal' })]));
    store.ingestBatch(batch([result({ ts: T0 + HOUR, kind: 'tcp', service: 'payment' })]));
    store.ingestBatch(batch([result({ ts: T0 - DAY, kind: 'http', service: 'portal' })]));
    expect(store.latestPerTarget().map((t) => [t.kind, t.service])).toEqual([['tcp', 'payment']]);
  });
});

describe('agents', () => {
  it('finds an agent by token lookup with its hash, and never a revoked one', () => {
    const store = openTempStore();
    const created = store.createAgent({
      commune: '00004',
      name: 'ba-dinh-pc',
      tokenLookup: 'lookup-1',
      tokenHash: 'f'.repeat(64),
      now: T0,
    });
    expect(created).toEqual({
      id: created.id,
      commune: '00004',
      name: 'ba-dinh-pc',
      createdAt: T0,
      revokedAt: null,
      lastSkewMs: null,
    });
    expect(store.findAgentByTokenLookup('lookup-1')).toEqual({ ...created, tokenHash: 'f'.repeat(64) });
    expect(store.findAgentByTokenLookup('lookup-2')).toBeUndefined();

    expect(store.revokeAgent(created.id, T0 + 1)).toBe(true);
    expect(store.revokeAgent(created.id, T0 + 2)).toBe(false);
    expect(store.findAgentByTokenLookup('lookup-1')).toBeUndefined();
    expect(store.listAgents()[0]).toMatchObject({
      id: created.id,
      revokedAt: T0 + 1,
      lastPushAt: null,
      lastStatus: null,
      maxSeq: 0,
      resultsReceived: 0,
    });
  });

  it('answers ping while open, and close is idempotent', () => {
    const store = openTempStore();
    expect(() => store.ping()).not.toThrow();
    store.close();
    store.close();
    expect(() => store.ping()).toThrow();
  });
});
