/** The read API: raw results with their fault layer, bounded rollups, and the hour-of-day profile. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../server/config.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import type { Store } from '../../server/store/store.js';
import { createAgentToken } from '../../server/auth/agent-tokens.js';
import type { ProbeResult } from '../../protocol/wire.js';
import { tempDir } from '../helpers/temp-dir.js';

// Monday 2026-11-23 00:00 in Vietnam (UTC+7) = Sunday 17:00 UTC.
const MONDAY = Date.parse('2026-11-22T17:00:00Z');
const HOUR = 3_600_000;
const NOW = MONDAY + 7 * 24 * HOUR;

describe('history API', () => {
  const dir = tempDir();
  let store: Store;
  let built: App;
  let key = '';
  const get = (url: string) => built.app.inject({ url, headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir.path, 'cw.db') });
    built = await buildApp({ store, config: Value.Default(ServerConfigSchema, {}) as ServerConfig, now: () => NOW });
    const { token } = createAgentToken(store, { commune: '26734', name: 'a', now: MONDAY });
    key = store.apiTokens.create({ name: 'leader', role: 'viewer', now: MONDAY }).token;
    let seq = 0;
    const results: ProbeResult[] = [];
    // e-signing (OCSP): fast at night, slow at 09:00 local on Monday and Tuesday, failing once at 09:00 Tuesday.
    for (const day of [0, 1]) {
      for (const [hour, latencyMs, ok] of [
        [3, 40, true],
        [9, 2400, true],
        [9, 3100, day === 0],
      ] as const) {
        results.push({
          id: randomUUID(),
          seq: ++seq,
          ts: MONDAY + day * 24 * HOUR + hour * HOUR + seq * 1000,
          target: 'ocsp',
          kind: 'http',
          service: 'e-signing',
          ok,
          durationMs: latencyMs,
          latencyMs,
          role: 'service',
          ...(ok
            ? latencyMs > 2000
              ? { layer: 'slow' }
              : {}
            : { layer: 'service', error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503' } }),
        });
      }
    }
    const res = await built.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { v: 1, batchId: randomUUID(), commune: '26734', sentAt: NOW, results },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    await built.app.close();
    store.close();
    dir.remove();
  });

  it('profiles latency and failures by local hour and weekday', async () => {
    const res = await get('/api/v1/profile/hour-of-day?service=e-signing&days=30');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.timezoneOffsetMinutes).toBe(420);
    const cell = (weekday: number, hour: number) =>
      body.cells.find((c: { weekday: number; hour: number }) => c.weekday === weekday && c.hour === hour);
    expect(cell(1, 3)).toMatchObject({ count: 1, okCount: 1, latencyAvgMs: 40 });
    expect(cell(1, 9)).toMatchObject({ count: 2, okCount: 2, latencyAvgMs: 2750, latencyMaxMs: 3100 });
    expect(cell(2, 9)).toMatchObject({ count: 2, okCount: 1, successRatio: 0.5 });
    expect(body.cells).toHaveLength(4);
  });

  it('lists raw results with their layer, newest first', async () => {
    const res = await get(`/api/v1/results?commune=26734&target=ocsp&from=${MONDAY}&to=${NOW}`);
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results).toHaveLength(6);
    expect(results[0].ts).toBeGreaterThan(results[5].ts);
    expect(results.filter((r: ProbeResult) => r.layer === 'service')).toHaveLength(1);
    expect(results.filter((r: ProbeResult) => r.layer === 'slow')).toHaveLength(3);
  });

  it('serves rollups and bounds the span per resolution', async () => {
    const ok = await get(`/api/v1/rollups?resolution=day&target=ocsp&from=${MONDAY}&to=${NOW}`);
    expect(ok.json().rows.map((r: { count: number }) => r.count)).toEqual([3, 3]);
    const tooLong = await get(`/api/v1/rollups?resolution=minute&from=${MONDAY}&to=${NOW}`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toBe('span too long: at most 2 days for this request');
  });

  it('rejects bad query strings with the field named', async () => {
    const res = await get('/api/v1/profile/hour-of-day?days=0');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CW_ERR_VALIDATION', message: 'querystring/days must be >= 1' });
    const unknown = await get('/api/v1/results?comune=1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('comune');
  });
});
