import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { collectHealth, siHealthSources, type HealthSources } from '../../../agent/system/health.js';
import { HealthSample } from '../../../protocol/system.js';

/** Deterministic sources, so failure tests do not depend on this machine. */
const fake: HealthSources = {
  currentLoad: async () => ({ currentLoad: 12.345 }),
  mem: async () => ({ total: 4_000_000_000, available: 1_500_000_000, swapused: 10 }),
  fsSize: async () => [
    { mount: 'C:', type: 'NTFS', size: 120e9, available: 8e9 },
    { mount: '/dev/shm', type: 'tmpfs', size: 1e9, available: 1e9 },
    { mount: 'D:', type: '', size: 0, available: 0 },
  ],
  networkStats: async (ifaces) =>
    ifaces
      .split(',')
      .map((iface) => ({ iface, operstate: 'up', rx_errors: 1, tx_errors: 2, rx_dropped: 3, tx_dropped: 4 })),
  interfaces: () => ['Ethernet', 'Kết nối Mạng Cục bộ', 'evil;rm -rf'],
};

describe('collectHealth', () => {
  it('returns a sane, schema-valid sample on this machine', async () => {
    const before = Date.now();
    const s = await collectHealth({ clockOffsetMs: -1234.4 });
    expect(Value.Check(HealthSample, s)).toBe(true);
    expect(s.ts).toBeGreaterThanOrEqual(before);
    expect(s.memTotalBytes).toBeGreaterThan(0);
    expect(s.memAvailableBytes).toBeGreaterThan(0);
    expect(s.disks.length).toBeGreaterThanOrEqual(1);
    expect(s.disks[0]!.sizeBytes).toBeGreaterThan(s.disks[0]!.freeBytes);
    expect(s.uptimeSec).toBeGreaterThan(0);
    expect(s.cpuLoadPct).toBeGreaterThanOrEqual(0);
    expect(s.cpuLoadPct).toBeLessThanOrEqual(100);
    expect(s.clockOffsetMs).toBe(-1234);
    expect(s.ifaces.every((i) => i.iface !== 'lo')).toBe(true);
    expect(s.errors).toBeUndefined();
    // Second call: no 500 ms priming wait any more, and still valid.
    const again = await collectHealth({ now: () => 1_700_000_000_000 });
    expect(Value.Check(HealthSample, again)).toBe(true);
    expect(again.ts).toBe(1_700_000_000_000);
    expect(again.clockOffsetMs).toBeUndefined();
  });

  it('keeps real disks only and rounds values', async () => {
    const s = await collectHealth({ sources: fake, now: () => 1000 });
    expect(Value.Check(HealthSample, s)).toBe(true);
    expect(s.disks).toEqual([{ mount: 'C:', fsType: 'NTFS', sizeBytes: 120e9, freeBytes: 8e9 }]);
    expect(s.cpuLoadPct).toBe(12.3);
    expect(s.memTotalBytes).toBe(4_000_000_000);
    // Vietnamese Windows 7 adapter names pass; a name si's sanitiser would mangle is skipped and reported.
    expect(s.ifaces.map((i) => i.iface)).toEqual(['Ethernet', 'Kết nối Mạng Cục bộ']);
    expect(s.ifaces[0]).toEqual({
      iface: 'Ethernet',
      rxErrors: 1,
      txErrors: 2,
      rxDropped: 3,
      txDropped: 4,
      operstate: 'up',
    });
    expect(s.errors).toEqual(['networkStats: skipped 1 interface(s) with unusual names']);
  });

  it('a failing call leaves its part empty and is named in errors; the rest is collected', async () => {
    const s = await collectHealth({
      sources: { ...siHealthSources, fsSize: () => Promise.reject(new Error('df exploded')) },
    });
    expect(Value.Check(HealthSample, s)).toBe(true);
    expect(s.disks).toEqual([]);
    expect(s.errors).toEqual(['fsSize: df exploded']);
    expect(s.memTotalBytes).toBeGreaterThan(0);
    expect(s.cpuLoadPct).toBeDefined();
  });

  it('a hung call times out instead of hanging the sample', async () => {
    const s = await collectHealth({
      sources: { ...fake, mem: () => new Promise(() => {}), interfaces: () => [] },
      timeoutMs: 50,
    });
    expect(Value.Check(HealthSample, s)).toBe(true);
    expect(s.errors).toEqual(['mem: timeout after 50 ms']);
    expect(s.memTotalBytes).toBeUndefined();
    expect(s.cpuLoadPct).toBe(12.3);
  });

  it('survives every call failing, throwing synchronously or returning garbage', async () => {
    const boom = () => {
      throw new Error('sync boom');
    };
    const s = await collectHealth({
      sources: {
        currentLoad: async () => ({ currentLoad: Number.NaN }),
        mem: async () => null as never,
        fsSize: boom,
        networkStats: async () => [
          { iface: 'eth0', operstate: 'up', rx_errors: Number.NaN, tx_errors: 0, rx_dropped: 0, tx_dropped: 0 },
        ],
        interfaces: () => ['eth0'],
      },
    });
    expect(Value.Check(HealthSample, s)).toBe(true);
    expect(s.uptimeSec).toBeGreaterThan(0);
    expect(s.cpuLoadPct).toBeUndefined();
    expect(s.ifaces).toEqual([]);
    expect(s.errors).toEqual(
      expect.arrayContaining(['currentLoad: no value yet', 'mem: no data', 'fsSize: sync boom']),
    );
    expect(s.errors?.some((e) => e.startsWith('networkStats: no counters for eth0'))).toBe(true);
  });
});
