import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http as httpProbe } from '../../../agent/probes/http.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { HttpDetail } from '../../../protocol/wire.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';

const DAY_MS = 86_400_000;

function ctx(extra: Partial<ProbeContext> = {}): ProbeContext {
  return {
    signal: new AbortController().signal,
    timeoutMs: 3000,
    now: Date.now,
    log: pino({ level: 'silent' }),
    ...extra,
  };
}

/** A maintenance page as one-stop-shop apps show it, with the things a preview must not leak. */
const MAINTENANCE = [
  '<!doctype html>\n<html><head><title>Bảo trì hệ thống</title>',
  '<meta name="csrf-token" content="Zx81kQ2pLmN0vB7cR5tY">',
  '</head><body><h1>Hệ thống đang bảo trì</h1>',
  '<form><input type="hidden" name="_token" value="a1b2c3d4e5f6">',
  '<input type="password" name="matkhau" value="Mk#2024"></form>',
  '<p>Liên hệ quản trị: nguyen.van.a@sotttt.hue.gov.vn</p>',
  '<script>var session = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5ibyJ9.c2lnbmF0dXJl";</script>',
  '</body></html>',
].join('\n');

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/bao-tri')
    res.writeHead(503, 'Service Unavailable', { 'content-type': 'text/html; charset=utf-8' }).end(MAINTENANCE);
  else if (path === '/ok') res.end('Cổng dịch vụ công — Đăng nhập');
  else if (path === '/moved') res.writeHead(302, { location: '/bao-tri?next=%2Fho-so' }).end();
  else if (path === '/big') res.writeHead(500).end(`Lỗi máy chủ: ${'thử lại sau '.repeat(10_000)}`);
  else if (path === '/gzip') res.writeHead(500, { 'content-encoding': 'gzip' }).end(gzipSync('compressed error'));
  else if (path === '/slow-body') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part; ');
    setTimeout(() => res.end('second part'), 40); // a real transfer phase, over the budget below
  } else res.writeHead(404).end();
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('http probe evidence', () => {
  const plain = http.createServer(handler);
  let port: number;
  let base: string;
  let cert: TestCert;
  let tlsServer: https.Server;
  let tlsBase: string;

  beforeAll(async () => {
    port = await listen(plain);
    base = `http://127.0.0.1:${port}`;
    cert = makeSelfSignedCert(30);
    tlsServer = https.createServer({ cert: cert.cert, key: cert.key }, handler);
    tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
  });
  afterAll(async () => {
    await close(plain);
    await close(tlsServer);
    cert.remove();
  });

  it('a 503 with an HTML body: status line, URL without query, address, redacted preview, STATUS ✗', async () => {
    const out = await httpProbe.run(
      { url: `http://user:pw@127.0.0.1:${port}/bao-tri?token=abc123&ma=1#top`, keyword: 'Đăng nhập' },
      ctx({ latencyBudgetMs: 3000 }),
    );
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_HTTP_STATUS');
    const d = out.http!;
    expect(d.url).toBe(`${base}/bao-tri`);
    expect(d.address).toBe(`127.0.0.1:${port}`);
    expect(d.statusLine).toBe('HTTP/1.1 503 Service Unavailable');
    expect(d.conditions).toEqual([
      { subject: 'STATUS', condition: '== 200-399', actual: '503', ok: false },
      { subject: 'BODY', condition: 'contains "Đăng nhập"', actual: 'not found', ok: false },
      { subject: 'RESPONSE_TIME', condition: '<= 3000 ms', actual: expect.stringMatching(/^[\d.]+ ms$/), ok: true },
    ]);
    const preview = d.bodyPreview!;
    expect(preview.startsWith('<!doctype html> <html><head><title>Bảo trì hệ thống</title>')).toBe(true);
    expect(preview).toContain('Hệ thống đang bảo trì');
    expect(preview).toContain('***@sotttt.hue.gov.vn');
    for (const secret of [
      'Zx81kQ2pLmN0vB7cR5tY',
      'a1b2c3d4e5f6',
      'Mk#2024',
      'nguyen.van.a',
      'eyJhbGciOiJIUzI1NiJ9',
      '\n',
    ])
      expect(preview).not.toContain(secret);
    expect(JSON.stringify(out)).not.toContain('abc123');
    expect(Value.Check(HttpDetail, d)).toBe(true);
  });

  it('the evidence describes the last hop of a redirect; the preview of a large body stays bounded', async () => {
    const moved = await httpProbe.run({ url: `${base}/moved` }, ctx());
    expect(moved.http).toMatchObject({
      redirects: 1,
      url: `${base}/bao-tri`,
      statusLine: 'HTTP/1.1 503 Service Unavailable',
    });
    const big = await httpProbe.run({ url: `${base}/big` }, ctx());
    expect(big.http?.bodyPreview).toMatch(/^Lỗi máy chủ: (thử lại sau )+(thử |thử lại )?…$/); // the cut word dropped
    expect(Buffer.byteLength(big.http!.bodyPreview!)).toBeLessThanOrEqual(512 + 3);
    const gzip = await httpProbe.run({ url: `${base}/gzip` }, ctx());
    expect(gzip.ok).toBe(false);
    expect(gzip.http?.bodyPreview).toBeUndefined(); // compressed bytes are not text
  });

  it('a response slower than the latency budget: RESPONSE_TIME ✗, still ok (the agent marks it slow)', async () => {
    const out = await httpProbe.run({ url: `${base}/slow-body` }, ctx({ latencyBudgetMs: 20 }));
    expect(out.ok).toBe(true);
    const time = out.http?.conditions?.find((c) => c.subject === 'RESPONSE_TIME');
    expect(time).toMatchObject({ condition: '<= 20 ms', ok: false });
    expect(Number.parseFloat(time!.actual!)).toBeGreaterThan(20);
  });

  it('an ok result carries its conditions ✓ and no preview, even with a BODY condition (its ✓ is the proof)', async () => {
    const plainOk = await httpProbe.run({ url: `${base}/ok` }, ctx({ latencyBudgetMs: 10_000 }));
    expect(plainOk.ok).toBe(true);
    expect(plainOk.http?.conditions?.map((c) => [c.subject, c.ok])).toEqual([
      ['STATUS', true],
      ['RESPONSE_TIME', true],
    ]);
    expect(plainOk.http?.bodyPreview).toBeUndefined();
    const keyword = await httpProbe.run({ url: `${base}/ok`, keyword: 'Đăng nhập' }, ctx());
    expect(keyword.http?.conditions).toEqual([
      { subject: 'STATUS', condition: '== 200-399', actual: '200', ok: true },
      { subject: 'BODY', condition: 'contains "Đăng nhập"', actual: 'found', ok: true },
    ]);
    expect(keyword.http?.bodyPreview).toBeUndefined();
    const list = await httpProbe.run({ url: `${base}/ok`, expectStatus: [200, { min: 300, max: 302 }] }, ctx());
    expect(list.http?.conditions?.[0]).toEqual({
      subject: 'STATUS',
      condition: 'in 200, 300-302',
      actual: '200',
      ok: true,
    });
  });

  it('a refused connection: conditions fail unmeasured, the address tried is kept', async () => {
    const spare = http.createServer();
    const sparePort = await listen(spare);
    await close(spare);
    const out = await httpProbe.run(
      { url: `http://127.0.0.1:${sparePort}/`, keyword: 'x' },
      ctx({ latencyBudgetMs: 100 }),
    );
    expect(out.error?.code).toBe('CW_ERR_PROBE_CONN_REFUSED');
    expect(out.http?.address).toBe(`127.0.0.1:${sparePort}`);
    expect(out.http?.statusLine).toBeUndefined();
    expect(out.http?.conditions).toEqual([
      { subject: 'STATUS', condition: '== 200-399', ok: false },
      { subject: 'BODY', condition: 'contains "x"', ok: false },
      { subject: 'RESPONSE_TIME', condition: '<= 100 ms', ok: false },
    ]);
  });

  it('TLS: an untrusted chain gives TLS ✗ with the reason; minCertValidDays gives CERTIFICATE_EXPIRATION', async () => {
    const untrusted = await httpProbe.run({ url: `${tlsBase}/ok` }, ctx());
    expect(untrusted.http?.conditions).toEqual([
      { subject: 'STATUS', condition: '== 200-399', ok: false },
      { subject: 'TLS', condition: '== trusted', actual: 'DEPTH_ZERO_SELF_SIGNED_CERT', ok: false },
    ]);
    // The certificate has 30.5 days left by this clock.
    const now = () => cert.notAfterMs - 30.5 * DAY_MS;
    const enough = await httpProbe.run(
      { url: `${tlsBase}/ok`, insecureSkipVerify: true, minCertValidDays: 14 },
      ctx({ now }),
    );
    expect(enough.ok, JSON.stringify(enough.error)).toBe(true);
    expect(enough.http?.conditions).toContainEqual({
      subject: 'CERTIFICATE_EXPIRATION',
      condition: '> 14d',
      actual: '30d',
      ok: true,
    });
    const tooSoon = await httpProbe.run(
      { url: `${tlsBase}/ok`, insecureSkipVerify: true, minCertValidDays: 45 },
      ctx({ now }),
    );
    expect(tooSoon.error).toEqual({
      code: 'CW_ERR_PROBE_TLS',
      message: `certificate of ${tlsBase.slice('https://'.length)} expires in 30d, less than the 45d asked`,
    });
    expect(tooSoon.http?.conditions?.find((c) => c.subject === 'CERTIFICATE_EXPIRATION')?.ok).toBe(false);
    expect(tooSoon.http?.bodyPreview).toBe('Cổng dịch vụ công — Đăng nhập'); // a failure shows its body
  });
});
