/**
 * Running the server: open the store, build the app (its periodic jobs included), listen, and on
 * SIGTERM/SIGINT stop accepting, finish in-flight requests and close SQLite cleanly (WAL checkpointed).
 */
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.js';
import { buildApp, type App } from './app.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** Base URL, e.g. http://127.0.0.1:8080 (the actual port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'communewatch.db');
}

export async function startServer(
  config: ServerConfig,
  opts: { log?: Logger; demo?: boolean } = {},
): Promise<RunningServer> {
  const log = opts.log ?? pino({ level: config.log.level });
  const store = openSqliteStore({
    file: databaseFile(config.dataDir),
    dayOffsetMinutes: config.timezoneOffsetMinutes,
    log,
  });
  let built: App;
  try {
    built = await buildApp({ store, config, logger: log.child({ component: 'http' }), demo: opts.demo });
  } catch (err) {
    store.close();
    throw err;
  }
  const { app } = built;
  const address = await app.listen({ host: config.host, port: config.port }).catch(async (err: unknown) => {
    await app.close(); // stops the periodic jobs before the store closes under them
    store.close();
    throw err;
  });
  const url = address.replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      store.close();
      log.info('server stopped');
    })());
  log.info({ url, dataDir: config.dataDir }, 'server listening');
  return { app, store, url, close };
}
