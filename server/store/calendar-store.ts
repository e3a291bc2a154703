/**
 * Store seam for working-time calendars (server/calendar): day rules (holidays, make-up working days) and
 * timetables per scope, each change audited. Synchronous like the rest of
 * the Store. Interfaces and records only; the SQLite implementation is sqlite-calendar.ts.
 */
import type { CalendarFile } from '../calendar/calendar-file.js';
import type { DayRule, Schedule } from '../calendar/working-time.js';

/** A day rule with the scope it belongs to and who last set it. */
export interface ScopedDayRule extends DayRule {
  scope: string;
  updatedBy: string;
  updatedAt: number;
}

/** A timetable with the scope it belongs to. */
export interface ScopedSchedule extends Schedule {
  scope: string;
}

export interface CalendarStore {
  /** Upserts a file's schedules and days at once (same scope and date/effectiveFrom → replaced), audited. */
  importFile(file: CalendarFile, actor: string, now: number): { schedules: number; days: number };
  /** Sets (inserts or replaces) one day rule of a scope, audited. */
  setDay(scope: string, rule: DayRule, actor: string, now: number): void;
  /** Deletes one day rule of a scope, audited; false if there was none. */
  deleteDay(scope: string, date: string, actor: string, now: number): boolean;
  /** Day rules of the given scopes, optionally within [from, to] (yyyy-MM-dd), by date then scope. */
  days(scopes: readonly string[], range?: { from?: string; to?: string }): ScopedDayRule[];
  /** Timetables of the given scopes, oldest `effectiveFrom` first. */
  schedules(scopes: readonly string[]): ScopedSchedule[];
  /** True when the scope has any day rule in this year (e.g. a shipped national calendar needs no seeding). */
  hasYear(scope: string, year: number): boolean;
  /** The latest `limit` audit lines, newest first. */
  audit(limit: number): Array<{ at: number; actor: string; action: string; scope: string; detail: unknown }>;
  /** Scopes that have any day rule or timetable. */
  scopes(): string[];
  /** Changes with every write through this store: a cache built at another version is stale. */
  readonly version: number;
}
