/**
 * scripts/bundle-rum.mjs and the rum.js it builds (into a temp directory, so a concurrent `npm run build`
 * is not disturbed): one minified classic script with the licence banner and texts, within a sane size,
 * and — in Debian's chromium through playwright-core — what it really sends: a vendor page on one origin
 * loads rum.js from a stand-in collector on another (CORS preflight included), throws, rejects, logs,
 * fetches a 500 and navigates away. Asserted on the requests as received: the URL derived from the script,
 * the headers (x-api-key, gzip), the commune in every meta, and no query string, ID number or e-mail
 * anywhere. Then the district's two ways in — the MV3 extension (loaded unpacked) and the userscript —
 * inject the same tag with their settings. The real receiver is tested in tests/server and
 * tests/e2e/rum.browser.test.ts; this collector only records.
 * On CI (CI=true) a missing chromium is a failure; elsewhere the browser part is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const ON_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CCCD = '079123456789';
const KEY = 'motcua-web-key';

const out = tempDir('cw-rum-');
let code = '';
let buildOutput = '';

beforeAll(() => {
  const run = spawnSync(process.execPath, ['scripts/bundle-rum.mjs', '--outdir', out.path], { encoding: 'utf8' });
  buildOutput = run.stdout + run.stderr;
  if (run.status !== 0) throw new Error(`bundle-rum.mjs failed:\n${buildOutput}`);
  code = readFileSync(join(out.path, 'rum.js'), 'utf8');
}, 120_000);
afterAll(() => out.remove());

describe('scripts/bundle-rum.mjs', () => {
  it('writes one minified classic script (IIFE, no module syntax) that parses', () => {
    const body = code.replace(/^\/\*![\s\S]*?\*\/\n/, '');
    expect(body.startsWith('"use strict";(()=>{')).toBe(true);
    expect(body.trimEnd().endsWith('})();')).toBe(true);
    expect(code).not.toMatch(/\bimport\s*[({"'*]|\bimport\.meta\b|\brequire\(|^export\s/m);
    expect(code).not.toContain('sourceMappingURL');
    expect(() => new Script(code)).not.toThrow();
    expect(/[^\x00-\x7f]/.test(code)).toBe(false); // served bytes mean the same whatever charset is assumed
  });

  it('bundles the SDK but not web-tracing, and keeps the privacy filter', () => {
    expect(code).toContain('faro-web');
    expect(code).toContain('2.12.1');
    expect(code).not.toContain('faro-web-tracing');
    expect(code).not.toContain('@opentelemetry');
    expect(code).toContain('CommuneWatchRUM');
    expect(code).toContain('communewatch.commune');
    expect(code).toContain('{num}'); // sanitise.ts's mask, so beforeSend is the real filter
  });

  it('names every bundled package with its licence and ships their licence texts', () => {
    const banner = /^\/\*![\s\S]*?\*\//.exec(code)?.[0] ?? '';
    for (const name of [
      '@grafana/faro-core 2.12.1 (Apache-2.0',
      '@grafana/faro-web-sdk 2.12.1 (Apache-2.0',
      'web-vitals',
      'ua-parser-js',
    ])
      expect(banner).toContain(name);
    const licences = readFileSync(join(out.path, 'rum.js.LICENSES.txt'), 'utf8');
    expect(licences).toContain('Apache License');
    expect(licences).toContain('Permission is hereby granted, free of charge'); // MIT (ua-parser-js)
    expect(existsSync(join(out.path, 'rum.js.map'))).toBe(true);
  });

  it('prints the raw and gzip size, and stays within a sane bound', () => {
    expect(buildOutput).toMatch(/rum\.js: [\d.]+ KB raw, [\d.]+ KB gzip/);
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(`rum.js ${(code.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip`);
    expect(gz).toBeLessThan(100 * 1024);
  });
});

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: {
    meta: {
      session?: { id?: string; attributes?: Record<string, string> };
      page?: { url?: string; attributes?: Record<string, string> };
      user?: { attributes?: Record<string, string> };
      app?: Record<string, string>;
    };
    exceptions?: Array<{
      type: string;
      value: string;
      context?: Record<string, string>;
      stacktrace?: { frames: Array<{ filename: string; function: string }> };
    }>;
    logs?: Array<{ message: string; level: string }>;
    events?: Array<{ name: string; attributes?: Record<string, string> }>;
    measurements?: Array<{ type: string }>;
  };
}

function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })),
  );
}

describe.skipIf(!HAVE_CHROMIUM && !ON_CI)('rum.js in chromium', () => {
  let browser: Browser | undefined;
  let collector: Server;
  let site: Server;
  let cdn = ''; // rum.js and /collect: the CommuneWatch server's origin
  let origin = ''; // the vendor's app
  const received: Received[] = [];
  const preflights: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: install chromium for this browser test`);
    const c = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
        if (req.method === 'GET' && req.url === '/rum.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
        } else if (req.method === 'OPTIONS') {
          preflights.push(String(req.headers['access-control-request-headers']));
          res
            .writeHead(204, {
              'Access-Control-Allow-Methods': 'POST, OPTIONS',
              'Access-Control-Allow-Headers':
                'content-type, content-encoding, x-api-key, x-faro-session-id, idempotency-key',
              'Access-Control-Max-Age': '600',
            })
            .end();
        } else if (req.method === 'POST') {
          const bytes = Buffer.concat(chunks);
          const raw = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
          received.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) });
          res.writeHead(202).end('ok');
        } else res.writeHead(404).end();
      });
    });
    collector = c.server;
    cdn = `http://localhost:${c.port}`; // another origin than 127.0.0.1: a real cross-origin setup
    const s = await listen((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/api/fail') res.writeHead(500).end('no');
      else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pages[path ?? ''] ?? '<p>other</p>');
    });
    site = s.server;
    origin = `http://127.0.0.1:${s.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    collector?.close();
    site?.close();
  });

  const tag = (attrs: string) => `<script src="${cdn}/rum.js" ${attrs}></script>`;
  const pages: Record<string, string> = {};
  const fromPage = (page: string) => received.filter((r) => r.body.meta.page?.url?.startsWith(`${origin}${page}`));

  async function open(path: string, html: () => string, query = ''): Promise<{ page: Page; console: string[] }> {
    pages[path] =
      `<!doctype html><html><head><meta charset="utf-8">${html()}</head><body><button id="submit">Nộp hồ sơ</button></body></html>`;
    const context = await browser!.newContext();
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    await page.goto(`${origin}${path}${query}`);
    return { page, console };
  }

  it('sends errors, logs and resource timings to <script dir>/collect, cleaned and with the commune', async () => {
    const thrown = `Không thể nộp hồ sơ: https://dvc.gov.vn/tra-cuu?cccd=${CCCD} dan@example.vn`;
    const { page } = await open(
      '/ho-so',
      () => `${tag(`data-key="${KEY}" data-app="motcua-web" data-version="1.2.3" data-env="test" data-commune="26734"`)}
        <script>
          console.info('info is not sent');
          console.warn('warn test ${CCCD}');
          document.addEventListener('click', function submitHoSo() { throw new TypeError('${thrown}'); });
          fetch('/api/fail?token=secret-token').catch(function () {});
          Promise.reject(new Error('rejected promise test'));
        </script>`,
      `?cccd=${CCCD}&hoTen=Nguyen#tab-2`,
    );
    await page.click('#submit');
    await page.evaluate(() => {
      const rum = (
        globalThis as unknown as { CommuneWatchRUM: { faro: { api: { pushError: (e: Error, o: unknown) => void } } } }
      ).CommuneWatchRUM;
      rum.faro.api.pushError(new Error('pushed'), {
        context: { url: '/api/x?sdt=0912345678', kind: 'fetch-failed', hoTen: 'Nguyễn Văn A' },
      });
    });
    expect(await page.evaluate(() => 'faro' in globalThis)).toBe(false); // isolated: a vendor's own Faro keeps window.faro

    // Sent by the one-second batch while the page stays open (resource timings come after the load event).
    const got = await waitFor(
      'exceptions, a warn log and the resource timing of /api/fail',
      () => fromPage('/ho-so'),
      (rs) => {
        const ex = rs.flatMap((r) => r.body.exceptions ?? []).map((e) => e.value);
        const ev = rs.flatMap((r) => r.body.events ?? []);
        return (
          ['rejected promise test', 'Không thể nộp hồ sơ', 'pushed'].every((v) => ex.some((x) => x.includes(v))) &&
          rs.some((r) => r.body.logs?.length) &&
          ev.some((e) => e.attributes?.name?.includes('/api/fail'))
        );
      },
    );

    await page.goto(`${origin}/other`);

    for (const r of got) {
      expect(r.path).toBe('/collect');
      expect(r.headers['x-api-key']).toBe(KEY);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers['x-faro-session-id']).toBe(r.body.meta.session?.id);
      expect(r.headers['idempotency-key']).toMatch(/^\w{20}$/);
      expect(r.body.meta.session?.attributes?.commune).toBe('26734');
      expect(r.body.meta.page?.attributes).toEqual({ commune: '26734' });
      expect(r.body.meta.user).toEqual({ attributes: { commune: '26734' } });
      expect(r.body.meta.page?.url).toBe(`${origin}/ho-so`);
      expect(r.body.meta.app).toEqual({ name: 'motcua-web', version: '1.2.3', environment: 'test' });
      for (const secret of [
        CCCD,
        'cccd',
        'hoTen',
        'Nguyễn',
        'secret-token',
        'dan@example.vn',
        '0912345678',
        'tab-2',
        'info is not sent',
      ])
        expect(r.raw).not.toContain(secret);
    }
    const exceptions = got.flatMap((r) => r.body.exceptions ?? []);
    const click = exceptions.find((e) => e.value.includes('Không thể nộp hồ sơ'))!;
    expect(click.value).toBe('Không thể nộp hồ sơ: https://dvc.gov.vn/tra-cuu {email}');
    // Faro's parser also turns the message line (it holds a URL) into a frame without lineno: cleaned too.
    expect(click.stacktrace?.frames.find((f) => f.function.includes('submitHoSo'))?.filename).toBe(`${origin}/ho-so`);
    expect(exceptions.find((e) => e.value === 'pushed')?.context).toEqual({ url: '/api/x', kind: 'fetch-failed' });
    expect(got.flatMap((r) => r.body.logs ?? [])).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'warn test {num}' }),
    );
    const fail = got
      .flatMap((r) => r.body.events ?? [])
      .find((e) => e.name === 'faro.performance.resource' && e.attributes?.name?.includes('/api/fail'));
    expect(fail?.attributes).toMatchObject({ name: `${origin}/api/fail`, responseStatus: '500' });
    expect(
      preflights.some(
        (h) => h.includes('x-api-key') && h.includes('idempotency-key') && h.includes('content-encoding'),
      ),
    ).toBe(true);
  });

  it('reads the commune from localStorage, takes a late setCommune, and starts once when loaded twice', async () => {
    const { page } = await open(
      '/late',
      () =>
        "<script>localStorage.setItem('communewatch.commune', '26737')</script>" +
        `${tag(`data-key="${KEY}"`)}${tag(`data-key="${KEY}"`)}<script>console.warn('first')</script>`,
    );
    await waitFor(
      'the first log',
      () => fromPage('/late'),
      (rs) => rs.some((r) => r.body.logs?.some((l) => l.message === 'first')),
    );
    await page.evaluate(() => {
      const rum = (globalThis as unknown as { CommuneWatchRUM: { setCommune: (c: string) => void } }).CommuneWatchRUM;
      rum.setCommune('26740');
      console.warn('second');
    });
    await page.goto(`${origin}/other`);
    const got = await waitFor(
      'the second log',
      () => fromPage('/late'),
      (rs) => rs.some((r) => r.body.logs?.some((l) => l.message === 'second')),
    );
    const communeOf = (msg: string) =>
      got.find((r) => r.body.logs?.some((l) => l.message === msg))?.body.meta.session?.attributes?.commune;
    expect(communeOf('first')).toBe('26737');
    expect(communeOf('second')).toBe('26740');
    expect(got[0]?.body.meta.app?.name).toBe('web-app');
    expect(got.flatMap((r) => r.body.logs ?? []).filter((l) => l.message === 'first')).toHaveLength(1); // one instance patched console
  });

  it('without data-key warns once and sends nothing', async () => {
    const before = received.length;
    const { page, console } = await open(
      '/nokey',
      () => `${tag('data-app="x"')}<script>console.warn('not sent')</script>`,
    );
    expect(await page.evaluate(() => 'CommuneWatchRUM' in globalThis)).toBe(false);
    await page.goto(`${origin}/other`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(console.filter((l) => l.includes('data-key'))).toHaveLength(1);
    expect(received.length).toBe(before);
  });

  // The district's two ways in, pointed at this test's origins: match patterns without a port match any port.
  const settings = () => ({
    server: cdn,
    commune: '26734',
    apps: [{ domain: '127.0.0.1', key: KEY, app: 'injected-app', env: 'test' }],
  });
  const injected = (path: string) =>
    waitFor(
      `a payload from ${path}`,
      () => fromPage(path),
      (rs) => rs.some((r) => r.body.meta.app?.name === 'injected-app'),
    );

  it('the MV3 extension (rum/extension) injects rum.js with its config.js settings', async () => {
    const dir = tempDir('cw-ext-');
    try {
      cpSync('rum/extension', dir.path, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir.path, 'manifest.json'), 'utf8'));
      manifest.content_scripts[0].matches = ['http://127.0.0.1/*'];
      delete manifest.update_url;
      writeFileSync(join(dir.path, 'manifest.json'), JSON.stringify(manifest));
      writeFileSync(join(dir.path, 'config.js'), `self.COMMUNEWATCH_RUM_CONFIG = ${JSON.stringify(settings())};`);
      pages['/ext'] = '<!doctype html><p>vendor app</p>';
      const context = await chromium.launchPersistentContext('', {
        executablePath: CHROMIUM,
        headless: true,
        args: [...ARGS, `--disable-extensions-except=${dir.path}`, `--load-extension=${dir.path}`],
      });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/ext?cccd=${CCCD}`);
        const [r] = (await injected('/ext')).filter((x) => x.body.meta.app?.name === 'injected-app');
        expect(r?.body.meta.session?.attributes?.commune).toBe('26734');
        expect(r?.headers['x-api-key']).toBe(KEY);
        expect(await page.evaluate("localStorage.getItem('communewatch.commune')")).toBe('26734');
      } finally {
        await context.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('the userscript (rum/userscript) does the same at document-start with @grant none', async () => {
    const source = readFileSync('rum/userscript/communewatch-rum.user.js', 'utf8');
    expect(source).toMatch(/^\/\/ @grant\s+none$/m);
    expect(source).toMatch(/^\/\/ @run-at\s+document-start$/m);
    const configured = source.replace(
      /var SETTINGS = \{[\s\S]*?\n {2}\};/,
      `var SETTINGS = ${JSON.stringify(settings())};`,
    );
    expect(configured).not.toBe(source);
    const context = await browser!.newContext();
    try {
      await context.addInitScript(configured); // how a userscript manager runs a @grant none, document-start script
      const page = await context.newPage();
      pages['/us'] = '<!doctype html><p>vendor app</p>';
      await page.goto(`${origin}/us`);
      const [r] = (await injected('/us')).filter((x) => x.body.meta.app?.name === 'injected-app');
      expect(r?.body.meta.page?.attributes).toEqual({ commune: '26734' });
    } finally {
      await context.close();
    }
  });
});
