/**
 * Running the server: open the store, build the app, listen, run retention periodically, and on
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
  const address = await app.listen({ host: config.host, port: config.port }).catch((err: unknown) => {
    store.close();
    throw err;
  });
  const url = address.replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');

  // Each call deletes a bounded number of chunks; when it says there is more (e.g. after rawDays was
  // lowered), continue soon, yielding to requests in between, instead of waiting a whole interval.
  let backlog: NodeJS.Timeout | undefined;
  const runRetention = () => {
    try {
      const report = store.applyRetention(config.retention, Date.now());
      log.debug({ ...report }, 'retention pass');
      if (report.more) backlog = setTimeout(runRetention, 1000).unref();
    } catch (err) {
      log.error({ err }, 'retention failed');
    }
  };
  // First run shortly after start (not during it), then periodically; unref so it never holds the process.
  const first = setTimeout(runRetention, 30_000).unref();
  const every = setInterval(runRetention, config.retention.everyMinutes * 60_000).unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearTimeout(first);
      clearTimeout(backlog);
      clearInterval(every);
      await app.close();
      store.close();
      log.info('server stopped');
    })());
  log.info({ url, dataDir: config.dataDir }, 'server listening');
  return { app, store, url, close };
}
