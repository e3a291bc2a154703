/**
 * Per-target history from hour rollups: a strip of hourly cells coloured by success share (the "path and
 * services timeline") and chart series of mean latency and ICMP loss for uPlot.
 */
import { html, type Html } from '../html.js';
import type { PageContext } from '../context.js';
import type { RollupRow } from '../../store/store.js';

const HOUR = 3_600_000;

export interface TargetHistory {
  target: string;
  service: string;
  kind: string;
  byBucket: Map<number, RollupRow>;
}

export function groupByTarget(rows: readonly RollupRow[]): TargetHistory[] {
  const out = new Map<string, TargetHistory>();
  for (const r of rows) {
    let h = out.get(r.target);
    if (!h) out.set(r.target, (h = { target: r.target, service: r.service, kind: r.kind, byBucket: new Map() }));
    h.byBucket.set(r.bucket, r);
  }
  // Network path first (what the commune itself controls), then services.
  return [...out.values()].sort(
    (a, b) => Number(b.service === 'network') - Number(a.service === 'network') || a.target.localeCompare(b.target),
  );
}

function cellClass(r: RollupRow | undefined): string {
  if (!r || r.count === 0) return 'none';
  const ok = r.okCount / r.count;
  return ok >= 0.999 ? 'up' : ok >= 0.9 ? 'degraded' : 'down';
}

/** One strip per target over [from, to) hour by hour. */
export function timelineStrip(ctx: PageContext, h: TargetHistory, from: number, to: number): Html {
  const cells: Html[] = [];
  for (let b = Math.floor(from / HOUR) * HOUR; b < to; b += HOUR) {
    const r = h.byBucket.get(b);
    const tip = r
      ? `${ctx.fmt.dateTime(b)} — ${ctx.fmt.percent(r.okCount / r.count, 1)} OK`
      : `${ctx.fmt.dateTime(b)} — ${ctx.t('state_none')}`;
    cells.push(html`<span class="s-${cellClass(r)}" title="${tip}"></span>`);
  }
  return html`<div class="timeline">${cells}</div>`;
}

export interface ChartSpec {
  /** The legend's label of the time column. */
  xLabel: string;
  series: Array<{ label: string; unit: string; scale: string }>;
  axes: Array<{ scale: string; label: string }>;
  /** uPlot's columnar data: [x seconds, ...series]. */
  data: Array<Array<number | null>>;
}

export function latencyLossChart(
  ctx: PageContext,
  histories: readonly TargetHistory[],
  from: number,
  to: number,
  maxSeries = 8,
): ChartSpec {
  const xs: number[] = [];
  for (let b = Math.floor(from / HOUR) * HOUR; b < to; b += HOUR) xs.push(b);
  const series: ChartSpec['series'] = [];
  const data: ChartSpec['data'] = [xs.map((b) => b / 1000)];
  for (const h of histories.slice(0, maxSeries)) {
    series.push({ label: `${h.target} (ms)`, unit: 'ms', scale: 'ms' });
    data.push(
      xs.map((b) => {
        const r = h.byBucket.get(b);
        return r && r.latencyCount > 0 ? Math.round((r.latencySumMs / r.latencyCount) * 10) / 10 : null;
      }),
    );
  }
  for (const h of histories.filter((x) => x.kind === 'icmp').slice(0, 4)) {
    series.push({ label: `${h.target} — ${ctx.t('loss')} (%)`, unit: '%', scale: '%' });
    data.push(
      xs.map((b) => {
        const r = h.byBucket.get(b);
        return r && r.lossCount > 0 ? Math.round((r.lossSum / r.lossCount) * 1000) / 10 : null;
      }),
    );
  }
  return {
    xLabel: ctx.t('time'),
    series,
    axes: [
      { scale: 'ms', label: ctx.t('latency_ms') },
      { scale: '%', label: ctx.t('loss_pct') },
    ],
    data,
  };
}
