import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, openTempStore, result, T0, withAgent } from './fixtures.js';

const NOW = T0 + HOUR;
const ALL = { from: 0, to: Number.MAX_SAFE_INTEGER };

describe('applyRetention', () => {
  it('deletes raw rows past rawDays while rollups survive and still answer', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    store.ingestBatch(
      batch([result({ ts: NOW - 40 * DAY }), result({ ts: NOW - 10 * DAY }), result({ ts: NOW - MINUTE })]),
    );
    const report = store.applyRetention({ rawDays: 7, minuteDays: 7, hourDays: 30, dayDays: 0 }, NOW);
    expect(report).toEqual({
      rawDeleted: 2,
      minuteDeleted: 2,
      hourDeleted: 1,
      dayDeleted: 0,
      batchesDeleted: 0,
      healthDeleted: 0,
      more: false,
    });

    expect(store.listResults({}).map((r) => r.ts)).toEqual([NOW - MINUTE]);
    expect(store.countResults({ to: NOW - 7 * DAY })).toBe(0);
    expect(store.rollups({ resolution: 'day', ...ALL }).map((r) => r.count)).toEqual([1, 1, 1]);
    expect(store.rollups({ resolution: 'hour', ...ALL })).toHaveLength(2);
    expect(store.rollups({ resolution: 'minute', ...ALL })).toHaveLength(1);
    // Safe to repeat: nothing more to do.
    expect(store.applyRetention({ rawDays: 7, minuteDays: 7, hourDays: 30, dayDays: 0 }, NOW)).toMatchObject({
      rawDeleted: 0,
      more: false,
    });
  });

  it('keeps a rollup bucket that still overlaps the window, and 0 days keeps everything', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    // The local day containing (NOW − 2 days) starts before the 2-day cutoff but ends after it.
    store.ingestBatch(batch([result({ ts: NOW - 2 * DAY + MINUTE }), result({ ts: NOW - 3 * DAY - MINUTE })]));
    const report = store.applyRetention({ rawDays: 0, minuteDays: 0, hourDays: 0, dayDays: 2 }, NOW);
    expect(report).toMatchObject({ rawDeleted: 0, minuteDeleted: 0, hourDeleted: 0, dayDeleted: 1 });
    expect(store.rollups({ resolution: 'day', ...ALL })).toHaveLength(1);
    expect(store.countResults({})).toBe(2);
  });

  it('works in bounded chunks and reports when more remains', () => {
    // Every table with a finite policy costs at least one chunk per call (here: batches, then raw).
    const store = openTempStore({ retentionChunkRows: 10, retentionMaxChunks: 4 });
    const { batch } = withAgent(store);
    store.ingestBatch(batch(Array.from({ length: 95 }, (_, i) => result({ ts: NOW - 30 * DAY + i * 1000 }))));
    const policy = { rawDays: 7, minuteDays: 0, hourDays: 0, dayDays: 0 };
    expect(store.applyRetention(policy, NOW)).toMatchObject({ rawDeleted: 30, more: true });
    let calls = 1;
    let total = 30;
    for (;;) {
      const r = store.applyRetention(policy, NOW);
      calls += 1;
      total += r.rawDeleted;
      if (!r.more) break;
    }
    expect(total).toBe(95);
    expect(calls).toBe(4);
    expect(store.countResults({})).toBe(0);
  });

  it('keeps acknowledged batches at least 7 days so late retries are still answered as replays', () => {
    const store = openTempStore();
    const { batch } = withAgent(store);
    const old = batch([result({ ts: NOW - 8 * DAY })], { receivedAt: NOW - 8 * DAY });
    const recent = batch([result({ ts: NOW - 3 * DAY })], { receivedAt: NOW - 3 * DAY });
    store.ingestBatch(old);
    store.ingestBatch(recent);
    expect(store.applyRetention({ rawDays: 1, minuteDays: 1, hourDays: 1, dayDays: 0 }, NOW)).toMatchObject({
      batchesDeleted: 1,
      rawDeleted: 2,
    });
    expect(store.ingestBatch(recent)).toMatchObject({ replay: true, stored: 1 });
    expect(store.ingestBatch(old)).toMatchObject({ replay: false });
  });

  it('rejects a negative retention', () => {
    const store = openTempStore();
    expect(() => store.applyRetention({ rawDays: -1, minuteDays: 1, hourDays: 1, dayDays: 0 }, NOW)).toThrow(
      'retention rawDays must be ≥ 0',
    );
  });
});
