/** Uptime columns for today / 7 d / 30 d, round the clock and in working hours. */
import type { PageContext } from '../context.js';
import type { Column } from '../table.js';
import { WINDOWS, type Ratio, type WindowKey } from '../views/uptime-windows.js';

/** Percent with 4 decimals in exports, for spreadsheets that sum or chart them. */
export const exportPercent = (v: number | null | undefined): number | null =>
  v == null ? null : Math.round(v * 1e6) / 1e4;

export function uptimeColumns<R>(
  ctx: PageContext,
  get: (row: R) => Record<WindowKey, Record<'all' | 'work', Ratio>> | undefined,
  which: 'service' | 'network',
): Array<Column<R>> {
  return WINDOWS.flatMap((w) =>
    (['all', 'work'] as const).map(
      (mode): Column<R> => ({
        head: `uptime_${w}_${mode}`,
        num: true,
        value: (r) => exportPercent(get(r)?.[w][mode][which]),
        show: (r) => ctx.fmt.percent(get(r)?.[w][mode][which]),
      }),
    ),
  );
}
