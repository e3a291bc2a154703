/** What the admin commands share: opening the server's store per --config/--data, and plain-text tables. */
import { userInfo } from 'node:os';
import { parseLocalTime } from '../common/local-time.js';
import { loadServerConfig } from '../server/config.js';
import { databaseFile } from '../server/main.js';
import { openSqliteStore } from '../server/store/sqlite-store.js';
import type { Store } from '../server/store/store.js';

export interface StoreFlags {
  data?: string;
  config?: string;
}

/**
 * Opens the server's store (per --config/--data), runs `fn`, and always closes it (after it settles, if async).
 * Commands see only the Store seam, never the database connection.
 */
export function withStore<T>(flags: StoreFlags, fn: (store: Store, offsetMinutes: number) => T): T {
  const config = loadServerConfig({ config: flags.config, data: flags.data });
  const store = openSqliteStore({ file: databaseFile(config.dataDir), dayOffsetMinutes: config.timezoneOffsetMinutes });
  let result: T;
  try {
    result = fn(store, config.timezoneOffsetMinutes);
  } catch (err) {
    store.close();
    throw err;
  }
  if (result instanceof Promise) return result.finally(() => store.close()) as T;
  store.close();
  return result;
}

/** Prints rows as aligned columns under a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((l) => (l[i] ?? '').length)));
  for (const l of [header, ...rows])
    process.stdout.write(
      `${l
        .map((c, i) => (c ?? '').padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}

export const iso = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Who did it, for audit trails: the OS user running the command. */
export const cliActor = (): string => `cli:${userInfo().username}`;

/** A time flag in Vietnam time (dd/MM/yyyy HH:mm) or ISO 8601; a clear error otherwise. */
export function timeFlag(flag: string, text: string, offset: number): number {
  const ms = parseLocalTime(text, offset);
  if (ms === undefined)
    throw new Error(`${flag} "${text}": use dd/MM/yyyy HH:mm (Vietnam time) or ISO 8601, e.g. "25/11/2026 08:30"`);
  return ms;
}
