/**
 * Calendar months in local (Vietnam) time: a report month is [00:00 on the 1st, 00:00 on the 1st of the next
 * month) at the server's `timezoneOffsetMinutes` (Vietnam has no DST, so a fixed offset is exact).
 */

export interface ReportMonth {
  year: number;
  /** 1–12. */
  month: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-10": the key the report log stores. */
export function monthKey(m: ReportMonth): string {
  return `${m.year}-${pad(m.month)}`;
}

/** "10/2026", as officials write a month. */
export function monthLabel(m: ReportMonth): string {
  return `${pad(m.month)}/${m.year}`;
}

/** "2026-10" or "10/2026"; undefined for anything else. */
export function parseMonth(text: string): ReportMonth | undefined {
  const t = text.trim();
  const ym = /^(\d{4})-(\d{1,2})$/.exec(t);
  const my = /^(\d{1,2})\/(\d{4})$/.exec(t);
  const [year, month] = ym ? [Number(ym[1]), Number(ym[2])] : my ? [Number(my[2]), Number(my[1])] : [NaN, NaN];
  if (!Number.isInteger(year) || year < 2000 || year > 2999 || !(month >= 1 && month <= 12)) return undefined;
  return { year, month };
}

export function addMonths(m: ReportMonth, n: number): ReportMonth {
  const index = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The local month that contains the instant `ms`. */
export function monthOf(ms: number, offsetMin: number): ReportMonth {
  const d = new Date(ms + offsetMin * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/** Local `day` of the month at `hhmm` ("07:30"), as epoch ms. */
export function localInstant(m: ReportMonth, day: number, hhmm: string, offsetMin: number): number {
  const [h, min] = hhmm.split(':').map(Number) as [number, number];
  return Date.UTC(m.year, m.month - 1, day, h, min) - offsetMin * 60_000;
}

/** [from, to) of the month, epoch ms. */
export function monthBounds(m: ReportMonth, offsetMin: number): { from: number; to: number } {
  return { from: localInstant(m, 1, '00:00', offsetMin), to: localInstant(addMonths(m, 1), 1, '00:00', offsetMin) };
}
