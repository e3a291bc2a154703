/**
 * The hour-of-day × weekday grid as an HTML table (no script, readable on any browser): one for the
 * failure share, one for mean latency, so peak-hour congestion of e-signing shows as a dark band at 8–11 h.
 */
import { html, raw, type Html } from '../html.js';
import type { PageContext } from '../context.js';
import type { HourOfDayCell } from '../../store/store.js';

/** Monday first, as Vietnamese calendars print it; store weekdays are 0 = Sunday. */
const ORDER = [1, 2, 3, 4, 5, 6, 0];

function colour(intensity: number): string {
  // White → amber → dark red; intensity in [0, 1].
  const x = Math.max(0, Math.min(1, intensity));
  const r = Math.round(255 - 80 * x);
  const g = Math.round(250 - 215 * x);
  const b = Math.round(240 - 210 * x);
  return `rgb(${r},${g},${b})`;
}

export function heatmap(ctx: PageContext, cells: readonly HourOfDayCell[], metric: 'failures' | 'latency'): Html {
  const { t, fmt } = ctx;
  const at = new Map(cells.map((c) => [`${c.weekday}:${c.hour}`, c]));
  const value = (c: HourOfDayCell | undefined): number | null => {
    if (!c || c.count === 0) return null;
    if (metric === 'failures') return 1 - c.okCount / c.count;
    return c.latencyCount === 0 ? null : c.latencySumMs / c.latencyCount;
  };
  const values = cells.map((c) => value(c)).filter((v): v is number => v !== null);
  // Failures: full colour at 20 % failed. Latency: from the fastest hour (white) to the slowest (dark),
  // over a range of at least the fastest hour itself, so steady latency stays pale instead of every cell
  // looking congested.
  const fastest = values.length ? Math.min(...values) : 0;
  const slowest = values.length ? Math.max(...values) : 0;
  const base = metric === 'failures' ? 0 : fastest;
  const scale = metric === 'failures' ? 0.2 : Math.max(slowest - fastest, fastest, 1);
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const hourHeads = hours.map((h) => html`<th>${h}</th>`);
  const legend =
    metric === 'failures'
      ? t('heat_failures_legend')
      : t('heat_latency_legend', { min: fmt.number(fastest, 0), max: fmt.number(slowest, 0) });
  return html`<div class="box"><table class="heat" data-metric="${metric}"><thead><tr><th></th>${hourHeads}</tr></thead><tbody>
${ORDER.map(
  (wd) =>
    html`<tr><th>${t(`weekday_${wd}` as never)}</th>${hours.map((h) => {
      const c = at.get(`${wd}:${h}`);
      const v = value(c);
      if (v === null) return raw('<td></td>');
      const label = metric === 'failures' ? fmt.percent(v, 1) : `${fmt.number(v, 0)} ms`;
      const tip = `${t(`weekday_${wd}` as never)} ${h}:00 — ${label} (${t('samples', { n: fmt.number(c!.count) })})`;
      const intensity = (v - base) / scale;
      const dark = intensity > 0.6 ? raw(' class="dark"') : '';
      const shown = metric === 'failures' ? fmt.number(v * 100, 0) : fmt.number(v, 0);
      return html`<td style="background:${colour(intensity)}"${dark} title="${tip}">${shown}</td>`;
    })}</tr>`,
)}
</tbody></table></div>
<p class="legend">${legend}</p>`;
}
