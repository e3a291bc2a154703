/** The PC table shared by the equipment page and the commune page. */
import { html } from '../html.js';
import type { PageContext } from '../context.js';
import type { Column } from '../table.js';
import type { PcRow } from '../views/equipment.js';
import type { WebData } from '../web-data.js';

const GIB = 1024 ** 3;

export function pcColumns(ctx: PageContext, data: WebData): Array<Column<PcRow>> {
  const { t, fmt } = ctx;
  const gb = (n: number | null) => (n === null ? null : Math.round((n / GIB) * 10) / 10);
  return [
    {
      head: 'commune',
      value: (r) => r.commune,
      show: (r) => html`<a href="/communes/${encodeURIComponent(r.commune)}">${data.communeName(r.commune)}</a>`,
    },
    { head: 'pc', value: (r) => r.hostname || r.agent },
    { head: 'model', value: (r) => r.model },
    { head: 'os', value: (r) => r.os },
    { head: 'ram_gb', num: true, value: (r) => gb(r.memTotalBytes), show: (r) => fmt.bytes(r.memTotalBytes) },
    {
      head: 'cpu_load',
      num: true,
      value: (r) => r.cpuLoadPct,
      show: (r) => (r.cpuLoadPct === null ? '—' : `${fmt.number(r.cpuLoadPct, 0)} %`),
    },
    {
      head: 'disk_free',
      num: true,
      value: (r) => (r.diskFreeRatio === null ? null : Math.round(r.diskFreeRatio * 1000) / 10),
      show: (r) => `${fmt.percent(r.diskFreeRatio, 0)} (${fmt.bytes(r.diskFreeBytes)})`,
    },
    { head: 'readers', num: true, value: (r) => r.readers },
    { head: 'tokens', num: true, value: (r) => r.tokens },
    { head: 'scanners', num: true, value: (r) => r.scanners },
    { head: 'printers', num: true, value: (r) => r.printers },
    {
      head: 'problems',
      value: (r) => r.problems.map((p) => t(`problem_${p}`)).join(', '),
      show: (r) =>
        html`${r.problems.map((p, i) => html`${i ? ', ' : ''}<span class="sev-down">${t(`problem_${p}`)}</span>`)}`,
    },
    { head: 'last_seen', value: (r) => fmt.dateTime(Math.max(r.healthAt ?? 0, r.inventoryAt ?? 0) || null) },
  ];
}
