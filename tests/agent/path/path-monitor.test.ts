/** The path monitor's hop list, coalescing of concurrent demands, and snapshot, with injected probes. */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Value } from 'typebox/value';
import { PathMonitor, type PathTarget } from '../../../agent/path/path-monitor.js';
import { parseHop } from '../../../agent/path/path-config.js';
import { PathConfigSchema, type PathConfig } from '../../../protocol/plan.js';
import type { ProbeResult } from '../../../protocol/wire.js';

function monitor(config: Partial<PathConfig>, verdicts: Record<string, boolean>, now = () => 1_000) {
  const calls: PathTarget[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const m = new PathMonitor({
    config: Value.Default(PathConfigSchema, config) as PathConfig,
    defaultProbeName: 'dichvucong.laocai.gov.vn',
    now,
    log: pino({ level: 'silent' }),
    detectGateway: async () => '10.1.1.1',
    systemResolvers: () => ['10.1.1.53', '8.8.8.8'],
    runRound: async (t) => {
      calls.push(t);
      await gate;
      return { ok: verdicts[t.name] ?? true } as ProbeResult;
    },
  });
  return { m, calls, release };
}

describe('PathMonitor', () => {
  it('probes gateway, each resolver, uplink and data centre, with the right probe kinds', async () => {
    const { m, calls, release } = monitor({ uplink: '203.113.1.1', datacentre: '10.20.0.5:443' }, {});
    const pending = m.check();
    release();
    await pending;
    expect(calls.map((c) => [c.name, c.role, c.kind, c.params])).toEqual([
      ['path-gateway', 'gateway', 'icmp', { host: '10.1.1.1', count: 3, intervalMs: 200 }],
      ['path-dns-1', 'resolver', 'dns', { query: 'dichvucong.laocai.gov.vn', server: '10.1.1.53', recordType: 'A' }],
      ['path-dns-2', 'resolver', 'dns', { query: 'dichvucong.laocai.gov.vn', server: '8.8.8.8', recordType: 'A' }],
      ['path-uplink', 'uplink', 'icmp', { host: '203.113.1.1', count: 3, intervalMs: 200 }],
      ['path-datacentre', 'datacentre', 'tcp', { host: '10.20.0.5', port: 443 }],
    ]);
  });

  it('folds hop results into a snapshot: resolvers are up while any one answers', async () => {
    const { m, release } = monitor({ uplink: '203.113.1.1' }, { 'path-dns-1': false, 'path-uplink': false });
    release();
    expect(await m.check()).toEqual({
      at: 1_000,
      gateway: { ok: true },
      resolvers: { ok: true },
      uplink: { ok: false },
      datacentre: undefined,
    });
    expect(m.latest()).toMatchObject({ uplink: { ok: false } });
  });

  it("carries each ICMP hop's echo loss into the snapshot; resolvers and TCP hops have none", async () => {
    const icmp = (received: number) => ({ sent: 3, received, lossRatio: Math.round((1 - received / 3) * 1000) / 1000 });
    const results: Record<string, Partial<ProbeResult>> = {
      'path-gateway': { ok: true, icmp: icmp(3) },
      'path-uplink': { ok: true, icmp: icmp(1) },
      'path-datacentre': { ok: false, icmp: icmp(0) },
    };
    const m = new PathMonitor({
      config: Value.Default(PathConfigSchema, { uplink: '203.113.1.1', datacentre: '10.20.0.5' }) as PathConfig,
      defaultProbeName: 'dichvucong.laocai.gov.vn',
      now: () => 1_000,
      log: pino({ level: 'silent' }),
      detectGateway: async () => '10.1.1.1',
      systemResolvers: () => ['10.1.1.53'],
      // Only a ping round carries echo figures, as with the real probes.
      runRound: async (t) => (t.kind === 'icmp' ? { ok: true, ...results[t.name] } : { ok: true }) as ProbeResult,
    });
    expect(await m.check()).toEqual({
      at: 1_000,
      gateway: { ok: true, lossRatio: 0 },
      resolvers: { ok: true },
      uplink: { ok: true, lossRatio: 0.667 },
      datacentre: { ok: false, lossRatio: 1 },
    });
    m.setConfig(Value.Default(PathConfigSchema, { gateway: '10.1.1.1:80', resolvers: [] }) as PathConfig);
    expect((await m.check()).gateway).toEqual({ ok: true });
  });

  it('shares one check among concurrent demands and reuses a fresh one', async () => {
    let t = 1_000;
    const { m, calls, release } = monitor({ gateway: '10.9.9.9', resolvers: [] }, {}, () => t);
    const a = m.check();
    const b = m.check();
    release();
    expect(await a).toBe(await b);
    expect(calls).toHaveLength(1);
    t += 2_000;
    await m.check();
    expect(calls).toHaveLength(1);
    t += 10_000;
    await m.check();
    expect(calls).toHaveLength(2);
  });

  it('skips what is not configured: gateway none, no name to resolve', async () => {
    const m = new PathMonitor({
      config: Value.Default(PathConfigSchema, { gateway: 'none' }) as PathConfig,
      now: () => 0,
      log: pino({ level: 'silent' }),
      runRound: async () => {
        throw new Error('nothing should be probed');
      },
    });
    expect(await m.check()).toEqual({
      at: 0,
      gateway: undefined,
      resolvers: undefined,
      uplink: undefined,
      datacentre: undefined,
    });
  });

  it('probes new hops after setConfig (a changed central plan)', async () => {
    const { m, calls, release } = monitor({ gateway: 'none', resolvers: [], uplink: '203.113.1.1' }, {});
    release();
    await m.check();
    m.setConfig(
      Value.Default(PathConfigSchema, { gateway: 'none', resolvers: [], uplink: '203.113.9.9' }) as PathConfig,
    );
    await m.check();
    expect(calls.map((c) => c.params.host)).toEqual(['203.113.1.1', '203.113.9.9']);
  });

  it('parses hops', () => {
    expect(parseHop('10.0.0.1')).toEqual({ host: '10.0.0.1' });
    expect(parseHop('gw.xa.vn:443')).toEqual({ host: 'gw.xa.vn', port: 443 });
    expect(parseHop('2001:db8::1')).toEqual({ host: '2001:db8::1' });
    expect(parseHop('[2001:db8::1]:53')).toEqual({ host: '2001:db8::1', port: 53 });
  });
});
