/**
 * An app over a fresh SQLite file with an admin and a viewer API key, for API tests with `inject`;
 * no background timers. `configure` adjusts the config before the app is built.
 */
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../server/config.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import type { Store } from '../../server/store/store.js';
import { tempDir } from './temp-dir.js';

export interface ApiApp {
  store: Store;
  built: App;
  admin: string;
  viewer: string;
  close(): Promise<void>;
}

export async function startApiApp(opts: {
  now: () => number;
  configure?: (config: ServerConfig) => void;
}): Promise<ApiApp> {
  const dir = tempDir();
  const store = openSqliteStore({ file: join(dir.path, 'cw.db') });
  const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
  opts.configure?.(config);
  const built = await buildApp({ store, config, now: opts.now, timers: false });
  return {
    store,
    built,
    admin: store.apiTokens.create({ name: 'it-lead', role: 'admin', now: 0 }).token,
    viewer: store.apiTokens.create({ name: 'chairman', role: 'viewer', now: 0 }).token,
    async close() {
      await built.app.close();
      store.close();
      dir.remove();
    },
  };
}
