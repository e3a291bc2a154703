/**
 * The app over a fresh SQLite file with an injected clock, no timers, and agents for the given communes:
 * what the incident scenarios drive through the real ingest API.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../server/config.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import type { Store } from '../../server/store/store.js';
import { IngestDriver } from './ingest-driver.js';

export interface IncidentApp {
  store: Store;
  built: App;
  driver: IngestDriver;
  close(): Promise<void>;
}

export async function startIncidentApp(
  dir: string,
  communes: readonly string[],
  time: { now: number },
  incidents: Partial<ServerConfig['incidents']> = {},
): Promise<IncidentApp> {
  const store = openSqliteStore({ file: join(dir, `${randomUUID()}.db`) });
  const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
  config.incidents = { ...config.incidents, ...incidents };
  const built = await buildApp({ store, config, now: () => time.now, timers: false });
  return {
    store,
    built,
    driver: new IngestDriver(built, store, communes, time),
    async close() {
      await built.app.close();
      store.close();
    },
  };
}
