/**
 * The whole path on real components: a real server on port 0 over a SQLite file, the agent CLI as a child
 * process, real targets (HTTP servers with faults, ICMP to 127.0.0.1, a closed TCP port), and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunningServer } from '../../server/main.js';
import type { StoredResult } from '../../server/store/store.js';
import { VendorApp } from '../../demo/vendor-app.js';
import { registerAgent, startTestServer } from '../helpers/start-server.js';
import { startAgentProcess, writeAgentConfig, type AgentProcess } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { parsePromText, sample } from '../helpers/prom-text.js';
import { unusedPort } from '../helpers/ports.js';

const COMMUNE = '26734';
const TARGETS = ['healthy', 'down', 'hanging', 'loopback', 'closed-port'];

describe('pipeline: agent → server → metrics', () => {
  const dir = tempDir();
  let server: RunningServer;
  let vendor: VendorApp;
  let agent: AgentProcess;
  let latest: Map<string, StoredResult>;

  beforeAll(async () => {
    server = await startTestServer(join(dir.path, 'server'));
    vendor = new VendorApp();
    await vendor.listen();
    vendor.setFault('/motcua/dang-nhap', 'ok');
    vendor.setFault('/down', 'error503');
    vendor.setFault('/hang', 'hang');
    const token = registerAgent(server, COMMUNE);
    const configFile = join(dir.path, 'agent.yaml');
    writeAgentConfig(configFile, {
      commune: COMMUNE,
      server: { url: server.url },
      push: { idleSec: 0.2, minBackoffSec: 0.2, maxBackoffSec: 2 },
      log: { level: 'debug' },
      targets: [
        {
          name: 'healthy',
          kind: 'http',
          service: 'one-stop-shop',
          url: `${vendor.url}/motcua/dang-nhap`,
          keyword: 'Đăng nhập',
          intervalSec: 2,
          timeoutMs: 1500,
        },
        {
          name: 'down',
          kind: 'http',
          service: 'civil-status',
          url: `${vendor.url}/down`,
          intervalSec: 2,
          timeoutMs: 1500,
        },
        {
          name: 'hanging',
          kind: 'http',
          service: 'payment',
          url: `${vendor.url}/hang`,
          intervalSec: 2,
          timeoutMs: 800,
        },
        {
          name: 'loopback',
          kind: 'icmp',
          service: 'network',
          host: '127.0.0.1',
          count: 3,
          intervalMs: 200,
          intervalSec: 2,
          timeoutMs: 2000,
        },
        {
          name: 'closed-port',
          kind: 'tcp',
          service: 'portal',
          host: '127.0.0.1',
          port: await unusedPort(),
          intervalSec: 2,
          timeoutMs: 1000,
        },
      ],
    });
    agent = startAgentProcess(configFile, token);
    latest = await waitFor(
      'a stored result for every target',
      () =>
        new Map(
          TARGETS.map(
            (t) => [t, server.store.listResults({ commune: COMMUNE, target: t, limit: 1 })[0]] as const,
          ).filter(([, r]) => r) as [string, StoredResult][],
        ),
      (m) => m.size === TARGETS.length,
      { timeoutMs: 30_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agent.output()}`);
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.close();
    await vendor?.close();
    dir.remove();
  });

  it('stores what each target did', () => {
    const healthy = latest.get('healthy')!;
    expect(healthy).toMatchObject({ ok: true, kind: 'http', service: 'one-stop-shop', http: { statusCode: 200 } });
    expect(healthy.latencyMs).toBeGreaterThan(0);

    const down = latest.get('down')!;
    expect(down).toMatchObject({ ok: false, http: { statusCode: 503 }, error: { code: 'CW_ERR_PROBE_HTTP_STATUS' } });

    const hanging = latest.get('hanging')!;
    expect(hanging).toMatchObject({ ok: false, error: { code: 'CW_ERR_PROBE_TIMEOUT' } });
    expect(hanging.durationMs).toBeGreaterThanOrEqual(700);
    expect(hanging.durationMs).toBeLessThan(5000);

    const loopback = latest.get('loopback')!;
    expect(loopback).toMatchObject({ ok: true, kind: 'icmp', icmp: { sent: 3, received: 3, lossRatio: 0 } });
    expect(loopback.icmp!.rttAvgMs).toBeGreaterThan(0);

    const closed = latest.get('closed-port')!;
    expect(closed).toMatchObject({ ok: false, kind: 'tcp', error: { code: 'CW_ERR_PROBE_CONN_REFUSED' } });

    for (const r of latest.values()) {
      expect(r.commune).toBe(COMMUNE);
      expect(r.seq).toBeGreaterThanOrEqual(1);
      expect(Math.abs(r.receivedAt - r.ts)).toBeLessThan(30_000);
    }
  });

  it('exposes the same values on /metrics', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const s = parsePromText(await res.text());
    const l = (target: string) => ({ commune: COMMUNE, target });
    // The latest result may have moved on since `latest` was read; these targets are deterministic.
    expect(sample(s, 'communewatch_probe_success', l('healthy'))).toBe(1);
    expect(sample(s, 'communewatch_probe_success', l('down'))).toBe(0);
    expect(sample(s, 'communewatch_probe_http_status_code', l('down'))).toBe(503);
    expect(sample(s, 'communewatch_probe_http_status_code', l('healthy'))).toBe(200);
    expect(sample(s, 'communewatch_probe_success', l('hanging'))).toBe(0);
    expect(sample(s, 'communewatch_probe_success', l('loopback'))).toBe(1);
    expect(sample(s, 'communewatch_probe_icmp_packet_loss_ratio', l('loopback'))).toBe(0);
    expect(sample(s, 'communewatch_probe_icmp_packets_received', l('loopback'))).toBe(3);
    expect(sample(s, 'communewatch_probe_success', l('closed-port'))).toBe(0);
    expect(
      sample(s, 'communewatch_probe_http_duration_seconds', { ...l('healthy'), phase: 'connect' }),
    ).toBeGreaterThanOrEqual(0);
    const lastPush = sample(s, 'communewatch_agent_last_push_timestamp_seconds', { commune: COMMUNE });
    expect(Math.abs(lastPush - Date.now() / 1000)).toBeLessThan(60);
    expect(sample(s, 'communewatch_agent_missing_results', { commune: COMMUNE })).toBe(0);
    expect(sample(s, 'communewatch_agent_outbox_dropped_results', { commune: COMMUNE })).toBe(0);
    expect(
      s.find((x) => x.name === 'communewatch_ingest_requests_total' && x.labels.outcome === 'stored')!.value,
    ).toBeGreaterThan(0);
    expect(s.some((x) => x.name === 'process_cpu_seconds_total')).toBe(true);
    // No error text in labels, ever.
    expect(s.every((x) => Object.values(x.labels).every((v) => !/ECONN|status 503|timed out/i.test(v)))).toBe(true);
  });

  it('rolls results up per minute, hour and day', () => {
    const now = Date.now();
    const rows = server.store.rollups({
      resolution: 'minute',
      commune: COMMUNE,
      target: 'down',
      from: now - 3_600_000,
      to: now + 60_000,
    });
    const count = rows.reduce((a, r) => a + r.count, 0);
    expect(count).toBeGreaterThan(0);
    expect(rows.reduce((a, r) => a + r.okCount, 0)).toBe(0);
    const day = server.store.rollups({
      resolution: 'day',
      commune: COMMUNE,
      target: 'down',
      from: now - 2 * 86_400_000,
      to: now + 86_400_000,
    });
    expect(day.reduce((a, r) => a + r.count, 0)).toBeGreaterThanOrEqual(count);
  });
});
