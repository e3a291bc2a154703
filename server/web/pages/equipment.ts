/** Equipment: which commune PCs lack a chip reader or scanner, run low on RAM or disk, or an old OS. */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import { registerPage, type PageDeps } from '../page.js';
import { renderTable, type TableSpec } from '../table.js';
import { EQUIPMENT_PROBLEMS, pcRows, type EquipmentProblem, type PcRow } from '../views/equipment.js';
import { pcColumns } from './pc-columns.js';
import type { WebData } from '../web-data.js';

export function equipmentPage(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/equipment', ['admin', 'viewer'], (ctx) => {
    const { t, fmt } = ctx;
    const all = pcRows(data.live);
    const problem = ctx.query.get('problem') as EquipmentProblem | null;
    const rows =
      problem && EQUIPMENT_PROBLEMS.includes(problem) ? all.filter((r) => r.problems.includes(problem)) : all;
    const communesWith = (p: EquipmentProblem) =>
      new Set(all.filter((r) => r.problems.includes(p)).map((r) => r.commune)).size;
    const table: TableSpec<PcRow> = {
      id: 'pcs',
      file: 'thiet-bi',
      sheet: 'nav_equipment',
      columns: pcColumns(ctx, data),
      rows,
      empty: 'no_pcs',
      pageSize: 200,
    };
    const problemCards = EQUIPMENT_PROBLEMS.map((p) => {
      const pcs = fmt.number(all.filter((r) => r.problems.includes(p)).length);
      const communes = t('in_n_communes', { n: fmt.number(communesWith(p)) });
      const link = html`<a href="/equipment?problem=${p}">${t(`problem_${p}`)}</a>`;
      return html`<div class="card">${link}<b>${pcs}</b><small>${communes}</small></div>`;
    });
    const body = html`<div class="cards">
<div class="card">${t('pcs')}<b>${fmt.number(all.length)}</b></div>
${problemCards}
</div>
<p class="legend">${t('equipment_explained')}</p>
${problem ? html`<p>${t('filtered_by', { what: t(`problem_${problem}`) })} — <a href="/equipment">${t('clear')}</a></p>` : ''}
${renderTable(ctx, table)}`;
    return { title: t('nav_equipment'), body, tables: [table] };
  });
}
