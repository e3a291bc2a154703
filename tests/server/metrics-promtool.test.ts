/**
 * The /metrics exposition, checked by Prometheus' own linter (`promtool check metrics`, Debian package
 * `prometheus`), after ingesting results of every probe kind so every metric family has samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RunningServer } from '../../server/main.js';
import type { ProbeResult } from '../../protocol/wire.js';
import { registerAgent, startTestServer } from '../helpers/start-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { parsePromText, sample } from '../helpers/prom-text.js';

function promtoolPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('promtool not found: install the Debian package "prometheus" (.ci/run does)');
  return found;
}

describe('/metrics', () => {
  const dir = tempDir();
  let server: RunningServer;
  let text: string;

  beforeAll(async () => {
    server = await startTestServer(join(dir.path, 'server'));
    const token = registerAgent(server, '26734');
    const now = Date.now();
    const base = { service: 'network', durationMs: 12, ts: now };
    const results: ProbeResult[] = [
      {
        ...base,
        id: randomUUID(),
        seq: 1,
        target: 'motcua',
        kind: 'http',
        service: 'one-stop-shop',
        ok: true,
        latencyMs: 80,
        http: {
          statusCode: 200,
          phases: {
            resolveMs: 1,
            connectMs: 2,
            tlsMs: 10,
            processingMs: 60,
            transferMs: 7,
            firstByteMs: 73,
            totalMs: 80,
          },
          certExpiresAt: now + 30 * 86_400_000,
          tlsVersion: 'TLSv1.3',
        },
      },
      {
        ...base,
        id: randomUUID(),
        seq: 2,
        target: 'gateway',
        kind: 'icmp',
        ok: true,
        latencyMs: 1.5,
        icmp: { sent: 5, received: 4, lossRatio: 0.2, rttMinMs: 1, rttAvgMs: 1.5, rttMaxMs: 2.5, jitterMs: 0.4 },
      },
      {
        ...base,
        id: randomUUID(),
        seq: 3,
        target: 'tsl-link',
        kind: 'tcp',
        ok: false,
        error: { code: 'CW_ERR_PROBE_CONN_REFUSED', message: 'connect ECONNREFUSED 10.0.0.1:443' },
        tcp: {},
      },
      {
        ...base,
        id: randomUUID(),
        seq: 4,
        target: 'resolver',
        kind: 'dns',
        ok: true,
        latencyMs: 3,
        dns: { resolveMs: 3, answers: ['203.0.113.5', '203.0.113.6'] },
      },
    ];
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, batchId: randomUUID(), commune: '26734', sentAt: now, results }),
    });
    expect(res.status).toBe(200);
    text = await (await fetch(`${server.url}/metrics`)).text();
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  it('passes promtool check metrics', () => {
    const run = spawnSync(promtoolPath(), ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('carries the values of every probe kind', () => {
    const s = parsePromText(text);
    const t = (target: string) => ({ commune: '26734', target });
    expect(sample(s, 'communewatch_probe_http_duration_seconds', { ...t('motcua'), phase: 'tls' })).toBeCloseTo(0.01);
    expect(sample(s, 'communewatch_probe_ssl_earliest_cert_expiry', t('motcua'))).toBeGreaterThan(Date.now() / 1000);
    expect(sample(s, 'communewatch_probe_icmp_packet_loss_ratio', t('gateway'))).toBeCloseTo(0.2);
    expect(sample(s, 'communewatch_probe_icmp_duration_seconds', { ...t('gateway'), phase: 'rtt' })).toBeCloseTo(
      0.0015,
    );
    expect(sample(s, 'communewatch_probe_icmp_jitter_seconds', t('gateway'))).toBeCloseTo(0.0004);
    expect(sample(s, 'communewatch_probe_success', t('tsl-link'))).toBe(0);
    expect(sample(s, 'communewatch_probe_dns_answer_rrs', t('resolver'))).toBe(2);
    expect(text).not.toMatch(/ECONNREFUSED/);
  });
});
