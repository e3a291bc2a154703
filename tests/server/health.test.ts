/** Liveness and readiness: /readyz turns 503 when the database cannot answer, /healthz does not. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp } from '../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../server/config.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('health endpoints', () => {
  it('/readyz reports an unreachable database with 503 and a clear body', async () => {
    const dir = tempDir();
    const store = openSqliteStore({ file: join(dir.path, 'cw.db') });
    const { app } = await buildApp({ store, config: Value.Default(ServerConfigSchema, {}) as ServerConfig });
    try {
      expect((await app.inject('/readyz')).statusCode).toBe(200);
      store.close(); // the database goes away under a running server
      const res = await app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        statusCode: 503,
        code: 'CW_ERR_NOT_READY',
        error: 'Service Unavailable',
        message: 'database not reachable',
      });
      expect((await app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await app.close();
      dir.remove();
    }
  });
});
