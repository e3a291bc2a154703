/**
 * A first draft of a future year's national calendar, before the Ministry of Home Affairs publishes it:
 * the lunar dates (Tết, Hùng Kings' day) from the `date-holidays` package, the fixed holidays, the Labour
 * Code's rules (the second National Day holiday, a holiday on a weekend moves to the next working day),
 * every line marked provisional. It is printed for an admin to check and import, never loaded on its own:
 * `date-holidays` models Tết as a fixed block (wrong in 2025) and knows no swaps or compensatory days.
 */
import Holidays from 'date-holidays';
import type { CalendarFile } from './calendar-file.js';
import type { DayRule } from './working-time.js';

const DAY = 86_400_000;
const SOURCE = 'dự kiến: date-holidays + BLLĐ 2019 Đ.111–112; đối chiếu thông báo của Bộ Nội vụ';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday

export function prefillYear(year: number): CalendarFile {
  const hd = new Holidays('VN');
  const off = new Map<string, string>();
  for (const h of hd.getHolidays(year)) {
    if (h.type !== 'public') continue;
    // start/end are instants at local midnight (UTC+7); each local day in [start, end) is off.
    for (let t = h.start.getTime() + 7 * 3_600_000; t < h.end.getTime() + 7 * 3_600_000; t += DAY) {
      const date = iso(t);
      // The library names the whole Tết block after its first day (New Year's Eve).
      if (date.startsWith(String(year)) && !off.has(date))
        off.set(date, /Tết Nguyên Đán/i.test(h.name) ? 'Tết Nguyên đán' : h.name);
    }
  }
  // The second National Day holiday (Labour Code 2019): the day before or after 2/9, whichever makes the
  // longer break — after it when 2/9 is a Thursday or a Monday, before it otherwise.
  const national = `${year}-09-02`;
  const adjacent = [1, 4].includes(weekday(national)) ? `${year}-09-03` : `${year}-09-01`;
  if (!off.has(adjacent)) off.set(adjacent, 'Quốc khánh (ngày liền kề)');
  // A holiday on a Saturday or Sunday moves to the next working day (Art. 111(3)).
  const statutory = [...off.keys()].sort();
  for (const date of statutory) {
    if (weekday(date) !== 0 && weekday(date) !== 6) continue;
    let t = Date.parse(`${date}T00:00:00Z`) + DAY;
    while (off.has(iso(t)) || weekday(iso(t)) === 0 || weekday(iso(t)) === 6) t += DAY;
    if (iso(t).startsWith(String(year)))
      off.set(iso(t), `Nghỉ bù ${off.get(date)} (${date.slice(8, 10)}/${date.slice(5, 7)} rơi vào cuối tuần)`);
  }
  const days: DayRule[] = [...off.entries()]
    .filter(([date]) => weekday(date) !== 0 && weekday(date) !== 6)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, name]) => ({ date, kind: 'off', name, source: SOURCE, provisional: true }));
  return { scope: '', schedules: [], days };
}
