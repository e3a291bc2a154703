/**
 * The evidence fields of issue 14 (url, address, statusLine, bodyPreview, conditions) cross the wire: a new agent's
 * result is accepted, stored and read back whole from /api/v1/results; an old agent's result without them still
 * ingests; the bounds are enforced at ingest.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http as httpProbe } from '../../agent/probes/http.js';
import { createAgentToken } from '../../server/auth/agent-tokens.js';
import type { ProbeOutcome, ProbeResult } from '../../protocol/wire.js';
import { startApiApp, type ApiApp } from '../helpers/api-app.js';

const NOW = Date.parse('2026-11-23T02:00:00Z');

describe('evidence fields round-trip through ingest and /api/v1/results', () => {
  let api: ApiApp;
  let agentToken = '';
  let seq = 0;
  const vendor = http.createServer((_req, res) =>
    res
      .writeHead(503, { 'content-type': 'text/html' })
      .end('<h1>Bảo trì</h1><input type="hidden" name="_csrf" value="abc">'),
  );
  let vendorUrl = '';

  const result = (target: string, outcome: ProbeOutcome, kind = 'http'): ProbeResult => ({
    id: randomUUID(),
    seq: ++seq,
    ts: NOW - 60_000 + seq,
    target,
    kind,
    service: 'one-stop-shop',
    role: 'service',
    ...outcome,
  });
  const ingest = (results: unknown[]) =>
    api.built.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      payload: { v: 1, batchId: randomUUID(), commune: '26734', sentAt: NOW, results },
    });
  const readBack = async (target: string): Promise<ProbeResult[]> => {
    const res = await api.built.app.inject({
      url: `/api/v1/results?commune=26734&target=${target}&from=${NOW - 3_600_000}&to=${NOW}`,
      headers: { authorization: `Bearer ${api.viewer}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().results;
  };

  beforeAll(async () => {
    api = await startApiApp({ now: () => NOW });
    agentToken = createAgentToken(api.store, { commune: '26734', name: 'pc-1', now: NOW }).token;
    vendor.listen(0, '127.0.0.1');
    await once(vendor, 'listening');
    vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    vendor.closeAllConnections();
    vendor.close();
    await api.close();
  });

  it("a real http probe's failed result keeps every evidence field", async () => {
    const outcome = await httpProbe.run(
      { url: `${vendorUrl}/dang-nhap?token=abc`, keyword: 'Đăng nhập' },
      {
        signal: new AbortController().signal,
        timeoutMs: 3000,
        now: Date.now,
        log: pino({ level: 'silent' }),
        latencyBudgetMs: 3000,
      },
    );
    expect(outcome.http?.conditions).toHaveLength(3);
    const sent = result('motcua', outcome);
    const res = await ingest([sent]);
    expect(res.statusCode, res.body).toBe(200);
    const [back] = await readBack('motcua');
    expect(back!.http).toEqual(outcome.http);
    expect(back!.http).toMatchObject({
      url: `${vendorUrl}/dang-nhap`,
      address: vendorUrl.slice('http://'.length),
      statusLine: 'HTTP/1.1 503 Service Unavailable',
      bodyPreview: '<h1>Bảo trì</h1><input type="hidden" name="_csrf" value="***">',
    });
  });

  it('transaction steps and whole-visit conditions; a subject this server does not know is kept', async () => {
    const outcome: ProbeOutcome = {
      ok: false,
      durationMs: 40,
      error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'login: status 401, expected 200-399' },
      transaction: {
        failedStep: 'login',
        conditions: [{ subject: 'RESPONSE_TIME', condition: '<= 3000 ms', ok: false }],
        steps: [
          {
            name: 'login',
            ok: false,
            durationMs: 40,
            statusCode: 401,
            url: 'https://motcua.hue.gov.vn/api/login',
            address: '[2001:db8::7]:443',
            statusLine: 'HTTP/1.1 401 Unauthorized',
            bodyPreview: '{"error":"invalid credentials","username":"***"}',
            conditions: [
              { subject: 'STATUS', condition: '== 200-399', actual: '401', ok: false },
              { subject: 'HEADER_NEWER', condition: 'Content-Type == application/json', actual: 'found', ok: true },
            ],
          },
        ],
      },
    };
    const res = await ingest([result('motcua-login', outcome, 'transaction')]);
    expect(res.statusCode, res.body).toBe(200);
    const [back] = await readBack('motcua-login');
    expect(back!.transaction).toEqual(outcome.transaction);
  });

  it("an old agent's result without evidence fields still ingests and reads back without them", async () => {
    const old: ProbeOutcome = {
      ok: false,
      durationMs: 12,
      latencyMs: 11,
      error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503, expected 200-399' },
      http: { statusCode: 503, phases: { connectMs: 1, totalMs: 11 }, redirects: 0 },
    };
    const res = await ingest([result('cu', old)]);
    expect(res.statusCode, res.body).toBe(200);
    const [back] = await readBack('cu');
    expect(back!.http).toEqual(old.http);
  });

  it('bounds are enforced: an over-long preview or too many conditions is a 400 naming the field', async () => {
    const base: ProbeOutcome = { ok: false, durationMs: 1, http: { phases: {} } };
    const long = await ingest([result('dai', { ...base, http: { phases: {}, bodyPreview: 'x'.repeat(601) } })]);
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toContain('bodyPreview');
    const condition = { subject: 'STATUS', condition: '== 200', actual: '503', ok: false };
    const many = await ingest([
      result('nhieu', { ...base, http: { phases: {}, conditions: Array(17).fill(condition) } }),
    ]);
    expect(many.statusCode).toBe(400);
    expect(many.json().message).toContain('conditions');
  });
});
