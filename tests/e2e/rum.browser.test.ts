/**
 * Real-user monitoring end to end in Debian's chromium (playwright-core, headless): a vendor's page on
 * another origin loads /rum.js (the esbuild bundle of the real Faro SDK) with an app key and a commune,
 * throws an uncaught error (twice, from the same code), rejects a promise, calls fetch on a 500
 * endpoint, and navigates away (the unload flush). The collector must store each, group the repeats into
 * one fingerprint with the right count, resolve the commune, and keep no query string. A batch captured
 * here from the real SDK is then replayed through `inject` into a fresh app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { RunningServer } from '../../server/main.js';
import type { SqliteStore } from '../../server/store/sqlite-store.js';
import { startTestServer } from '../helpers/start-server.js';
import { startApiApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const ON_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && !ON_CI) console.warn(`skipped: ${CHROMIUM} not installed (apt-get install -y chromium)`);

/** The vendor's web app: two pages and a failing API, on its own origin. */
function vendorApp(collectorUrl: string, app: { key: string }): Promise<Server> {
  const showStatus = "function (r) { document.title = 'status ' + r.status; }";
  const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>Một cửa</title>
<script src="${collectorUrl}/rum.js" data-key="${app.key}" data-app="motcua-web" data-version="1.2.3" data-commune="26734"></script></head>
<body>${body}</body></html>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/ho-so') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"db down"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    if (url.pathname === '/done') return void res.end(page('<p id="done">xong</p>'));
    res.end(
      page(`<button id="submit">Nộp hồ sơ</button><button id="reject">Reject</button><button id="fetch">Fetch</button>
<script>
function submitHoSo(code) { throw new TypeError('Không thể nộp hồ sơ ' + code + ': thiếu mã xã'); }
document.getElementById('submit').onclick = function () { submitHoSo(this.dataset.n = (Number(this.dataset.n || 0) + 1) * 1000 + 17); };
document.getElementById('reject').onclick = function () { Promise.reject(new Error('từ chối tải danh sách')); };
document.getElementById('fetch').onclick = function () { fetch('/api/ho-so?cccd=001099012345&ten=Nguyen').then(${showStatus}); };
</script>`),
    );
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}

/**
 * A pass-through proxy in front of the CommuneWatch server that records every /collect request as the
 * SDK sent it (gzip bytes and headers): playwright cannot read streamed (compressed) request bodies.
 */
function capturingProxy(
  target: string,
  captured: Array<{ headers: Record<string, string>; body: Buffer }>,
): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([, v]) => typeof v === 'string'),
      ) as Record<string, string>;
      if (req.method === 'POST' && req.url === '/collect') captured.push({ headers, body });
      const { host: _h, 'content-length': _l, connection: _c, ...forward } = headers;
      fetch(`${target}${req.url}`, {
        method: req.method,
        headers: forward,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      }).then(
        async (r) => {
          const out: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
          });
          res.writeHead(r.status, out).end(Buffer.from(await r.arrayBuffer()));
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}

