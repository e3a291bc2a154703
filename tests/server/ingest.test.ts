/**
 * POST /api/v1/ingest on a real app over a real SQLite file: what is accepted, what is refused and with
 * which status and message — and that a refused request stores nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../server/config.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import type { Store } from '../../server/store/store.js';
import { createAgentToken } from '../../server/auth/agent-tokens.js';
import type { IngestBatch, ProbeResult } from '../../protocol/wire.js';
import { tempDir } from '../helpers/temp-dir.js';
import { parsePromText, sample } from '../helpers/prom-text.js';

const NOW = Date.parse('2026-11-25T03:00:00Z');

function result(seq: number, over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    id: randomUUID(),
    seq,
    ts: NOW - 60_000 + seq,
    target: 'motcua',
    kind: 'http',
    service: 'one-stop-shop',
    ok: true,
    durationMs: 120,
    latencyMs: 110,
    http: { statusCode: 200, phases: { totalMs: 110 } },
    ...over,
  };
}

function batch(commune: string, results: ProbeResult[], over: Partial<IngestBatch> = {}): IngestBatch {
  return { v: 1, batchId: randomUUID(), commune, sentAt: NOW, results, ...over };
}

describe('POST /api/v1/ingest', () => {
  const dir = tempDir();
  let store: Store;
  let built: App;
  let tokenA: string;
  let tokenB: string;
  let clock = NOW;

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir.path, 'cw.db') });
    const config: ServerConfig = {
      ...(Value.Default(ServerConfigSchema, {}) as ServerConfig),
      ingest: { bodyLimitBytes: 64 * 1024, skewThresholdSec: 30 },
    };
    built = await buildApp({ store, config, now: () => clock });
    tokenA = createAgentToken(store, { commune: '26734', name: 'agent-a', now: NOW }).token;
    tokenB = createAgentToken(store, { commune: '10001', name: 'agent-b', now: NOW }).token;
  });
  afterAll(async () => {
    await built.app.close();
    store.close();
    dir.remove();
  });
  beforeEach(() => {
    clock = NOW;
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    built.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const total = () => store.countResults({});

  it('stores a gzip batch and acknowledges it with the server time', async () => {
    const b = batch('26734', [
      result(1),
      result(2, {
        ok: false,
        error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503, expected 200-399' },
        http: { statusCode: 503, phases: {} },
      }),
    ]);
    const res = await post(gzipSync(JSON.stringify(b)), { ...auth(tokenA), 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      batchId: b.batchId,
      stored: 2,
      duplicates: 0,
      replay: false,
      serverTime: NOW,
      skewMs: 0,
      clockCorrected: false,
    });
    const stored = store.listResults({ commune: '26734', limit: 10 });
    expect(stored.map((r) => r.seq).sort()).toEqual([1, 2]);
    expect(stored.find((r) => r.seq === 2)).toMatchObject({
      ok: false,
      error: { code: 'CW_ERR_PROBE_HTTP_STATUS' },
      http: { statusCode: 503 },
    });
  });

  it('acknowledges a retried batch without storing it twice', async () => {
    const b = batch('26734', [result(3), result(4)]);
    expect((await post(b, auth(tokenA))).json()).toMatchObject({ stored: 2, replay: false });
    const before = total();
    const again = await post({ ...b, sentAt: NOW + 5000 }, auth(tokenA));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ batchId: b.batchId, stored: 2, duplicates: 0, replay: true });
    expect(total()).toBe(before);
  });

  it('counts results already stored under another batch id as duplicates', async () => {
    const r = result(5);
    await post(batch('26734', [r]), auth(tokenA));
    const before = total();
    const res = await post(batch('26734', [r, result(6)]), auth(tokenA));
    expect(res.json()).toMatchObject({ stored: 1, duplicates: 1, replay: false });
    expect(total()).toBe(before + 1);
  });

  // Agent B (commune 10001) here: agent A's sequence numbers are counted by a later test.
  it('a push that waited a minute in transit (begun during a cut) is not taken for a clock change', async () => {
    await post(batch('10001', [result(1)]), auth(tokenB)); // skew 0
    clock = NOW + 53_000; // the batch was stamped 53 s before it arrived: TCP retried the connection meanwhile
    const r = result(2, { ts: NOW - 1000 });
    const res = await post(batch('10001', [r]), auth(tokenB));
    expect(res.json()).toMatchObject({ skewMs: 0, clockCorrected: false });
    expect(store.listResults({ commune: '10001', limit: 100 }).find((x) => x.id === r.id)!.ts).toBe(NOW - 1000);
    clock = NOW;
    expect((await post(batch('10001', [result(3)]), auth(tokenB))).json()).toMatchObject({
      skewMs: 0,
      clockCorrected: false,
    });
  });

  it(
    'corrects timestamps when the agent clock is off by more than the threshold, keeping both ' +
      '(from its second push after the change)',
    async () => {
      clock = NOW + 3_600_000; // agent clock one hour behind
      // The first push after the clock moved could be one that waited in transit: the previous skew applies.
      expect((await post(batch('10001', [result(4)]), auth(tokenB))).json()).toMatchObject({ clockCorrected: false });
      const r = result(5, { ts: NOW - 1000 });
      const res = await post(batch('10001', [r]), auth(tokenB));
      expect(res.json()).toMatchObject({ skewMs: 3_600_000, clockCorrected: true });
      const stored = store.listResults({ commune: '10001', limit: 100 }).find((x) => x.id === r.id)!;
      expect(stored.agentTs).toBe(NOW - 1000);
      expect(stored.ts).toBe(NOW - 1000 + 3_600_000);
    },
  );

  describe('rejects, storing nothing', () => {
    const cases: Array<{
      name: string;
      send: () => ReturnType<typeof post>;
      status: number;
      code: string;
      message: RegExp;
    }> = [
      {
        name: 'no token',
        send: () => post(batch('26734', [result(100)])),
        status: 401,
        code: 'CW_ERR_AUTH_MISSING',
        message: /missing Authorization/,
      },
      {
        name: 'wrong token',
        send: () => post(batch('26734', [result(100)]), auth(`${tokenA.slice(0, -4)}AAAA`)),
        status: 401,
        code: 'CW_ERR_AUTH_INVALID',
        message: /unknown, revoked or malformed/,
      },
      {
        name: 'garbage token',
        send: () => post(batch('26734', [result(100)]), auth('hello')),
        status: 401,
        code: 'CW_ERR_AUTH_INVALID',
        message: /agent token/,
      },
      {
        name: 'token of another commune',
        send: () => post(batch('26734', [result(100)]), auth(tokenB)),
        status: 403,
        code: 'CW_ERR_INGEST_COMMUNE_MISMATCH',
        message: /belongs to commune 10001, not 26734/,
      },
      {
        name: 'malformed JSON',
        send: () => post('{"v":1,"batchId":', auth(tokenA)),
        status: 400,
        code: 'CW_ERR_BAD_JSON',
        message: /JSON/,
      },
      {
        name: 'corrupt gzip',
        send: () => post(Buffer.from('not gzip at all'), { ...auth(tokenA), 'content-encoding': 'gzip' }),
        status: 400,
        code: 'CW_ERR_BAD_ENCODING',
        message: /gzip/,
      },
      {
        name: 'unsupported encoding',
        send: () => post(JSON.stringify(batch('26734', [result(100)])), { ...auth(tokenA), 'content-encoding': 'br' }),
        status: 415,
        code: 'CW_ERR_BAD_ENCODING',
        message: /"br" is not supported/,
      },
      {
        name: 'text/plain body',
        send: () =>
          built.app.inject({
            method: 'POST',
            url: '/api/v1/ingest',
            headers: { ...auth(tokenA), 'content-type': 'text/plain' },
            payload: JSON.stringify(batch('26734', [result(100)])),
          }),
        status: 415,
        code: 'CW_ERR_UNSUPPORTED_MEDIA_TYPE',
        message: /text\/plain/,
      },
      {
        name: 'missing field',
        send: () => post({ ...batch('26734', [result(100)]), batchId: undefined }, auth(tokenA)),
        status: 400,
        code: 'CW_ERR_VALIDATION',
        message: /body.*batchId/,
      },
      {
        name: 'wrong type deep inside',
        send: () => post(batch('26734', [result(100), { ...result(101), ts: 'yesterday' as never }]), auth(tokenA)),
        status: 400,
        code: 'CW_ERR_VALIDATION',
        message: /body\/results\/1\/ts must be integer/,
      },
      {
        name: 'negative seq',
        send: () => post(batch('26734', [result(0)]), auth(tokenA)),
        status: 400,
        code: 'CW_ERR_VALIDATION',
        message: /body\/results\/0\/seq must be >= 1/,
      },
      {
        name: 'bad service class',
        send: () => post(batch('26734', [result(100, { service: 'Hộ Tịch!' })]), auth(tokenA)),
        status: 400,
        code: 'CW_ERR_VALIDATION',
        message: /body\/results\/0\/service must match pattern/,
      },
      {
        name: 'newer wire version',
        send: () => post(batch('26734', [result(100)], { v: 99 }), auth(tokenA)),
        status: 400,
        code: 'CW_ERR_INGEST_WIRE_VERSION',
        message: /upgrade the server/,
      },
      {
        name: 'the same result twice in a batch',
        send: () => {
          const r = result(100);
          return post(batch('26734', [r, r]), auth(tokenA));
        },
        status: 400,
        code: 'CW_ERR_INGEST_DUPLICATE_RESULT',
        message: /repeats record id/,
      },
      {
        name: 'oversize body',
        send: () =>
          post(
            batch(
              '26734',
              Array.from({ length: 400 }, (_, i) => result(200 + i)),
            ),
            auth(tokenA),
          ),
        status: 413,
        code: 'CW_ERR_TOO_LARGE',
        message: /too large/i,
      },
      {
        name: 'gzip bomb (small compressed, huge JSON)',
        send: () =>
          post(
            gzipSync(
              JSON.stringify(
                batch('26734', [result(100, { error: { code: 'X', message: 'x'.repeat(1900) } })], {
                  agent: { hostname: ' '.repeat(200_000) },
                }),
              ),
            ),
            { ...auth(tokenA), 'content-encoding': 'gzip' },
          ),
        status: 413,
        code: 'CW_ERR_TOO_LARGE',
        message: /too large/i,
      },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.status}`, async () => {
        const before = total();
        const res = await c.send();
        expect(res.statusCode).toBe(c.status);
        const body = res.json();
        expect(body.code).toBe(c.code);
        expect(body.message).toMatch(c.message);
        expect(body.statusCode).toBe(c.status);
        expect(total()).toBe(before);
      });
    }
  });

  it('counts rejections by status on /metrics', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/metrics' });
    const s = parsePromText(res.body);
    expect(sample(s, 'communewatch_ingest_requests_total', { outcome: '401' })).toBeGreaterThanOrEqual(3);
    expect(sample(s, 'communewatch_ingest_requests_total', { outcome: '403' })).toBeGreaterThanOrEqual(1);
    expect(sample(s, 'communewatch_ingest_requests_total', { outcome: '413' })).toBeGreaterThanOrEqual(1);
    expect(sample(s, 'communewatch_ingest_requests_total', { outcome: 'replay' })).toBe(1);
    expect(sample(s, 'communewatch_agent_missing_results', { commune: '26734', agent: 'agent-a' })).toBe(0);
  });

  it('accepts fields it does not know yet (a newer agent), storing what it understands', async () => {
    const r = {
      ...result(300),
      traceroute: { hops: 7 },
      http: { statusCode: 200, phases: { totalMs: 5, quicMs: 1 } },
    } as ProbeResult;
    const res = await post(
      { ...batch('26734', [r]), agent: { version: '9.0.0', uptimeSec: 12 }, compression: 'zstd-next' },
      auth(tokenA),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stored: 1 });
    expect(store.listResults({ commune: '26734', limit: 100 }).find((x) => x.id === r.id)).toMatchObject({
      seq: 300,
      http: { statusCode: 200 },
    });
    // Sequence gap detection: seqs 1-6 and now 300 arrived from agent-a, so 293 are unaccounted for.
    const s = parsePromText((await built.app.inject('/metrics')).body);
    expect(sample(s, 'communewatch_agent_missing_results', { commune: '26734', agent: 'agent-a' })).toBe(293);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await built.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await built.app.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });
});
