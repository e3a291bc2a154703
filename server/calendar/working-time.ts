/**
 * Working time: which instants are office hours at a commune. One calendar answers for one place (its
 * schedules and day rules already resolved from national → province → commune, see calendar-book.ts).
 *
 * - A schedule is effective from a date until the next one starts (a province decides a new timetable).
 * - Inside a schedule, seasons: each starts on a month-day and lasts until the next season's start, wrapping
 *   round the year (summer from 16 Apr, winter from 16 Oct). One season from 01-01 is a year-round schedule.
 * - A season has the weekdays it applies to and the sessions of a working day (07:30–11:30, 13:00–17:00).
 * - Day rules override a date: `off` (holiday, compensatory day, a day swapped away) or `work` (a Saturday
 *   worked in exchange), which gets its season's sessions.
 *
 * Vietnam has had no daylight saving since 1975, so local time is a fixed offset from UTC and a local day
 * is exactly 24 h: day arithmetic needs no time-zone library.
 */
import { clip, intersect, normalise, type Interval } from './intervals.js';

const DAY_MS = 86_400_000;

export interface Session {
  /** Minutes after local midnight, start inclusive, end exclusive. */
  startMin: number;
  endMin: number;
}

export interface Season {
  /** "MM-DD": first day of the season each year. */
  from: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  sessions: Session[];
}

export interface Schedule {
  /** "YYYY-MM-DD": first local day this timetable applies. */
  effectiveFrom: string;
  seasons: Season[];
}

export type DayKind = 'off' | 'work';

export interface DayRule {
  /** "YYYY-MM-DD", local. */
  date: string;
  kind: DayKind;
  name: string;
  /** The decision or notice the rule comes from, e.g. "TB 9441/TB-BNV". */
  source?: string;
  /** Pre-filled from an algorithm (lunar dates) rather than an official notice: to be confirmed. */
  provisional?: boolean;
}

/** The year-round timetable most commune offices keep (Yên Bái's, adopted Nov 2023): Mon–Fri 07:30–11:30, 13:00–17:00. */
export const DEFAULT_SCHEDULE: Schedule = {
  effectiveFrom: '1970-01-01',
  seasons: [
    {
      from: '01-01',
      weekdays: [1, 2, 3, 4, 5],
      sessions: [
        { startMin: 450, endMin: 690 },
        { startMin: 780, endMin: 1020 },
      ],
    },
  ],
};

export const VIETNAM_OFFSET_MIN = 420;

/** "YYYY-MM-DD" of a local day number (days since 1970-01-01 local). */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Local day number of "YYYY-MM-DD". */
export function dayNumber(key: string): number {
  return Math.floor(Date.parse(`${key}T00:00:00Z`) / DAY_MS);
}

export interface DayInfo {
  date: string;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  sessions: Session[];
  /** The rule that changed this day, if any. */
  rule?: DayRule;
}

export class WorkCalendar {
  private readonly layers: Schedule[][];
  private readonly rules: Map<string, DayRule>;
  private readonly offsetMs: number;
  // Working intervals per local day; a dossier report asks for the same few hundred days millions of times.
  private readonly dayCache = new Map<number, Interval[]>();

  /**
   * @param opts.schedules timetables in layers, most specific first (commune, province, national): for a
   *   date, the first layer with a timetable already in effect wins; DEFAULT_SCHEDULE when none is.
   * @param opts.rules day rules, already resolved to one per date.
   */
  constructor(
    opts: { schedules?: readonly (readonly Schedule[])[]; rules?: readonly DayRule[]; offsetMin?: number } = {},
  ) {
    this.layers = [...(opts.schedules ?? []), [DEFAULT_SCHEDULE]].map((layer) =>
      [...layer].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)),
    );
    this.rules = new Map((opts.rules ?? []).map((r) => [r.date, r]));
    this.offsetMs = (opts.offsetMin ?? VIETNAM_OFFSET_MIN) * 60_000;
  }

  /** Local day number of an instant. */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetMs) / DAY_MS);
  }

  /** What a local day is: its weekday, its sessions (none on a day off) and the rule behind it. */
  day(key: string): DayInfo {
    const day = dayNumber(key);
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday (4)
    const season = this.seasonOf(key);
    const rule = this.rules.get(key);
    let sessions: Session[] = season?.weekdays.includes(weekday) ? season.sessions : [];
    if (rule?.kind === 'off') sessions = [];
    else if (rule?.kind === 'work') sessions = season?.sessions ?? [];
    return { date: key, weekday, sessions, ...(rule && { rule }) };
  }

  /** Working intervals of one local day, in epoch ms. */
  dayIntervals(day: number): Interval[] {
    let cached = this.dayCache.get(day);
    if (!cached) {
      const base = day * DAY_MS - this.offsetMs;
      cached = normalise(
        this.day(dayKey(day)).sessions.map((s) => ({
          start: base + s.startMin * 60_000,
          end: base + s.endMin * 60_000,
        })),
      );
      if (this.dayCache.size > 20_000) this.dayCache.clear();
      this.dayCache.set(day, cached);
    }
    return cached;
  }

  /** Working time inside [from, to), as a normalised interval set. */
  working(from: number, to: number): Interval[] {
    if (!(to > from)) return [];
    const out: Interval[] = [];
    const last = this.dayOf(to - 1);
    for (let day = this.dayOf(from); day <= last; day++) out.push(...this.dayIntervals(day));
    return clip(out, from, to);
  }

  /** Working milliseconds in [from, to); 0 when to ≤ from. No allocation: it runs a million times a report. */
  workingMs(from: number, to: number): number {
    if (!(to > from)) return 0;
    const first = this.dayOf(from);
    const last = this.dayOf(to - 1);
    let sum = 0;
    for (let day = first; day <= last; day++) {
      for (const i of this.dayIntervals(day)) {
        const start = Math.max(i.start, from);
        const end = Math.min(i.end, to);
        if (end > start) sum += end - start;
      }
    }
    return sum;
  }

  /** The part of an interval set that falls in working time. */
  intersectWorking(set: readonly Interval[]): Interval[] {
    const norm = normalise(set);
    if (norm.length === 0) return [];
    return intersect(norm, this.working(norm[0]!.start, norm[norm.length - 1]!.end));
  }

  isWorking(ms: number): boolean {
    return this.dayIntervals(this.dayOf(ms)).some((i) => ms >= i.start && ms < i.end);
  }

  /** The first working instant at or after `ms` (within a year), e.g. when a night-time digest is due. */
  nextWorkingStart(ms: number): number | undefined {
    const first = this.dayOf(ms);
    for (let day = first; day < first + 400; day++) {
      for (const i of this.dayIntervals(day)) {
        if (i.end > ms) return Math.max(i.start, ms);
      }
    }
    return undefined;
  }

  private seasonOf(key: string): Season | undefined {
    let schedule: Schedule | undefined;
    for (const layer of this.layers) {
      for (const s of layer) if (s.effectiveFrom <= key) schedule = s;
      if (schedule) break;
    }
    if (!schedule) return undefined;
    const monthDay = key.slice(5);
    const seasons = schedule.seasons;
    let season: Season | undefined;
    for (const s of seasons) if (s.from <= monthDay && (!season || s.from > season.from)) season = s;
    // Before the first season's start in the calendar year: the last season, begun the year before.
    return season ?? seasons.reduce<Season | undefined>((a, s) => (!a || s.from > a.from ? s : a), undefined);
  }
}
