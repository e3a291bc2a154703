/**
 * Overview: what is broken now (open incidents, worst first), then every commune × service coloured by
 * state, with uptime today / 7 d / 30 d round the clock and in working hours, per service and per commune.
 */
import type { FastifyInstance } from 'fastify';
import { html, type Html } from '../html.js';
import type { PageContext } from '../context.js';
import { withQuery } from '../context.js';
import { ALL_ROLES, registerPage, type PageDeps } from '../page.js';
import { renderTable, type Column, type TableSpec } from '../table.js';
import { fleetState, STATE_RANK, type CellState, type Fleet } from '../views/fleet.js';
import { exportPercent, uptimeColumns } from './uptime-columns.js';
import { incidentColumns } from './incident-columns.js';
import { serviceFilter } from '../../auth/scope.js';
import { foldVietnamese } from '../../../common/text.js';
import type { WebData } from '../web-data.js';

export function stateBadge(ctx: PageContext, s: CellState): Html {
  return html`<span class="s s-${s}" title="${ctx.t(`state_${s}`)}">${ctx.t(`state_short_${s}`)}</span>`;
}

export function overviewPage(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/', ALL_ROLES, (ctx) => {
    const { t } = ctx;
    const visible = serviceFilter(ctx.principal);
    const fleet = fleetState(
      { live: data.live, store: data.store, communes: data.units.all().map((u) => u.code) },
      visible,
    );
    const uptime = data.uptime({ now: ctx.now, ...(ctx.principal.services && { services: ctx.principal.services }) });
    const communes = filterCommunes(ctx, fleet, data);

    const openTable: TableSpec<(typeof fleet.open)[number]> = {
      id: 'open',
      file: 'su-co-dang-mo',
      sheet: 'open_incidents',
      columns: incidentColumns(ctx, data),
      rows: fleet.open,
      empty: 'no_open_incidents',
      pageSize: 50,
    };
    const serviceTable: TableSpec<string> = {
      id: 'services',
      file: 'ty-le-san-sang-dich-vu',
      sheet: 'uptime_by_service',
      rows: fleet.services,
      columns: [
        {
          head: 'service',
          value: (s) => s,
          show: (s) => html`<a href="/services/${encodeURIComponent(s)}">${data.serviceName(s, ctx.lang)}</a>`,
        },
        ...uptimeColumns<string>(ctx, (s) => uptime.byService.get(s), 'service'),
      ],
    };
    const gridColumns: Array<Column<string>> = [
      {
        head: 'commune',
        value: (c) => c,
        show: (c) => html`<a href="/communes/${encodeURIComponent(c)}">${data.communeName(c)}</a>`,
      },
      { head: 'network', value: (c) => t(`state_${fleet.network(c)}`), show: (c) => stateBadge(ctx, fleet.network(c)) },
      ...fleet.services.map(
        (s): Column<string> => ({
          head: 'service',
          label: data.serviceName(s, ctx.lang),
          vertical: true,
          value: (c) => t(`state_${fleet.cell(c, s)}`),
          show: (c) => stateBadge(ctx, fleet.cell(c, s)),
        }),
      ),
      {
        head: 'uptime_d30_work',
        num: true,
        value: (c) => exportPercent(uptime.byCommune.get(c)?.d30.work.service),
        show: (c) => ctx.fmt.percent(uptime.byCommune.get(c)?.d30.work.service),
      },
      {
        head: 'network_uptime_d30',
        num: true,
        value: (c) => exportPercent(uptime.byCommune.get(c)?.d30.all.network),
        show: (c) => ctx.fmt.percent(uptime.byCommune.get(c)?.d30.all.network),
      },
    ];
    const gridTable: TableSpec<string> = {
      id: 'grid',
      file: 'trang-thai-xa-dich-vu',
      sheet: 'grid_title',
      rows: communes,
      columns: gridColumns,
      pageSize: 100,
      className: 'grid',
      empty: 'no_communes',
    };
    const problems = fleet.communes.filter((c) => STATE_RANK[fleet.worst(c)] <= STATE_RANK.unconfirmed).length;

    const legend = (['up', 'unconfirmed', 'degraded', 'down', 'network', 'silent', 'none'] as const).map(
      (s) => html`${stateBadge(ctx, s)} ${t(`state_${s}`)} &nbsp; `,
    );
    const body = html`
<div class="cards">
<div class="card">${t('open_incidents')}<b>${ctx.fmt.number(fleet.open.length)}</b></div>
<div class="card">${t('communes_with_problems')}<b>${ctx.fmt.number(problems)} / ${ctx.fmt.number(fleet.communes.length)}</b></div>
<div class="card">${t('uptime_today_work')}<b>${ctx.fmt.percent(uptime.total.today.work.service)}</b></div>
<div class="card">${t('uptime_d30_work')}<b>${ctx.fmt.percent(uptime.total.d30.work.service)}</b></div>
<div class="card">${t('network_uptime_d30')}<b>${ctx.fmt.percent(uptime.total.d30.all.network)}</b></div>
</div>
<h2>${t('open_incidents')}</h2>
${renderTable(ctx, openTable)}
<h2>${t('uptime_by_service')}</h2>
<p class="legend">${t('uptime_explained')}</p>
${renderTable(ctx, serviceTable)}
<h2>${t('grid_title')}</h2>
${gridFilters(ctx, data)}
<p class="legend">${legend}</p>
${renderTable(ctx, gridTable)}`;
    return { title: t('nav_overview'), body, tables: [openTable, serviceTable, gridTable] };
  });
}

function filterCommunes(ctx: PageContext, fleet: Fleet, data: WebData): string[] {
  const q = foldVietnamese(ctx.query.get('q') ?? '').trim();
  const area = ctx.query.get('area') ?? '';
  const onlyProblems = ctx.query.get('problems') === '1';
  return fleet.communes
    .filter((c) => {
      if (q && !c.includes(q) && !foldVietnamese(data.communeName(c)).includes(q)) return false;
      if (area) {
        const u = data.units.commune(c);
        if (!u || (u.province.code !== area && u.district?.code !== area)) return false;
      }
      return !onlyProblems || STATE_RANK[fleet.worst(c)] <= STATE_RANK.unconfirmed;
    })
    .sort((a, b) => STATE_RANK[fleet.worst(a)] - STATE_RANK[fleet.worst(b)] || a.localeCompare(b));
}

function gridFilters(ctx: PageContext, data: WebData): Html {
  const { t } = ctx;
  const areas = data.areas();
  const areaOptions = areas.map(
    (a) => html`<option value="${a.code}"${ctx.query.get('area') === a.code ? html` selected` : ''}>${a.name}</option>`,
  );
  const areaField =
    areas.length > 0
      ? html`<label>${t('area')}<select name="area"><option value="">${t('all')}</option>${areaOptions}</select></label>`
      : '';
  const problemsChecked = ctx.query.get('problems') === '1' ? html` checked` : '';
  const clearHref = withQuery({ path: '/', query: new URLSearchParams() }, {});
  return html`<form class="filters" method="get" action="/">
<label>${t('search_commune')}<input name="q" value="${ctx.query.get('q') ?? ''}"></label>
${areaField}
<label><span><input type="checkbox" name="problems" value="1"${problemsChecked}> ${t('only_problems')}</span></label>
<button class="primary">${t('filter')}</button> <a href="${clearHref}">${t('clear')}</a></form>`;
}