describe.skipIf(!HAVE_CHROMIUM && !ON_CI)('real-user monitoring in a real browser', () => {
  const dir = tempDir();
  let server: RunningServer;
  let vendor: Server;
  let proxy: Server;
  let browser: Browser;
  let vendorOrigin = '';
  const captured: Array<{ headers: Record<string, string>; body: Buffer }> = [];

  beforeAll(async () => {
    server = await startTestServer(join(dir.path, 'server'));
    // The vendor app's origin is known once it listens; its pages embed the key registered for that origin.
    const app = { key: '' };
    proxy = await capturingProxy(server.url, captured);
    vendor = await vendorApp(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, app);
    vendorOrigin = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
    app.key = server.store.rum.createApp({
      name: 'motcua-web',
      origins: [vendorOrigin],
      services: ['one-stop-shop'],
      now: Date.now(),
    }).key;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    vendor?.close();
    proxy?.close();
    await server?.close().catch(() => undefined);
    dir.remove();
  });

  const sentEvents = () =>
    captured.flatMap(
      (c) =>
        (
          JSON.parse((c.headers['content-encoding'] === 'gzip' ? gunzipSync(c.body) : c.body).toString('utf8')) as {
            events?: Array<{ name: string }>;
          }
        ).events ?? [],
    );

  it('stores errors grouped by fingerprint, the failed fetch and vitals, with the commune and no query strings', async () => {
    const page = await browser.newPage();
    await page.goto(`${vendorOrigin}/ho-so?cccd=001099012345&ma=HS-000123#chi-tiet`);
    await page.waitForFunction("'CommuneWatchRUM' in window");
    await page.click('#submit');
    await page.click('#submit');
    await page.click('#reject');
    await page.click('#fetch');
    await page.waitForFunction("document.title === 'status 500'");
    // The SDK reports the fetch's resource timing from a PerformanceObserver, after the response: wait
    // until that batch has gone out before leaving the page.
    await waitFor(
      'the resource timing of the failed fetch sent',
      () => sentEvents().filter((e) => e.name === 'faro.performance.resource'),
      (e) => e.length > 0,
      { timeoutMs: 15_000 },
    );
    // Navigating away flushes what is queued (and the vitals finalised on page hide).
    await page.goto(`${vendorOrigin}/done?x=1`);
    await page.waitForSelector('#done');

    const groups = await waitFor(
      'the errors stored',
      () => server.store.rum.errorGroups({ limit: 20 }),
      (g) =>
        g.some((x) => x.message.includes('thiếu mã xã') && x.count === 2) &&
        g.some((x) => x.message.includes('từ chối')),
      { timeoutMs: 20_000 },
    );
    const submit = groups.find((g) => g.message.includes('thiếu mã xã'))!;
    expect(submit).toMatchObject({
      app: 'motcua-web',
      type: 'TypeError',
      message: 'Không thể nộp hồ sơ <n>: thiếu mã xã',
      count: 2,
    });
    expect(submit.frames[0]!.function).toBe('submitHoSo');
    expect(submit.samplePage).toBe('/ho-so');
    expect(groups.find((g) => g.message.includes('từ chối'))).toMatchObject({ type: 'Error', count: 1 });
    const dims = server.store.rum.errorDims(submit.id);
    expect(dims.commune).toEqual({ '26734': 2 });
    expect(dims.version).toEqual({ '1.2.3': 2 });
    expect(Object.keys(dims.browser)[0]).toMatch(/Chrome/);

    const failures = await waitFor(
      'the failed fetch stored',
      () => server.store.rum.fetchFailures({ since: 0, limit: 10 }),
      (f) => f.length > 0,
      { timeoutMs: 10_000 },
    );
    expect(failures[0]).toMatchObject({ url: `${vendorOrigin}/api/ho-so`, status: 500, commune: '26734' });

    const vitals = await waitFor(
      'web vitals stored',
      () => server.store.rum.vitals({ since: 0 }),
      (v) => v.some((x) => x.metric === 'ttfb' || x.metric === 'fcp'),
      { timeoutMs: 10_000 },
    );
    expect(vitals.every((v) => v.page === '/ho-so' && v.commune === '26734')).toBe(true);
    // Nothing of the query strings or fragments anywhere in the RUM tables.
    const db = (server.store as SqliteStore).db;
    const dump = ['rum_error_groups', 'rum_error_dims', 'rum_vitals', 'rum_fetch_failures']
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all()))
      .join('');
    for (const secret of ['cccd', '001099012345', 'HS-000123', 'chi-tiet', 'Nguyen', 'x=1'])
      expect(dump).not.toContain(secret);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/communewatch_rum_errors_total\{app="motcua-web",commune="26734"\} [3-9]/);

    // The real SDK spoke our dialect: key and session headers, gzip, one Idempotency-Key per batch.
    expect(captured.length).toBeGreaterThan(0);
    expect(captured[0]!.headers['x-api-key']).toMatch(/^cwr_/);
    expect(captured[0]!.headers['idempotency-key']).toMatch(/^\w{8,}$/);
    expect(captured[0]!.headers['x-faro-session-id']).toBeTruthy();
    await page.close();
  });

  it('replays a batch captured from the real SDK through inject into a fresh app', async () => {
    const batch = captured.find((c) => c.body.length > 0)!;
    const json = batch.headers['content-encoding'] === 'gzip' ? gunzipSync(batch.body) : batch.body;
    const payload = JSON.parse(json.toString('utf8')) as { meta: { sdk?: { version?: string } } };
    expect(payload.meta.sdk?.version).toBe('2.12.1');
    const fresh = await startApiApp({ now: () => Date.now() });
    try {
      const { key } = fresh.store.rum.createApp({ name: 'motcua-web', origins: [vendorOrigin], now: Date.now() });
      const res = await fresh.built.app.inject({
        method: 'POST',
        url: '/collect',
        headers: {
          'content-type': 'application/json',
          'content-encoding': batch.headers['content-encoding'] ?? 'identity',
          'x-api-key': key,
          origin: vendorOrigin,
          'idempotency-key': batch.headers['idempotency-key'] ?? '',
        },
        payload: batch.body,
      });
      expect(res.statusCode, res.body).toBe(202);
      const stored =
        fresh.store.rum.errorGroups({ limit: 10 }).length +
        fresh.store.rum.fetchFailures({ since: 0, limit: 10 }).length +
        fresh.store.rum.vitals({ since: 0 }).length;
      expect(stored).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it('refuses the browser from an origin the app does not list (CORS), and a wrong key (401)', async () => {
    const other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>other</p>'));
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const key = captured[0]!.headers['x-api-key']!;
      const outcome = await page.evaluate(
        async ([url, k]) => {
          try {
            const r = await fetch(url!, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': k! },
              body: '{"meta":{}}',
            });
            return `status ${r.status}`;
          } catch (e) {
            return `blocked: ${(e as Error).name}`;
          }
        },
        [`${server.url}/collect`, key],
      );
      expect(outcome).toBe('blocked: TypeError');
      const wrong = await fetch(`${server.url}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'nope' },
        body: '{"meta":{}}',
      });
      expect(wrong.status).toBe(401);
      await page.close();
    } finally {
      other.close();
    }
  });
});
