import { describe, expect, it } from 'vitest';
import { bucketStart, RollupAccumulator } from '../../../server/store/buckets.js';

const at = (iso: string) => Date.parse(iso);

describe('bucketStart', () => {
  it('starts day buckets at local midnight for UTC+7', () => {
    // 00:30 local on 25 Nov → the day that began at 2026-11-24T17:00Z.
    expect(bucketStart('day', at('2026-11-24T17:30:00Z'), 420)).toBe(at('2026-11-24T17:00:00Z'));
    // 23:59 local on 24 Nov → the previous local day.
    expect(bucketStart('day', at('2026-11-24T16:59:59.999Z'), 420)).toBe(at('2026-11-23T17:00:00Z'));
    expect(bucketStart('day', at('2026-11-24T17:00:00Z'), 420)).toBe(at('2026-11-24T17:00:00Z'));
  });

  it('aligns minute and hour buckets, and honours other offsets', () => {
    expect(bucketStart('minute', at('2026-11-24T17:30:59.999Z'), 420)).toBe(at('2026-11-24T17:30:00Z'));
    expect(bucketStart('hour', at('2026-11-24T17:59:00Z'), 420)).toBe(at('2026-11-24T17:00:00Z'));
    expect(bucketStart('day', at('2026-11-24T17:30:00Z'), 0)).toBe(at('2026-11-24T00:00:00Z'));
    expect(bucketStart('day', at('2026-11-24T03:00:00Z'), -300)).toBe(at('2026-11-23T05:00:00Z'));
    // Half-hour offsets (UTC+5:30) put hour buckets on local whole hours.
    expect(bucketStart('hour', at('2026-11-24T17:10:00Z'), 330)).toBe(at('2026-11-24T16:30:00Z'));
  });
});

describe('RollupAccumulator', () => {
  it('sums counts, latency and loss per target and bucket', () => {
    const acc = new RollupAccumulator(420);
    const ts = at('2026-11-24T17:30:10Z');
    acc.add(1, { ts, ok: true, latencyMs: 10, icmp: { sent: 4, received: 3, lossRatio: 0.25 } });
    acc.add(1, { ts: ts + 1000, ok: false });
    acc.add(1, { ts: ts + 2000, ok: true, latencyMs: 30 });
    acc.add(2, { ts, ok: true, latencyMs: 5 });
    const minute = [...acc.aggregates('minute')];
    expect(minute).toHaveLength(2);
    expect(minute[0]).toEqual({
      targetId: 1,
      bucket: at('2026-11-24T17:30:00Z'),
      count: 3,
      okCount: 2,
      latencyCount: 2,
      latencySum: 40,
      latencyMin: 10,
      latencyMax: 30,
      lossSum: 0.25,
      lossCount: 1,
    });
    expect([...acc.aggregates('day')].map((a) => a.bucket)).toEqual([
      at('2026-11-24T17:00:00Z'),
      at('2026-11-24T17:00:00Z'),
    ]);
  });
});
