/**
 * The national calendars shipped with CommuneWatch (server/calendar/holidays/vn-YYYY.yaml), loaded into a new
 * database, and into an old one when an upgrade brings a new year. A year that already has national rows
 * is left alone: an admin's corrections are never overwritten by the shipped file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { loadCalendarFile } from './calendar-file.js';
import type { CalendarStore } from '../store/calendar-store.js';

/** Next to this module, in the sources and in dist/ alike (the build copies the folder). */
export const SHIPPED_CALENDAR_DIR = new URL('./holidays/', import.meta.url);
export const SHIPPED_ACTOR = 'communewatch (shipped calendar)';

export function seedShippedCalendars(
  calendar: CalendarStore,
  now: number,
  log?: Pick<Logger, 'info' | 'warn'>,
  dir: URL = SHIPPED_CALENDAR_DIR,
): string[] {
  const seeded: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /^vn-\d{4}\.yaml$/.test(f))
      .sort();
  } catch {
    log?.warn(
      { dir: fileURLToPath(dir) },
      'no shipped calendar folder; working time uses the default timetable without holidays',
    );
    return seeded;
  }
  for (const f of files) {
    const year = Number(f.slice(3, 7));
    if (calendar.hasYear('', year)) continue;
    calendar.importFile(loadCalendarFile(fileURLToPath(new URL(f, dir))), SHIPPED_ACTOR, now);
    seeded.push(f);
    log?.info({ file: f }, 'loaded the shipped national calendar');
  }
  return seeded;
}
