/**
 * Working time: the timetable, seasons, day rules, the shipped 2025/2026 national calendars, and the
 * algebra every uptime and dossier figure relies on, checked with fast-check over random intervals.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { loadCalendarFile } from '../../../server/calendar/calendar-file.js';
import { normalise, subtract, totalMs, intersect, type Interval } from '../../../server/calendar/intervals.js';
import { WorkCalendar, dayNumber, type DayRule } from '../../../server/calendar/working-time.js';

const H = 3_600_000;
/** Epoch ms of a Vietnam local time "YYYY-MM-DDTHH:mm". */
const vn = (local: string) => Date.parse(`${local}:00+07:00`);
const shipped = (year: number) =>
  loadCalendarFile(fileURLToPath(new URL(`../../../server/calendar/holidays/vn-${year}.yaml`, import.meta.url)));
const national = new WorkCalendar({ rules: [...shipped(2025).days, ...shipped(2026).days] });

describe('WorkCalendar: the default timetable', () => {
  const cal = new WorkCalendar();

  it('is Mon–Fri 07:30–11:30 and 13:00–17:00, Vietnam time, whatever the machine zone', () => {
    // Wed 2025-03-12
    expect(cal.working(vn('2025-03-12T00:00'), vn('2025-03-13T00:00'))).toEqual([
      { start: vn('2025-03-12T07:30'), end: vn('2025-03-12T11:30') },
      { start: vn('2025-03-12T13:00'), end: vn('2025-03-12T17:00') },
    ]);
    expect(cal.workingMs(vn('2025-03-10T00:00'), vn('2025-03-17T00:00'))).toBe(40 * H);
    expect(cal.workingMs(vn('2025-03-15T00:00'), vn('2025-03-17T00:00'))).toBe(0); // the weekend
  });

  it('counts only the part of an interval inside sessions, boundaries half-open', () => {
    expect(cal.workingMs(vn('2025-03-12T11:00'), vn('2025-03-12T14:00'))).toBe(1.5 * H);
    expect(cal.isWorking(vn('2025-03-12T07:30'))).toBe(true);
    expect(cal.isWorking(vn('2025-03-12T11:30'))).toBe(false);
    expect(cal.isWorking(vn('2025-03-12T12:00'))).toBe(false);
  });

  it('finds the next working instant: a Friday-evening outage pages on Monday at 07:30', () => {
    expect(cal.nextWorkingStart(vn('2025-03-14T18:00'))).toBe(vn('2025-03-17T07:30'));
    expect(cal.nextWorkingStart(vn('2025-03-12T09:00'))).toBe(vn('2025-03-12T09:00'));
    expect(cal.nextWorkingStart(vn('2025-03-12T12:00'))).toBe(vn('2025-03-12T13:00'));
  });
});

