/** The from/to date filter shared by the list pages (`<input type="date">`, local days, `to` inclusive). */
import { parseLocalTime } from '../../../common/local-time.js';
import { html, type Html } from '../html.js';
import type { PageContext } from '../context.js';

const DAY = 86_400_000;

export function parsePeriod(ctx: PageContext, defaultDays: number, maxDays = 400): { from: number; to: number } {
  const day = (name: string) => {
    const v = ctx.query.get(name);
    return v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? parseLocalTime(v, ctx.offsetMin) : undefined;
  };
  const toDay = day('to');
  const to = toDay !== undefined ? Math.min(toDay + DAY, ctx.now) : ctx.now;
  let from = day('from') ?? to - defaultDays * DAY;
  if (from >= to) from = to - DAY;
  if (to - from > maxDays * DAY) from = to - maxDays * DAY;
  return { from, to };
}

function isoDay(ms: number, offsetMin: number): string {
  return new Date(ms + offsetMin * 60_000).toISOString().slice(0, 10);
}

export function periodFields(ctx: PageContext, from: number, to: number): Html {
  return html`<label>${ctx.t('from_date')}<input type="date" name="from" value="${isoDay(from, ctx.offsetMin)}"></label>
<label>${ctx.t('to_date')}<input type="date" name="to" value="${isoDay(to - 1, ctx.offsetMin)}"></label>`;
}
