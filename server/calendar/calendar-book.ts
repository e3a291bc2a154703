/**
 * The calendar of each commune, resolved from the stored rows: national → province → commune, the more
 * specific scope winning for a date (day rules) or for a period (timetables). Built on first use and
 * cached until the calendar rows change.
 */
import type { Units } from '../org/units.js';
import type { CalendarStore, ScopedDayRule } from '../store/calendar-store.js';
import { WorkCalendar, VIETNAM_OFFSET_MIN, type DayRule, type Schedule } from './working-time.js';

export class CalendarBook {
  private cache = new Map<string, WorkCalendar>();
  private cachedVersion = -1;

  constructor(private readonly deps: { calendar: CalendarStore; units: Units; offsetMin?: number }) {}

  /** The working calendar of a commune (code or alias). */
  forCommune(code: string): WorkCalendar {
    return this.forScopes(this.deps.units.calendarScopes(code));
  }

  /** The national calendar (no province or commune rules), e.g. for a service-wide central incident. */
  national(): WorkCalendar {
    return this.forScopes(['']);
  }

  /** The rules in force for a commune's dates, each with the scope it came from. */
  effectiveDays(code: string, range: { from: string; to: string }): ScopedDayRule[] {
    const scopes = this.deps.units.calendarScopes(code);
    return resolveDays(this.deps.calendar.days(scopes, range), scopes);
  }

  private withData = new Set<string>();

  private forScopes(all: string[]): WorkCalendar {
    if (this.cachedVersion !== this.deps.calendar.version) {
      this.cache = new Map();
      this.cachedVersion = this.deps.calendar.version;
      this.withData = new Set(this.deps.calendar.scopes());
    }
    // Scopes without rules of their own add nothing: thousands of communes then share one calendar (and
    // its cache of working days) instead of building one each.
    const scopes = all.filter((s) => s === '' || this.withData.has(s));
    const key = scopes.join('|');
    let cal = this.cache.get(key);
    if (!cal) {
      const schedules = this.deps.calendar.schedules(scopes);
      const layers: Schedule[][] = [...scopes].reverse().map((scope) => schedules.filter((s) => s.scope === scope));
      const rules: DayRule[] = resolveDays(this.deps.calendar.days(scopes), scopes);
      cal = new WorkCalendar({ schedules: layers, rules, offsetMin: this.deps.offsetMin ?? VIETNAM_OFFSET_MIN });
      this.cache.set(key, cal);
    }
    return cal;
  }
}

/** One rule per date: the one from the most specific scope (scopes listed least specific first). */
function resolveDays(rows: ScopedDayRule[], scopes: string[]): ScopedDayRule[] {
  const rank = new Map(scopes.map((s, i) => [s, i]));
  const byDate = new Map<string, ScopedDayRule>();
  for (const r of rows) {
    const prev = byDate.get(r.date);
    if (!prev || (rank.get(r.scope) ?? -1) > (rank.get(prev.scope) ?? -1)) byDate.set(r.date, r);
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}