describe('WorkCalendar: seasons and effective dates', () => {
  // Vĩnh Phúc-style summer/winter timetable, decided in 2020, replaced by a year-round one from 2023-11-01.
  const summerWinter = {
    effectiveFrom: '2020-06-01',
    seasons: [
      {
        from: '04-16',
        weekdays: [1, 2, 3, 4, 5],
        sessions: [
          { startMin: 7 * 60, endMin: 11 * 60 + 30 },
          { startMin: 13 * 60 + 30, endMin: 17 * 60 },
        ],
      },
      {
        from: '10-16',
        weekdays: [1, 2, 3, 4, 5],
        sessions: [
          { startMin: 7 * 60 + 30, endMin: 12 * 60 },
          { startMin: 13 * 60, endMin: 16 * 60 + 30 },
        ],
      },
    ],
  };
  const yearRound = {
    effectiveFrom: '2023-11-01',
    seasons: [{ from: '01-01', weekdays: [1, 2, 3, 4, 5], sessions: [{ startMin: 8 * 60, endMin: 12 * 60 }] }],
  };
  const cal = new WorkCalendar({ schedules: [[summerWinter, yearRound]] });

  it('uses the summer sessions from 16 April and the winter ones from 16 October, wrapping over New Year', () => {
    expect(cal.day('2021-04-16').sessions[0]).toEqual({ startMin: 420, endMin: 690 });
    expect(cal.day('2021-04-15').sessions[0]).toEqual({ startMin: 450, endMin: 720 });
    expect(cal.day('2021-10-15').sessions[0]).toEqual({ startMin: 420, endMin: 690 });
    expect(cal.day('2021-10-18').sessions[0]).toEqual({ startMin: 450, endMin: 720 });
    expect(cal.day('2022-01-04').sessions[0]).toEqual({ startMin: 450, endMin: 720 }); // winter began the year before
  });

  it('switches timetable on its effective date, and uses the default before the first one', () => {
    expect(cal.day('2023-10-31').sessions).toHaveLength(2);
    expect(cal.day('2023-11-01').sessions).toEqual([{ startMin: 480, endMin: 720 }]);
    expect(cal.day('2019-03-12').sessions).toEqual([
      { startMin: 450, endMin: 690 },
      { startMin: 780, endMin: 1020 },
    ]);
  });

  it('lets a commune timetable win over the province one from its own effective date only', () => {
    const communeLayer = [
      {
        effectiveFrom: '2025-07-01',
        seasons: [{ from: '01-01', weekdays: [1, 2, 3, 4, 5, 6], sessions: [{ startMin: 420, endMin: 660 }] }],
      },
    ];
    const layered = new WorkCalendar({ schedules: [communeLayer, [yearRound]] });
    expect(layered.day('2025-06-30').sessions).toEqual([{ startMin: 480, endMin: 720 }]);
    expect(layered.day('2025-07-05').sessions).toEqual([{ startMin: 420, endMin: 660 }]); // a Saturday, worked there
  });
});

describe('the shipped national calendars', () => {
  const off = (d: string) => expect(national.day(d).sessions, d).toEqual([]);
  const works = (d: string) => expect(national.day(d).sessions.length, d).toBeGreaterThan(0);

  it('2025: Tết 27–31 Jan, Hùng Kings 7 Apr, 30/4–2/5 with Saturday 26 Apr worked, National Day 1–2 Sep', () => {
    [
      '2025-01-01',
      '2025-01-27',
      '2025-01-28',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-04-07',
      '2025-04-30',
      '2025-05-01',
      '2025-05-02',
      '2025-09-01',
      '2025-09-02',
    ].forEach(off);
    ['2025-01-24', '2025-02-03', '2025-04-08', '2025-04-26', '2025-05-05', '2025-09-03'].forEach(works);
    expect(national.day('2025-04-26').rule).toMatchObject({ kind: 'work', name: 'Làm bù cho thứ Sáu 02/5' });
  });

  it('2026: Tết 16–20 Feb, compensatory 27 Apr, 30/4–1/5, 31 Aug swapped for Saturday 22 Aug, 1–2 Sep', () => {
    [
      '2026-01-01',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-04-27',
      '2026-04-30',
      '2026-05-01',
      '2026-08-31',
      '2026-09-01',
      '2026-09-02',
    ].forEach(off);
    ['2026-02-13', '2026-02-23', '2026-04-28', '2026-08-22', '2026-09-03'].forEach(works);
    expect(national.day('2026-11-24').rule).toMatchObject({ provisional: true });
  });

  it('counts working hours across Tết 2026 correctly: the week of 16 Feb has none', () => {
    expect(national.workingMs(vn('2026-02-14T00:00'), vn('2026-02-23T00:00'))).toBe(0);
    expect(national.workingMs(vn('2026-02-13T00:00'), vn('2026-02-24T00:00'))).toBe(16 * H);
    // Mon 17 – Mon 31 Aug: the ten weekdays 17–28, Saturday 22 worked, Monday 31 swapped away: 11 days of 8 h.
    expect(national.workingMs(vn('2026-08-17T00:00'), vn('2026-09-01T00:00'))).toBe(11 * 8 * H);
  });
});

