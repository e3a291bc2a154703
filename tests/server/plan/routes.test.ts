/**
 * GET /api/v1/agent/config on a real app (buildApp + inject) over a real SQLite file: the plan of the
 * token's commune, 304 on a matching If-None-Match, 401 without a valid token, a new ETag after the
 * catalogue file changes, and the previous catalogue kept when the new file is broken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../../server/config.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { createAgentToken } from '../../../server/auth/agent-tokens.js';
import { CatalogueSource } from '../../../server/plan/catalogue-source.js';
import { ifNoneMatchHits } from '../../../server/plan/routes.js';
import { ConfigError } from '../../../common/config-file.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { CATALOGUE } from './catalogue-text.js';

describe('GET /api/v1/agent/config', () => {
  const dir = tempDir();
  const file = join(dir.path, 'catalogue.yaml');
  const logs: Array<{ msg: string; [k: string]: unknown }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  let store: Store;
  let built: App;
  let plans: CatalogueSource;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    writeFileSync(file, CATALOGUE);
    store = openSqliteStore({ file: join(dir.path, 'cw.db') });
    const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    plans = new CatalogueSource({ file, log, checkEveryMs: 0 });
    built = await buildApp({ store, config, plans });
    tokenA = createAgentToken(store, { commune: '26734', name: 'agent-a', now: Date.now() }).token;
    tokenB = createAgentToken(store, { commune: '26737', name: 'agent-b', now: Date.now() }).token;
  });
  afterAll(async () => {
    await built.app.close();
    store.close();
    dir.remove();
  });

  const get = (token?: string, headers: Record<string, string> = {}) =>
    built.app.inject({
      method: 'GET',
      url: '/api/v1/agent/config',
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers },
    });

  it("answers the plan of the token's commune, with a strong ETag", async () => {
    const res = await get(tokenA);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const plan = res.json();
    expect(plan.commune).toBe('26734');
    expect(plan.targets.map((t: { name: string }) => t.name)).toEqual([
      'dvcqg',
      'dvcqg-sso',
      'hotich-moj',
      'motcua-tinh',
    ]);
    expect(res.headers.etag).toBe(`"${plan.version}"`);
    const other = await get(tokenB);
    expect(other.json().commune).toBe('26737');
    expect(other.headers.etag).not.toBe(res.headers.etag);
  });

  it('answers 304 with the ETag and no body when If-None-Match holds it', async () => {
    const { etag } = (await get(tokenA)).headers as { etag: string };
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await get(tokenA, { 'if-none-match': header });
      expect(res.statusCode, header).toBe(304);
      expect(res.headers.etag).toBe(etag);
      expect(res.body).toBe('');
    }
    expect((await get(tokenA, { 'if-none-match': '"stale"' })).statusCode).toBe(200);
  });

  it('refuses a request without a valid token before anything else', async () => {
    const missing = await get();
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ code: 'CW_ERR_AUTH_MISSING' });
    expect(missing.headers.etag).toBeUndefined();
    const invalid = await get('cwa_0000000000000000_nottherealsecretnottherealsecretnottherea');
    expect(invalid.statusCode).toBe(401);
    expect(invalid.json()).toMatchObject({ code: 'CW_ERR_AUTH_INVALID' });
  });

  it('serves a new ETag after the catalogue file changes, and keeps the old catalogue when the new one is broken', async () => {
    const before = (await get(tokenA)).headers.etag as string;
    // A different size, so the change shows even where file times are coarse.
    writeFileSync(file, CATALOGUE.replace('intervalSec: 600', 'intervalSec: 1200'));
    const after = await get(tokenA, { 'if-none-match': before });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before);
    expect(after.json().targets.find((t: { name: string }) => t.name === 'hotich-moj').intervalSec).toBe(1200);

    writeFileSync(file, CATALOGUE.replace('intervalSec: 600', 'intervalSec: 5'));
    const kept = await get(tokenA, { 'if-none-match': after.headers.etag as string });
    expect(kept.statusCode).toBe(304);
    const error = logs.find((l) => l.msg.startsWith('service catalogue changed but cannot be used'));
    expect(error?.problems).toMatch(/communes\[0\]\.overrides\.hotich-moj\.intervalSec \(line \d+\): 5 is below 60/);
  });

  it('is not served when no catalogue is configured', async () => {
    const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    const bare = await buildApp({ store, config });
    const res = await bare.app.inject({
      method: 'GET',
      url: '/api/v1/agent/config',
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(res.statusCode).toBe(404);
    await bare.app.close();
  });

  it('refuses to build the app on an invalid catalogue, naming file, key path and line', async () => {
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, CATALOGUE.replace('all: [dvcqg, hotich, paygov]', 'all: [dvcqg, hotich, paygo]'));
    const config = { ...(Value.Default(ServerConfigSchema, {}) as ServerConfig), catalogue: bad };
    await expect(buildApp({ store, config })).rejects.toThrow(ConfigError);
    await expect(buildApp({ store, config })).rejects.toThrow(
      `invalid config ${bad}:\n  - all[2] (line 25): no service with id "paygo"`,
    );
  });

  it('compares If-None-Match weakly, as RFC 9110 asks', () => {
    expect(ifNoneMatchHits(undefined, '"a"')).toBe(false);
    expect(ifNoneMatchHits('"a"', '"a"')).toBe(true);
    expect(ifNoneMatchHits(' W/"a" ', '"a"')).toBe(true);
    expect(ifNoneMatchHits('"b", "c"', '"a"')).toBe(false);
  });
});
