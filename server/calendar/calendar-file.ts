/**
 * The calendar file an admin maintains (and the yearly national calendars shipped in server/calendar/holidays/):
 * timetables and day rules for one scope — the whole country, a province, or one commune.
 *
 *   scope: { province: "15" }          # or { commune: "26734" }, or omitted for national
 *   schedules:
 *     - effectiveFrom: "2023-11-01"
 *       seasons:
 *         - { from: "04-16", weekdays: [1,2,3,4,5], sessions: ["07:00-11:30", "13:30-17:00"] }
 *         - { from: "10-16", weekdays: [1,2,3,4,5], sessions: ["07:30-12:00", "13:00-16:30"] }
 *   days:
 *     - { date: "2026-08-22", kind: work, name: "Làm bù cho thứ Hai 31/8", source: "TB 9441/TB-BNV" }
 *
 * Strict like every config: unknown keys are errors, with file, key path and line.
 */
import Type, { type Static } from 'typebox';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import { checkConfig, readYamlConfig, throwIfProblems, type ConfigProblem } from '../../common/config-file.js';
import type { DayRule, Schedule, Session } from './working-time.js';

const strict = { additionalProperties: false } as const;
const DATE = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const MONTH_DAY = '^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const SESSION = '^([01]\\d|2[0-3]):[0-5]\\d-(([01]\\d|2[0-3]):[0-5]\\d|24:00)$';

export const CalendarScope = Type.Object(
  {
    province: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z-]{1,16}$', description: 'province code' })),
    commune: Type.Optional(Type.String({ pattern: COMMUNE_PATTERN, description: 'commune code' })),
  },
  strict,
);
export type CalendarScope = Static<typeof CalendarScope>;

const SeasonSchema = Type.Object(
  {
    from: Type.String({ pattern: MONTH_DAY, description: 'MM-DD the season starts each year' }),
    weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      default: [1, 2, 3, 4, 5],
    }),
    sessions: Type.Array(Type.String({ pattern: SESSION, description: 'HH:mm-HH:mm' }), { minItems: 1, maxItems: 6 }),
  },
  strict,
);

const ScheduleSchema = Type.Object(
  {
    effectiveFrom: Type.String({ pattern: DATE }),
    seasons: Type.Array(SeasonSchema, { minItems: 1, maxItems: 12 }),
  },
  strict,
);

export const DayRuleSchema = Type.Object(
  {
    date: Type.String({ pattern: DATE }),
    kind: Type.Union([Type.Literal('off'), Type.Literal('work')]),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Optional(Type.String({ maxLength: 300 })),
    provisional: Type.Optional(Type.Boolean()),
  },
  strict,
);

export const CalendarFileSchema = Type.Object(
  {
    scope: Type.Optional(CalendarScope),
    schedules: Type.Array(ScheduleSchema, { maxItems: 100, default: [] }),
    days: Type.Array(DayRuleSchema, { maxItems: 2000, default: [] }),
  },
  strict,
);
type CalendarFileData = Static<typeof CalendarFileSchema>;

export interface CalendarFile {
  /** '' for national, 'p:<code>' or 'c:<code>'. */
  scope: string;
  schedules: Schedule[];
  days: DayRule[];
}

export function scopeKey(scope: CalendarScope | undefined): string {
  if (scope?.commune) return `c:${scope.commune}`;
  if (scope?.province) return `p:${scope.province}`;
  return '';
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function parseSession(text: string): Session {
  const [a, b] = text.split('-') as [string, string];
  return { startMin: minutes(a), endMin: minutes(b) };
}

export function formatSession(s: Session): string {
  const f = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
  return `${f(s.startMin)}-${f(s.endMin)}`;
}

/** Checks what the schema cannot: real dates, sessions in order, one scope, no date twice. */
export function checkCalendar(data: CalendarFileData): { calendar: CalendarFile; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  if (data.scope?.province && data.scope.commune)
    problems.push({ path: 'scope', message: 'give a province or a commune, not both' });
  const realDate = (d: string) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d;
  const schedules: Schedule[] = data.schedules.map((s, i) => {
    if (!realDate(s.effectiveFrom))
      problems.push({ path: `schedules[${i}].effectiveFrom`, message: `${s.effectiveFrom} is not a date` });
    const froms = new Set<string>();
    return {
      effectiveFrom: s.effectiveFrom,
      seasons: s.seasons.map((season, j) => {
        if (froms.has(season.from))
          problems.push({ path: `schedules[${i}].seasons[${j}].from`, message: `two seasons start on ${season.from}` });
        froms.add(season.from);
        const sessions = season.sessions.map(parseSession);
        sessions.forEach((x, k) => {
          const at = `schedules[${i}].seasons[${j}].sessions[${k}]`;
          if (x.endMin <= x.startMin)
            problems.push({ path: at, message: `${season.sessions[k]} ends before it starts` });
          else if (k > 0 && x.startMin < sessions[k - 1]!.endMin)
            problems.push({
              path: at,
              message: `${season.sessions[k]} overlaps the session before it (list sessions in order)`,
            });
        });
        return { from: season.from, weekdays: [...season.weekdays].sort(), sessions };
      }),
    };
  });
  const seenFrom = new Set<string>();
  data.schedules.forEach((s, i) => {
    if (seenFrom.has(s.effectiveFrom))
      problems.push({
        path: `schedules[${i}].effectiveFrom`,
        message: `another schedule is already effective from ${s.effectiveFrom}`,
      });
    seenFrom.add(s.effectiveFrom);
  });
  const seenDay = new Set<string>();
  data.days.forEach((d, i) => {
    if (!realDate(d.date)) problems.push({ path: `days[${i}].date`, message: `${d.date} is not a date` });
    if (seenDay.has(d.date)) problems.push({ path: `days[${i}].date`, message: `${d.date} is listed twice` });
    seenDay.add(d.date);
  });
  const days: DayRule[] = data.days.map((d) => ({
    date: d.date,
    kind: d.kind,
    name: d.name,
    ...(d.source && { source: d.source }),
    ...(d.provisional && { provisional: true }),
  }));
  return { calendar: { scope: scopeKey(data.scope), schedules, days }, problems };
}

/** Reads and checks a calendar file; throws ConfigError naming file, key path and line of every problem. */
export function loadCalendarFile(file: string): CalendarFile {
  const parsed = readYamlConfig(file);
  const { value, problems } = checkConfig(parsed, CalendarFileSchema);
  if (problems.length > 0) throwIfProblems(parsed, problems);
  const checked = checkCalendar(value);
  throwIfProblems(parsed, checked.problems);
  return checked.calendar;
}