// ------------------------------------------------------------------------------------------------ algebra
const T0 = vn('2024-12-20T00:00');
const SPAN = 120 * 24 * H; // covers the Tết 2025 holiday
const instant = fc.integer({ min: T0, max: T0 + SPAN });
const intervalArb = fc
  .tuple(instant, instant)
  .map(([a, b]): Interval => ({ start: Math.min(a, b), end: Math.max(a, b) }));
const holidayRules: DayRule[] = shipped(2025).days;
const cal = new WorkCalendar({ rules: holidayRules });

describe('working-time algebra (fast-check)', () => {
  it('is additive over a split: W(a, c) = W(a, b) + W(b, c)', () => {
    fc.assert(
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        expect(cal.workingMs(a, c)).toBe(cal.workingMs(a, b) + cal.workingMs(b, c));
      }),
      { numRuns: 300 },
    );
  });

  it('is never negative and never more than the elapsed time; zero for an empty or reversed interval', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const w = cal.workingMs(a, b);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(Math.max(0, b - a));
        if (b <= a) expect(w).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('is zero inside any holiday or weekend day', () => {
    const offDays = holidayRules.filter((r) => r.kind === 'off').map((r) => dayNumber(r.date));
    fc.assert(
      fc.property(
        fc.constantFrom(...offDays, dayNumber('2025-03-15'), dayNumber('2025-03-16')),
        fc.integer({ min: 0, max: 24 * H }),
        fc.integer({ min: 0, max: 24 * H }),
        (day, p, q) => {
          const start = vn(`${new Date(day * 24 * H).toISOString().slice(0, 10)}T00:00`);
          expect(cal.workingMs(start + Math.min(p, q), start + Math.max(p, q))).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('intersects interval sets with working time without double counting overlaps', () => {
    fc.assert(
      fc.property(fc.array(intervalArb, { maxLength: 8 }), (set) => {
        const norm = normalise(set);
        const worked = cal.intersectWorking(set);
        // Same as the sum over the merged intervals, and never more than the union's length.
        expect(totalMs(worked)).toBe(norm.reduce((sum, i) => sum + cal.workingMs(i.start, i.end), 0));
        expect(totalMs(worked)).toBeLessThanOrEqual(totalMs(norm));
        // Idempotent, and working time outside the set is exactly what subtract leaves.
        expect(cal.intersectWorking(worked)).toEqual(worked);
        expect(intersect(worked, subtract(norm, worked))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('normalise gives sorted, disjoint, non-touching intervals of the same union', () => {
    fc.assert(
      fc.property(fc.array(intervalArb, { maxLength: 10 }), (set) => {
        const n = normalise(set);
        for (let i = 1; i < n.length; i++) expect(n[i]!.start).toBeGreaterThan(n[i - 1]!.end);
        for (const x of set)
          if (x.end > x.start) expect(n.some((y) => y.start <= x.start && y.end >= x.end)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('prefill of a future year (date-holidays + Labour Code rules)', () => {
  it('reproduces the real 2026 calendar except what only the yearly notice can say (the swap, Culture Day)', async () => {
    const { prefillYear } = await import('../../../server/calendar/prefill.js');
    const draft = prefillYear(2026).days;
    expect(draft.every((d) => d.provisional && d.kind === 'off')).toBe(true);
    const real = shipped(2026)
      .days.filter((d) => d.kind === 'off')
      .map((d) => d.date);
    expect(draft.map((d) => d.date)).toEqual(real.filter((d) => d !== '2026-08-31' && d !== '2026-11-24'));
  });

  it('moves a holiday on a weekend to the next working day, past other holidays', async () => {
    const { prefillYear } = await import('../../../server/calendar/prefill.js');
    const draft = new Map(prefillYear(2027).days.map((d) => [d.date, d.name]));
    expect(draft.get('2027-05-03')).toBe('Nghỉ bù Quốc tế Lao động (01/05 rơi vào cuối tuần)'); // 1 May 2027 is a Saturday
    expect(draft.get('2027-09-03')).toBe('Quốc khánh (ngày liền kề)'); // 2 Sep 2027 is a Thursday: Friday makes the bridge
    expect(draft.get('2027-02-08')).toBe('Tết Nguyên đán');
  });
});
