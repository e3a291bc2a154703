/**
 * The status page over a real listener on 127.0.0.1 port 0: routes, methods, headers, escaping, the JSON
 * snapshot, binding to loopback only, and the Host check against DNS rebinding.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import pino from 'pino';
import type { AgentSnapshot } from '../../../agent/snapshot.js';
import { startAgentStatusPage, type AgentStatusPage } from '../../../agent/status-page/server.js';

const NOW = Date.UTC(2026, 10, 25, 3, 20);
const EVIL = '<script>alert("x")</script>';

function snapshot(): AgentSnapshot {
  const base = { kind: 'http', role: 'service', durationMs: 80, ts: NOW - 20_000 };
  return {
    commune: '10345',
    version: '0.1.0',
    startedAt: NOW - 7_200_000,
    services: [
      {
        since: NOW - 600_000,
        result: {
          ...base,
          id: 'r-000001',
          seq: 1,
          target: 'motcua',
          service: 'one-stop-shop',
          ok: false,
          layer: 'service',
          error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: EVIL },
        },
      },
      {
        since: NOW - 600_000,
        result: { ...base, id: 'r-000002', seq: 2, target: EVIL, service: 'civil-status', ok: true },
      },
    ],
    path: [
      {
        since: NOW - 3_600_000,
        result: {
          ...base,
          id: 'r-000003',
          seq: 3,
          kind: 'icmp',
          role: 'gateway',
          target: 'path-gateway',
          service: 'network',
          ok: true,
        },
      },
    ],
    outbox: { pending: 5, oldestTs: NOW - 60_000, droppedTotal: 0, deadLettered: 0, lastSeq: 3 },
    push: { lastAckAt: null, skewMs: null, failing: true, lastError: `HTTP 502 ${EVIL}` },
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function fetchRaw(url: string, path: string, opts: { method?: string; host?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.host ? { host: opts.host } : {},
      },
      (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => (body += c))
          .on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject).end();
  });
}

describe('agent status page server', () => {
  let page: AgentStatusPage;
  let current: () => AgentSnapshot;

  beforeEach(async () => {
    current = snapshot;
    page = await startAgentStatusPage({
      host: '127.0.0.1',
      port: 0,
      snapshot: () => current(),
      log: pino({ level: 'silent' }),
      now: () => NOW,
    });
  });
  afterEach(() => page.close());

  it('serves the page in Vietnamese, escaped, uncached, under a strict CSP', async () => {
    const r = await fetchRaw(page.url, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain('Mạng của xã bình thường; lỗi ở phía phần mềm');
    expect(r.body).toContain('Phần mềm một cửa đang lỗi ở phía máy chủ');
    expect(r.body).toContain('5 kết quả đang chờ gửi');
    expect(r.body.match(/<script>/g)).toHaveLength(1);
    expect(r.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('switches to English with ?lang=en', async () => {
    const r = await fetchRaw(page.url, '/?lang=en');
    expect(r.body).toContain('The commune&#39;s network is fine; the fault is on the software side');
    expect(r.body).toContain('<html lang="en">');
  });

  it('serves the snapshot as JSON', async () => {
    const r = await fetchRaw(page.url, '/status.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(r.body) as AgentSnapshot;
    expect(body).toEqual(snapshot());
    expect(Object.keys(body).sort()).toEqual(['commune', 'outbox', 'path', 'push', 'services', 'startedAt', 'version']);
    expect(body.services[0]).toMatchObject({
      since: NOW - 600_000,
      result: { target: 'motcua', ok: false, layer: 'service' },
    });
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    for (const path of ['/index.html', '/status', '/status.json/x', '//evil/status.json', '/favicon.ico']) {
      expect((await fetchRaw(page.url, path)).status, path).toBe(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await fetchRaw(page.url, '/', { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    const head = await fetchRaw(page.url, '/status.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses a Host header naming another site (DNS rebinding)', async () => {
    expect((await fetchRaw(page.url, '/status.json', { host: 'evil.example:8765' })).status).toBe(403);
    for (const host of ['localhost:1', '127.0.0.1', '[::1]:8765', 'LOCALHOST']) {
      expect((await fetchRaw(page.url, '/status.json', { host })).status, host).toBe(200);
    }
  });

  it('answers 500 without details when the snapshot cannot be read', async () => {
    current = () => {
      throw new Error('The database connection is not open');
    };
    const r = await fetchRaw(page.url, '/');
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('database');
  });

  it('binds 127.0.0.1 only', async () => {
    expect(page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = Number(new URL(page.url).port);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    const reach = (host: string) =>
      new Promise<string>((resolve) => {
        const s = connect({ host, port }, () => {
          s.destroy();
          resolve('connected');
        }).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    expect(await reach('127.0.0.1')).toBe('connected');
    if (external) expect(await reach(external)).toBe('ECONNREFUSED');
    else console.warn('no non-loopback IPv4 address on this machine: only the bound URL was checked');
  });

  it('rejects when the port is taken, and closes with a keep-alive connection open', async () => {
    const port = Number(new URL(page.url).port);
    await expect(
      startAgentStatusPage({ host: '127.0.0.1', port, snapshot, log: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/EADDRINUSE/);
    const other = await startAgentStatusPage({ host: '127.0.0.1', port: 0, snapshot, log: pino({ level: 'silent' }) });
    // A browser keeps its connection open; close() must not wait for it to go away.
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(other.url).port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await other.close();
    await closed;
  });
});
