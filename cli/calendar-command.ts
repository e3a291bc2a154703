/**
 * `communewatch calendar import|show|set-day|delete-day`: the working-time calendar an admin maintains
 * (holidays, compensatory days, swapped Saturdays, timetables), from the server machine. The file format
 * is server/calendar/calendar-file.ts; every change is audited.
 */
import { loadCalendarFile, scopeKey } from '../server/calendar/calendar-file.js';
import { CalendarBook } from '../server/calendar/calendar-book.js';
import { seedShippedCalendars } from '../server/calendar/seed.js';
import { DayRuleSchema } from '../server/calendar/calendar-file.js';
import { Value } from 'typebox/value';
import { loadServerConfig } from '../server/config.js';
import { loadUnits, Units } from '../server/org/units.js';
import { cliActor as actor, printTable, withStore, type StoreFlags } from './store-access.js';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { prefillYear } from '../server/calendar/prefill.js';

interface ScopeFlags {
  province?: string;
  commune?: string;
}

function scopeOf(flags: ScopeFlags): string {
  if (flags.province && flags.commune) throw new Error('give --province or --commune, not both');
  return scopeKey(flags);
}

export async function runCalendarImport(file: string, flags: StoreFlags): Promise<void> {
  const calendar = loadCalendarFile(file);
  withStore(flags, (store) => {
    const n = store.calendar.importFile(calendar, actor(), Date.now());
    process.stdout.write(
      `Imported ${n.days} day rules and ${n.schedules} timetables for ${calendar.scope || 'the whole country'} from ${file}.\n`,
    );
  });
}

export async function runCalendarShow(flags: { year: number; commune?: string } & StoreFlags): Promise<void> {
  const config = loadServerConfig({ config: flags.config, data: flags.data });
  const units = config.units ? loadUnits(config.units) : new Units();
  withStore(flags, (store, offset) => {
    seedShippedCalendars(store.calendar, Date.now());
    const book = new CalendarBook({ calendar: store.calendar, units, offsetMin: offset });
    const range = { from: `${flags.year}-01-01`, to: `${flags.year}-12-31` };
    const rules = book.effectiveDays(flags.commune ?? '', range);
    printTable(
      ['date', 'kind', 'name', 'scope', 'source', ''],
      rules.map((r) => [
        r.date,
        r.kind === 'off' ? 'nghỉ / off' : 'làm bù / work',
        r.name,
        r.scope || 'national',
        r.source ?? '-',
        r.provisional ? 'provisional' : '',
      ]),
    );
    const cal = flags.commune ? book.forCommune(flags.commune) : book.national();
    const start = Date.parse(`${flags.year}-01-01T00:00:00Z`) - offset * 60_000;
    const end = Date.parse(`${flags.year + 1}-01-01T00:00:00Z`) - offset * 60_000;
    const hours = (cal.workingMs(start, end) / 3_600_000).toFixed(1);
    const where = flags.commune ? ` at commune ${flags.commune}` : ' (national calendar)';
    process.stdout.write(`\n${flags.year}: ${hours} working hours${where}.\n`);
  });
}

export async function runCalendarSetDay(
  flags: { date: string; kind: string; name: string; source?: string; provisional?: boolean } & ScopeFlags & StoreFlags,
): Promise<void> {
  const rule = {
    date: flags.date,
    kind: flags.kind,
    name: flags.name,
    ...(flags.source && { source: flags.source }),
    ...(flags.provisional && { provisional: true }),
  };
  if (
    !Value.Check(DayRuleSchema, rule) ||
    new Date(`${flags.date}T00:00:00Z`).toISOString().slice(0, 10) !== flags.date
  ) {
    throw new Error('--date must be YYYY-MM-DD, --kind off or work, --name 1-200 characters');
  }
  withStore(flags, (store) => {
    store.calendar.setDay(scopeOf(flags), rule as Parameters<typeof store.calendar.setDay>[1], actor(), Date.now());
    process.stdout.write(
      `${flags.date}: ${flags.kind} (${flags.name}) for ${scopeOf(flags) || 'the whole country'}.\n`,
    );
  });
}

export async function runCalendarDeleteDay(flags: { date: string } & ScopeFlags & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    if (!store.calendar.deleteDay(scopeOf(flags), flags.date, actor(), Date.now()))
      throw new Error(`no rule for ${flags.date} in ${scopeOf(flags) || 'the national calendar'}`);
    process.stdout.write(`Removed the rule for ${flags.date}.\n`);
  });
}

/** `calendar prefill --year Y`: a provisional draft of a future year for an admin to check, then import. */
export async function runCalendarPrefill(flags: { year: number; out?: string }): Promise<void> {
  const draft = prefillYear(flags.year);
  const header =
    `# Draft national calendar for ${flags.year}, from date-holidays (lunar dates) and the Labour Code rules.\n` +
    '# Every line is provisional: check it against the Ministry of Home Affairs notice (swapped Saturdays,\n' +
    '# the exact Tết days), fix it, then: communewatch calendar import <this file>\n';
  const text = header + stringify({ days: draft.days });
  if (flags.out) {
    writeFileSync(flags.out, text);
    process.stdout.write(
      `Wrote ${draft.days.length} provisional days off for ${flags.year} to ${flags.out}; check, then import.\n`,
    );
  } else process.stdout.write(text);
}
