/** The scheduler on a fake clock: spread first rounds, fixed cadence, no overlapping rounds, clean stop. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../agent/scheduler.js';

describe('Scheduler', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-11-25T01:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('starts each target at a random offset within its interval, then keeps a fixed cadence', async () => {
    const runs: Array<[string, number]> = [];
    const t0 = Date.now();
    const offsets = [0.5, 0.1];
    const s = new Scheduler({
      targets: [
        { name: 'a', intervalSec: 10 },
        { name: 'b', intervalSec: 60 },
      ],
      runRound: async (t) => void runs.push([t.name, Date.now() - t0]),
      random: () => offsets.shift()!,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runs).toEqual([
      ['a', 5_000],
      ['b', 6_000],
      ['a', 15_000],
      ['a', 25_000],
    ]);
    await s.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toHaveLength(4);
  });

  it('spreads many agents: first rounds of 1,000 targets cover the whole interval', () => {
    const firsts: number[] = [];
    const t0 = Date.now();
    const s = new Scheduler({
      targets: Array.from({ length: 1000 }, (_, i) => ({ name: `t${i}`, intervalSec: 60 })),
      runRound: async () => void firsts.push(Date.now() - t0),
    });
    s.start();
    vi.advanceTimersByTime(60_000);
    void s.stop();
    const perTenSeconds = [0, 1, 2, 3, 4, 5].map(
      (k) => firsts.filter((ms) => ms >= k * 10_000 && ms < (k + 1) * 10_000).length,
    );
    expect(firsts).toHaveLength(1000);
    // Uniform spread: each 10 s slice gets a fair share (expected ~167), never a burst on one second.
    for (const n of perTenSeconds) expect(n).toBeGreaterThan(100);
  });

  it('skips a slot while the previous round of the same target still runs', async () => {
    let release!: () => void;
    let started = 0;
    const skipped: string[] = [];
    const s = new Scheduler({
      targets: [{ name: 'slow', intervalSec: 10 }],
      runRound: () => {
        started++;
        return new Promise<void>((r) => (release = r));
      },
      random: () => 0,
      onSkipped: (t) => skipped.push(t.name),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(started).toBe(1);
    expect(skipped).toEqual(['slow', 'slow']);
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toBe(2);
    release();
    await s.stop();
  });

  it('after the clock jumps ahead (machine slept), resumes on the grid without a burst of missed rounds', async () => {
    let runs = 0;
    const s = new Scheduler({
      targets: [{ name: 'a', intervalSec: 10 }],
      runRound: async () => void runs++,
      random: () => 0,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    vi.setSystemTime(Date.now() + 3_600_000); // wall clock jumps an hour; timers did not fire meanwhile
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(3);
    await s.stop();
  });

  it('confirms a failure with up to two rounds retryIntervalSec apart, then keeps the normal cadence', async () => {
    const runs: number[] = [];
    const t0 = Date.now();
    let failing = true;
    const s = new Scheduler({
      targets: [{ name: 'motcua', intervalSec: 60, retryIntervalSec: 10 }],
      runRound: async () => {
        runs.push((Date.now() - t0) / 1000);
        return !failing;
      },
      random: () => 0,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(130_000);
    // Fails at 0: confirmation rounds at 10 and 20; then only the grid (60, 120), however long it fails.
    expect(runs).toEqual([0, 10, 20, 60, 120]);
    failing = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toEqual([0, 10, 20, 60, 120, 180]);
    // A success resets it: the next failure is confirmed quickly again.
    failing = true;
    await vi.advanceTimersByTimeAsync(55_000); // now 245 s
    expect(runs.slice(6)).toEqual([240]);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(runs.slice(6)).toEqual([240, 250, 260]);
    await s.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toHaveLength(9);
  });

  it('runs no confirmation rounds when retryIntervalSec is not shorter than the interval', async () => {
    const runs: number[] = [];
    const t0 = Date.now();
    const s = new Scheduler({
      targets: [{ name: 'gw', intervalSec: 10, retryIntervalSec: 10 }],
      runRound: async () => {
        runs.push(Date.now() - t0);
        return false;
      },
      random: () => 0,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(25_000);
    await s.stop();
    expect(runs).toEqual([0, 10_000, 20_000]);
  });
});
