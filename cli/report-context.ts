/**
 * What `report monthly` and `report vendor` both open before they read: the server config (per
 * --config/--data), the units, the store, the shipped calendars seeded as the server does at start (a
 * database the server never opened still gets the national holidays), and the calendar book over them.
 *
 * The modules are imported when a command runs, not when the program starts, so `communewatch --help` and
 * the other commands stay cheap (as main.ts's lazily loaded command modules).
 */
import type { CalendarBook } from '../server/calendar/calendar-book.js';
import type { ServerConfig } from '../server/config.js';
import type { Units } from '../server/org/units.js';
import type { SqliteStore } from '../server/store/sqlite-store.js';
import type { StoreFlags } from './store-access.js';

export interface ReportContext {
  config: ServerConfig;
  /** The config's time zone, minutes east of UTC. */
  offset: number;
  units: Units;
  store: SqliteStore;
  calendars: CalendarBook;
}

/**
 * Loads the config and hands it to `prepare` — which checks the flags against it and throws before any
 * database is opened, so a mistyped flag never creates one — then opens the store, runs `run` with the context
 * and what `prepare` returned, and always closes the store. `now` dates the calendar seeding.
 */
export async function withReportContext<P, T>(
  flags: StoreFlags,
  now: number,
  prepare: (config: ServerConfig) => P,
  run: (ctx: ReportContext, prepared: P) => Promise<T> | T,
): Promise<T> {
  const [
    { loadServerConfig },
    { databaseFile },
    { openSqliteStore },
    { loadUnits, Units },
    { CalendarBook },
    { seedShippedCalendars },
  ] = await Promise.all([
    import('../server/config.js'),
    import('../server/main.js'),
    import('../server/store/sqlite-store.js'),
    import('../server/org/units.js'),
    import('../server/calendar/calendar-book.js'),
    import('../server/calendar/seed.js'),
  ]);
  const config = loadServerConfig({ config: flags.config, data: flags.data });
  const offset = config.timezoneOffsetMinutes;
  const prepared = prepare(config);
  const units = config.units ? loadUnits(config.units) : new Units();
  const store = openSqliteStore({ file: databaseFile(config.dataDir), dayOffsetMinutes: offset });
  try {
    seedShippedCalendars(store.calendar, now);
    const calendars = new CalendarBook({ calendar: store.calendar, units, offsetMin: offset });
    return await run({ config, offset, units, store, calendars }, prepared);
  } finally {
    store.close();
  }
}
