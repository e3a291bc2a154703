/**
 * The Faro-compatible collector through the real app (inject): a batch captured from the real SDK
 * (libraries.md §1.3) replays and is aggregated; keys, CORS, size, rate limits and idempotency behave as
 * Grafana Alloy's receiver and the 2.12 SDK expect; personal data never reaches the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';
import type { SqliteStore } from '../../../server/store/sqlite-store.js';

const CAPTURED = JSON.parse(
  readFileSync(new URL('../../fixtures/faro/sdk-2.12.1-batch.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const ORIGIN = 'http://127.0.0.1:8080';
const T0 = Date.parse('2026-11-25T16:51:43Z');

describe('Faro collector', () => {
  let t: ApiApp;
  let key = '';
  const now = { t: T0 };

  beforeAll(async () => {
    t = await startApiApp({
      now: () => now.t,
      configure: (c) => {
        c.rum.perIpPerMinute = 1000;
        c.rum.perKeyPerMinute = 1000;
        c.rum.bodyLimitBytes = 64 * 1024;
        c.rum.communeNetworks = [{ commune: '99001', cidrs: ['203.113.10.0/28', '2001:db8:10::/48'] }];
      },
    });
    key = t.store.rum.createApp({ name: 'motcua-web', origins: [ORIGIN], services: ['one-stop-shop'], now: T0 }).key;
  });
  afterAll(async () => t.close());

  const post = (body: unknown, headers: Record<string, string> = {}, ip = '10.1.1.1') =>
    t.built.app.inject({
      method: 'POST',
      url: '/collect',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json', 'x-api-key': key, origin: ORIGIN, ...headers },
      payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  it('accepts the captured SDK batch with 202 "ok" and CORS headers, and aggregates it', async () => {
    const res = await post(CAPTURED, { 'idempotency-key': 'abcdefghij0123456789' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.body).toBe('ok');
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
    const groups = t.store.rum.errorGroups({ limit: 10 });
    expect(groups.map((g) => [g.type, g.message]).sort()).toEqual([
      ['Error', 'rejected promise test'],
      ['TypeError', 'Failed to fetch'],
    ]);
    const dims = t.store.rum.errorDims(groups[0]!.id);
    expect(dims.commune).toEqual({ '26734': 1 });
    expect(Object.keys(dims.browser)).toEqual(['Chrome Headless 156']);
    const failures = t.store.rum.fetchFailures({ since: 0, limit: 10 });
    expect(failures.map((f) => [f.url, f.status]).sort()).toEqual([
      ['http://127.0.0.1:8080/api/fail500', 500],
      ['http://127.0.0.1:9/nothing', 0],
    ]);
    const vitals = t.store.rum.vitals({ since: 0 });
    expect(vitals.map((v) => [v.metric, v.page, v.commune, v.count])).toEqual([['fcp', '/', '26734', 1]]);
    const metrics = (await t.built.app.inject('/metrics')).body;
    expect(metrics).toContain('communewatch_rum_errors_total{app="motcua-web",commune="26734"} 2');
    expect(metrics).toMatch(/communewatch_rum_web_vital_seconds_count\{app="motcua-web",metric="fcp"\} 1/);
  });

  it('deduplicates a retry with the same Idempotency-Key', async () => {
    const before = t.store.rum.errorGroups({ limit: 10 }).reduce((a, g) => a + g.count, 0);
    expect((await post(CAPTURED, { 'idempotency-key': 'abcdefghij0123456789' })).statusCode).toBe(202);
    expect(t.store.rum.errorGroups({ limit: 10 }).reduce((a, g) => a + g.count, 0)).toBe(before);
    expect((await post(CAPTURED, { 'idempotency-key': 'second-batch-0000000' })).statusCode).toBe(202);
    expect(t.store.rum.errorGroups({ limit: 10 }).reduce((a, g) => a + g.count, 0)).toBe(before + 2);
  });

  it('groups repeats of one fault by fingerprint, whatever values the message carries', async () => {
    const exc = (value: string, fn = 'submitHoSo') => ({
      type: 'TypeError',
      value,
      timestamp: new Date(T0).toISOString(),
      stacktrace: { frames: [{ filename: `${ORIGIN}/app.js?v=3`, function: fn, lineno: 2, colno: 30 }] },
    });
    // The commune comes from the script's attribute (session first, then page, then user).
    const meta = {
      ...(CAPTURED.meta as object),
      session: { id: 'Xy12345678', attributes: { commune: '26737' } },
      page: { url: `${ORIGIN}/ho-so/000123/xem?cccd=001099012345#tab` },
    };
    await post({
      meta,
      exceptions: [
        exc('Không tìm thấy hồ sơ 000123 của nguyenvana@gmail.com'),
        exc('Không tìm thấy hồ sơ 000456 của tranthib@yahoo.com'),
      ],
    });
    await post({
      meta,
      exceptions: [exc('Không tìm thấy hồ sơ 000789 của x@y.vn'), exc('Không tìm thấy hồ sơ 1', 'otherFunction')],
    });
    const groups = t.store.rum.errorGroups({ limit: 10 }).filter((g) => g.message.startsWith('Không tìm thấy'));
    expect(groups.map((g) => [g.message, g.count, g.frames[0]!.function])).toEqual([
      ['Không tìm thấy hồ sơ <n> của <email>', 3, 'submitHoSo'],
      ['Không tìm thấy hồ sơ <n>', 1, 'otherFunction'],
    ]);
    expect(groups[0]!.samplePage).toBe('/ho-so/:id/xem');
    expect(t.store.rum.errorDims(groups[0]!.id).commune).toEqual({ '26737': 3 });
    // Nothing personal anywhere in the database file's RUM tables.
    const db = (t.store as SqliteStore).db;
    const dump =
      JSON.stringify(db.prepare('SELECT * FROM rum_error_groups').all()) +
      JSON.stringify(db.prepare('SELECT * FROM rum_error_dims').all());
    for (const secret of ['cccd', '001099012345', 'nguyenvana', 'gmail', '000123', 'v=3', '#tab'])
      expect(dump).not.toContain(secret);
  });

  it('refuses a wrong or missing key with 401, another origin with 403, and answers preflights', async () => {
    expect((await post(CAPTURED, { 'x-api-key': `cwr_${'0'.repeat(16)}_${'A'.repeat(43)}` })).statusCode).toBe(401);
    const none = await t.built.app.inject({
      method: 'POST',
      url: '/collect',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(none.statusCode).toBe(401);
    expect(none.json().message).toBe('API key not provided or incorrect');
    const evil = await post(CAPTURED, { origin: 'https://evil.example' });
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await t.built.app.inject({
      method: 'OPTIONS',
      url: '/collect',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key,x-api-key,x-faro-session-id',
      },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ORIGIN);
    for (const h of ['content-type', 'content-encoding', 'x-api-key', 'x-faro-session-id', 'idempotency-key'])
      expect(pre.headers['access-control-allow-headers']).toContain(h);
    const preEvil = await t.built.app.inject({
      method: 'OPTIONS',
      url: '/collect',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preEvil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts gzip bodies and applies the size limit after decompression (413); bad bodies get 400', async () => {
    const gz = await post(gzipSync(JSON.stringify(CAPTURED)), { 'content-encoding': 'gzip' });
    expect(gz.statusCode, gz.body).toBe(202);
    // 1 MB of JSON that compresses to about 1 KB: a zip bomb must not get through.
    const bomb = gzipSync(
      JSON.stringify({
        meta: {},
        logs: [{ message: 'x'.repeat(1_000_000), level: 'info', timestamp: '2026-11-25T00:00:00Z' }],
      }),
    );
    expect(bomb.length).toBeLessThan(5000);
    expect((await post(bomb, { 'content-encoding': 'gzip' })).statusCode).toBe(413);
    expect((await post('{"meta": ')).statusCode).toBe(400);
    expect((await post({ logs: [] })).statusCode).toBe(400);
    expect((await post(Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).statusCode).toBe(400);
    const metrics = (await t.built.app.inject('/metrics')).body;
    expect(metrics).toMatch(/communewatch_rum_requests_total\{outcome="too-large"\} 1/);
  });

  it('rate-limits per key and per address with 429 and Retry-After', async () => {
    const limited = await startApiApp({
      now: () => now.t,
      configure: (c) => {
        c.rum.perIpPerMinute = 3;
        c.rum.perKeyPerMinute = 5;
      },
    });
    try {
      const k = limited.store.rum.createApp({ name: 'flood', origins: [ORIGIN], now: T0 }).key;
      const hit = (ip: string) =>
        limited.built.app.inject({
          method: 'POST',
          url: '/collect',
          remoteAddress: ip,
          headers: { 'content-type': 'application/json', 'x-api-key': k, origin: ORIGIN },
          payload: '{"meta":{}}',
        });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await hit('10.9.9.1')).statusCode);
      expect(codes).toEqual([202, 202, 202, 429]);
      const r = await hit('10.9.9.1');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect((await hit('10.9.9.2')).statusCode).toBe(202);
      expect((await hit('10.9.9.3')).statusCode).toBe(202);
      expect((await hit('10.9.9.4')).statusCode).toBe(429); // 6th for the key
      now.t += 61_000;
      expect((await hit('10.9.9.4')).statusCode).toBe(202);
    } finally {
      await limited.close();
    }
  });

  it('serves /rum.js compressed with cache headers and revalidation, and its licence notices', async () => {
    const js = await t.built.app.inject({ url: '/rum.js', headers: { 'accept-encoding': 'gzip' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['cache-control']).toBe('public, max-age=3600');
    expect(
      (await t.built.app.inject({ url: '/rum.js', headers: { 'if-none-match': String(js.headers.etag) } })).statusCode,
    ).toBe(304);
    expect((await t.built.app.inject('/rum.js.LICENSES.txt')).body).toContain('Apache');
  });

  it('resolves the commune from its registered address ranges when the page does not say', async () => {
    const exc = { type: 'Error', value: 'no commune attribute here', timestamp: new Date(T0).toISOString() };
    await post({ meta: { app: { name: 'x' } }, exceptions: [exc] }, {}, '203.113.10.7');
    await post({ meta: { app: { name: 'x' } }, exceptions: [exc] }, {}, '2001:db8:10::42');
    await post({ meta: { app: { name: 'x' } }, exceptions: [exc] }, {}, '198.51.100.1');
    const group = t.store.rum.errorGroups({ limit: 50 }).find((g) => g.message === 'no commune attribute here')!;
    expect(group.count).toBe(3);
    expect(t.store.rum.errorDims(group.id).commune).toEqual({ '99001': 2 });
  });

  it('lets IT read the error groups and failed fetches; a vendor only its own apps', async () => {
    const get = (url: string, key: string) => t.built.app.inject({ url, headers: { authorization: `Bearer ${key}` } });
    const all = (await get('/api/v1/rum/errors?days=30', t.admin)).json() as {
      groups: Array<{ app: string; message: string; affected: { commune: Record<string, number> } }>;
    };
    expect(all.groups.length).toBeGreaterThan(2);
    expect(all.groups.find((g) => g.message === 'Không tìm thấy hồ sơ <n> của <email>')!.affected.commune).toEqual({
      '26737': 3,
    });
    const own = t.store.apiTokens.create({
      name: 'viettel',
      role: 'vendor',
      services: ['one-stop-shop'],
      now: T0,
    }).token;
    const other = t.store.apiTokens.create({ name: 'vnpt', role: 'vendor', services: ['civil-status'], now: T0 }).token;
    expect(((await get('/api/v1/rum/errors?days=30', own)).json() as { groups: unknown[] }).groups.length).toBe(
      all.groups.length,
    );
    expect(((await get('/api/v1/rum/errors?days=30', other)).json() as { groups: unknown[] }).groups).toEqual([]);
    expect(
      ((await get('/api/v1/rum/fetch-failures?days=30', t.viewer)).json() as { failures: unknown[] }).failures.length,
    ).toBeGreaterThan(0);
    expect((await t.built.app.inject('/api/v1/rum/errors')).statusCode).toBe(401);
    expect((await get('/api/v1/rum/errors?days=0', t.admin)).statusCode).toBe(400);
  });

  it('deletes aggregates past retention and idempotency keys past their window', async () => {
    const before = t.store.rum.errorGroups({ limit: 100 }).length;
    expect(before).toBeGreaterThan(0);
    expect(t.store.rum.prune(T0 - 86_400_000, T0 - 3_600_000)).toBe(0);
    expect(t.store.rum.prune(T0 + 86_400_000 * 2, T0 + 3_600_000)).toBeGreaterThan(before);
    expect(t.store.rum.errorGroups({ limit: 100 })).toEqual([]);
    expect(
      t.store.rum.claimBatch(t.store.rum.apps().find((a) => a.name === 'motcua-web')!.id, 'abcdefghij0123456789', T0),
    ).toBe(true);
  });
});
