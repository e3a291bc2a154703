import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http as httpProbe, USER_AGENT } from '../../../agent/probes/http.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';

function ctx(timeoutMs = 3000): ProbeContext {
  return { signal: new AbortController().signal, timeoutMs, now: Date.now, log: pino({ level: 'silent' }) };
}

/** Routes of the target server; each one is a fault or behaviour the probe must classify. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = req.url ?? '/';
  const hop = /^\/hop\/(\d+)$/.exec(path);
  if (path === '/ok') res.end('hello from the commune portal');
  else if (path === '/503') res.writeHead(503).end('maintenance');
  else if (path === '/hang')
    return; // accept, never answer
  else if (hop) {
    const n = Number(hop[1]);
    if (n === 0) res.end('landed');
    else res.writeHead(302, { location: `/hop/${n - 1}` }).end();
  } else if (path === '/loop') res.writeHead(301, { location: '/loop' }).end();
  else if (path === '/see-other') res.writeHead(303, { location: '/echo' }).end();
  else if (path === '/auth') res.end(`auth:${req.headers.authorization ?? '-'}`);
  else if (path === '/same-origin') res.writeHead(302, { location: '/auth' }).end();
  else if (path === '/other-origin')
    res.writeHead(302, { location: `http://localhost:${req.socket.localPort}/auth` }).end();
  else if (path === '/echo') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      res.end(
        `${req.method} ${req.headers['user-agent']} ${req.headers['x-token'] ?? '-'} ${Buffer.concat(chunks).toString()}`,
      ),
    );
  } else if (path === '/slow-body') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part; ');
    setTimeout(() => res.end('second part'), 40); // a real transfer phase to measure
  } else if (path === '/big') res.end(`${Buffer.alloc(2 * 1024 * 1024, 'a').toString()}NEEDLE`);
  else res.writeHead(404).end();
}

async function listen(server: http.Server, host = '127.0.0.1'): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('http probe', () => {
  const plain = http.createServer(handler);
  let base: string;
  let cert: TestCert;
  let tlsServer: https.Server;
  let tlsBase: string;
  let tlsRequests = 0;

  beforeAll(async () => {
    base = `http://127.0.0.1:${await listen(plain)}`;
    cert = makeSelfSignedCert(30);
    tlsServer = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      tlsRequests++;
      handler(req, res);
    });
    tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
  });
  afterAll(async () => {
    await close(plain);
    await close(tlsServer);
    cert.remove();
  });

  it('200 with the keyword: ok, with status, phases and content length', async () => {
    const out = await httpProbe.run({ url: `${base}/ok`, keyword: 'commune portal' }, ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.http?.statusCode).toBe(200);
    expect(out.http?.contentLength).toBe('hello from the commune portal'.length);
    expect(out.http?.redirects).toBe(0);
    const p = out.http!.phases;
    expect(p.resolveMs).toBeUndefined(); // IP literal: no lookup
    expect(p.tlsMs).toBeUndefined();
    expect(p.connectMs).toBeGreaterThan(0);
    expect(out.latencyMs).toBe(p.totalMs);
  });

  it('200 without the keyword → CW_ERR_PROBE_HTTP_KEYWORD', async () => {
    const out = await httpProbe.run({ url: `${base}/ok`, keyword: 'Cổng dịch vụ công' }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_HTTP_KEYWORD',
      message: 'keyword "Cổng dịch vụ công" not found in the first 29 bytes of the body',
    });
    expect(out.http?.statusCode).toBe(200);
  });

  it('503 → CW_ERR_PROBE_HTTP_STATUS naming the expected set', async () => {
    const out = await httpProbe.run({ url: `${base}/503` }, ctx());
    expect(out.error).toEqual({ code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503, expected 200-399' });
    expect(out.http?.statusCode).toBe(503);
    expect(out.latencyMs).toBeGreaterThan(0);
    const custom = await httpProbe.run({ url: `${base}/503`, expectStatus: [503, { min: 200, max: 204 }] }, ctx());
    expect(custom.ok).toBe(true);
    const other = await httpProbe.run({ url: `${base}/ok`, expectStatus: [204, { min: 300, max: 302 }] }, ctx());
    expect(other.error?.message).toBe('status 200, expected 204, 300-302');
  });

  it('a server that accepts and never answers → CW_ERR_PROBE_TIMEOUT within timeoutMs', async () => {
    const started = performance.now();
    const out = await httpProbe.run({ url: `${base}/hang` }, ctx(300));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_TIMEOUT',
      message: `no response from ${base} within 300 ms (waiting for the response)`,
    });
    expect(out.http?.phases.connectMs).toBeGreaterThan(0);
    expect(out.http?.phases.firstByteMs).toBeUndefined();
    expect(out.latencyMs).toBeUndefined();
  });

  it('follows a redirect chain, counting hops and summing their phases', async () => {
    const out = await httpProbe.run({ url: `${base}/hop/3`, keyword: 'landed' }, ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.http?.redirects).toBe(3);
    expect(out.http?.statusCode).toBe(200);
    const single = await httpProbe.run({ url: `${base}/hop/3`, followRedirects: false }, ctx());
    expect(single.ok).toBe(true);
    expect(single.http).toMatchObject({ statusCode: 302, redirects: 0 });
  });

  it('keeps Authorization on same-origin redirects and drops it when the origin changes', async () => {
    const headers = { Authorization: 'Bearer s3cret' };
    const same = await httpProbe.run({ url: `${base}/same-origin`, headers, keyword: 'auth:Bearer s3cret' }, ctx());
    expect(same.ok, JSON.stringify(same.error)).toBe(true);
    const other = await httpProbe.run({ url: `${base}/other-origin`, headers, keyword: 'auth:-' }, ctx());
    expect(other.ok, JSON.stringify(other.error)).toBe(true);
    expect(other.http?.redirects).toBe(1);
  });

  it('more than 10 redirects → CW_ERR_PROBE_HTTP_PROTOCOL', async () => {
    const out = await httpProbe.run({ url: `${base}/loop` }, ctx());
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_HTTP_PROTOCOL',
      message: `more than 10 redirects (next: ${base}/loop)`,
    });
    expect(out.http?.redirects).toBe(10);
  });

  it('phases are present and add up', async () => {
    const out = await httpProbe.run({ url: `${base.replace('127.0.0.1', 'localhost')}/slow-body` }, ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    const p = out.http!.phases;
    for (const k of ['resolveMs', 'connectMs', 'processingMs', 'transferMs', 'firstByteMs', 'totalMs'] as const) {
      expect(p[k], k).toBeGreaterThanOrEqual(0);
    }
    expect(p.transferMs).toBeGreaterThanOrEqual(30);
    expect(p.totalMs!).toBeCloseTo(p.firstByteMs! + p.transferMs!, 2);
    expect(p.firstByteMs! + 0.01).toBeGreaterThanOrEqual(p.resolveMs! + p.connectMs! + p.processingMs!);
    expect(out.durationMs).toBeGreaterThanOrEqual(p.totalMs!);
  });

  it('sends its User-Agent and the configured method, headers and body; 303 turns POST into GET', async () => {
    const post = await httpProbe.run(
      {
        url: `${base}/echo`,
        method: 'POST',
        body: 'a=1',
        headers: { 'X-Token': 't' },
        keyword: `POST ${USER_AGENT} t a=1`,
      },
      ctx(),
    );
    expect(post.ok, JSON.stringify(post.error)).toBe(true);
    expect(USER_AGENT).toMatch(/^CommuneWatch-Agent\/\d+\.\d+\.\d+/);
    const seeOther = await httpProbe.run(
      { url: `${base}/see-other`, method: 'POST', body: 'a=1', keyword: `GET ${USER_AGENT} - ` },
      ctx(),
    );
    expect(seeOther.ok, JSON.stringify(seeOther.error)).toBe(true);
  });

  it('reads at most maxBodyBytes, so a keyword past the limit is not found', async () => {
    const out = await httpProbe.run({ url: `${base}/big`, keyword: 'NEEDLE', maxBodyBytes: 1024 }, ctx());
    expect(out.error?.code).toBe('CW_ERR_PROBE_HTTP_KEYWORD');
    expect(out.error?.message).toContain('first 1024 bytes');
    expect(out.http?.contentLength).toBe(2 * 1024 * 1024 + 6); // from Content-Length, not what was read
    const whole = await httpProbe.run({ url: `${base}/big`, keyword: 'NEEDLE', maxBodyBytes: 4 * 1024 * 1024 }, ctx());
    expect(whole.ok).toBe(true);
  });

  it('HEAD reads no body', async () => {
    const out = await httpProbe.run({ url: `${base}/ok`, method: 'HEAD' }, ctx());
    expect(out.ok).toBe(true);
    expect(out.http?.phases.transferMs).toBe(0);
  });

  it('a refused port → CW_ERR_PROBE_CONN_REFUSED', async () => {
    const spare = http.createServer();
    const port = await listen(spare);
    await close(spare);
    const out = await httpProbe.run({ url: `http://127.0.0.1:${port}/` }, ctx());
    expect(out.error).toEqual({ code: 'CW_ERR_PROBE_CONN_REFUSED', message: `connect ECONNREFUSED 127.0.0.1:${port}` });
    expect(out.http?.phases).toEqual({});
  });

  it('an IPv6 literal URL', async () => {
    const v6 = http.createServer(handler);
    const port = await listen(v6, '::1');
    try {
      const out = await httpProbe.run({ url: `http://[::1]:${port}/ok` }, ctx());
      expect(out.ok, JSON.stringify(out.error)).toBe(true);
    } finally {
      await close(v6);
    }
  });

  it('https with a self-signed cert: CW_ERR_PROBE_TLS, expiry still reported, request never sent', async () => {
    const before = tlsRequests;
    const out = await httpProbe.run({ url: `${tlsBase}/ok`, headers: { Authorization: 'Bearer secret' } }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_TLS');
    expect(out.error?.message).toBe(
      `certificate of ${tlsBase.slice('https://'.length)} not trusted: DEPTH_ZERO_SELF_SIGNED_CERT`,
    );
    expect(out.http?.certExpiresAt).toBe(cert.notAfterMs);
    expect(out.http?.tlsVersion).toBe('TLSv1.3');
    expect(out.http?.phases.tlsMs).toBeGreaterThan(0);
    expect(out.http?.statusCode).toBeUndefined();
    expect(tlsRequests).toBe(before);
  });

  it('https with insecureSkipVerify: ok, with TLS phase and expiry', async () => {
    const out = await httpProbe.run({ url: `${tlsBase}/ok`, insecureSkipVerify: true, keyword: 'portal' }, ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.http?.certExpiresAt).toBe(cert.notAfterMs);
    const p = out.http!.phases;
    expect(p.tlsMs).toBeGreaterThan(0);
    expect(p.firstByteMs! + 0.01).toBeGreaterThanOrEqual(p.connectMs! + p.tlsMs! + p.processingMs!);
  });
});
