/**
 * One commune: "is it my network or the software?" — the path and services right now and over two
 * days, latency and loss over a week, incidents, uptime per service, the agents (last push, outbox
 * backlog) and, for the province's own staff, the PCs and equipment.
 */
import type { FastifyInstance } from 'fastify';
import { html, jsonScript } from '../html.js';
import { ALL_ROLES, registerPage, type PageDeps } from '../page.js';
import { renderTable, type TableSpec } from '../table.js';
import { serviceFilter } from '../../auth/scope.js';
import { ErrorCode, HttpError } from '../../errors.js';
import type { Incident } from '../../outages/incident.js';
import type { LiveTarget } from '../../metrics/live-state.js';
import type { AgentSummary } from '../../store/store.js';
import { COMMUNE_PATTERN } from '../../../protocol/wire.js';
import { countedIncidents, incidentColumns } from './incident-columns.js';
import { uptimeColumns } from './uptime-columns.js';
import { pcColumns } from './pc-columns.js';
import { stateBadge } from './overview.js';
import { fleetState } from '../views/fleet.js';
import { groupByTarget, latencyLossChart, timelineStrip } from '../views/timeline.js';
import { pcRows, type PcRow } from '../views/equipment.js';
import type { WebData } from '../web-data.js';

const DAY = 86_400_000;

export function communePage(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/communes/:code', ALL_ROLES, (ctx, request) => {
    const { t, fmt } = ctx;
    const code = data.units.canonical((request.params as { code: string }).code);
    if (!new RegExp(COMMUNE_PATTERN).test(code)) throw new HttpError(404, ErrorCode.NOT_FOUND, 'commune_not_found');
    const visible = serviceFilter(ctx.principal);
    // The network path is shown to vendors too: it is what tells them an outage was not theirs.
    const shown = (service: string) => service === 'network' || visible(service);
    const targets = [...data.live.values()].filter((x) => x.commune === code && shown(x.service));
    const agents =
      ctx.principal.role === 'vendor'
        ? []
        : data.store.listAgents().filter((a) => a.commune === code && a.revokedAt === null);
    if (targets.length === 0 && agents.length === 0 && !data.units.commune(code))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'commune_not_found');
    const unit = data.units.commune(code);
    const fleet = fleetState({ live: data.live, store: data.store, communes: [code] }, visible);
    const uptime = data.uptime({
      now: ctx.now,
      commune: code,
      ...(ctx.principal.services && { services: ctx.principal.services }),
    });
    const weekFrom = ctx.now - 7 * DAY;
    const histories = groupByTarget(
      data.store
        .rollups({ resolution: 'hour', commune: code, from: weekFrom, to: ctx.now })
        .filter((r) => shown(r.service)),
    );
    const chart = latencyLossChart(ctx, histories, weekFrom, ctx.now);

    const targetTable: TableSpec<LiveTarget> = {
      id: 'targets',
      file: `xa-${code}-dich`,
      sheet: 'targets_now',
      empty: 'no_results',
      pageSize: 100,
      rows: targets.sort(
        (a, b) => Number(b.service === 'network') - Number(a.service === 'network') || a.target.localeCompare(b.target),
      ),
      columns: [
        { head: 'target', value: (x) => x.target },
        { head: 'service', value: (x) => data.serviceName(x.service, ctx.lang) },
        { head: 'kind', value: (x) => x.kind },
        {
          head: 'status',
          value: (x) => (x.result.ok ? t('state_up') : t('failed')),
          show: (x) => stateBadge(ctx, x.result.ok ? 'up' : 'unconfirmed'),
        },
        { head: 'layer', value: (x) => (x.result.layer ? t(`layer_${x.result.layer}` as never) : '') },
        {
          head: 'latency',
          num: true,
          value: (x) => x.result.latencyMs ?? null,
          show: (x) => (x.result.latencyMs == null ? '—' : `${fmt.number(x.result.latencyMs, 1)} ms`),
        },
        { head: 'last_seen', value: (x) => fmt.dateTime(x.result.ts) },
        { head: 'error_code', value: (x) => x.result.error?.code ?? '' },
        { head: 'error', value: (x) => x.result.error?.message ?? '' },
      ],
    };
    const incidents: TableSpec<Incident> = {
      id: 'incidents',
      file: `xa-${code}-su-co`,
      sheet: 'nav_incidents',
      columns: incidentColumns(ctx, data),
      empty: 'no_incidents',
      pageSize: 50,
      // Commune-network and agent-silent incidents (no service) stay visible to vendors: they clear them.
      rows: countedIncidents(
        data.store.incidents.list({ from: ctx.now - 30 * DAY, to: ctx.now, commune: code, limit: 2000 }),
      ).filter((i) => i.service === null || visible(i.service)),
    };
    const uptimeTable: TableSpec<string> = {
      id: 'uptime',
      file: `xa-${code}-ty-le`,
      sheet: 'uptime_by_service',
      rows: [...uptime.byService.keys()].sort(),
      empty: 'no_rows',
      columns: [
        { head: 'service', value: (s) => data.serviceName(s, ctx.lang) },
        ...uptimeColumns<string>(ctx, (s) => uptime.byService.get(s), 'service'),
      ],
    };
    const agentTable: TableSpec<AgentSummary> = {
      id: 'agents',
      file: `xa-${code}-agent`,
      sheet: 'agents',
      rows: agents,
      empty: 'no_agents',
      columns: [
        { head: 'agent', value: (a) => a.name },
        { head: 'version', value: (a) => a.lastStatus?.version ?? '' },
        {
          head: 'last_push',
          value: (a) => fmt.dateTime(a.lastPushAt),
          show: (a) =>
            a.lastPushAt === null
              ? '—'
              : `${fmt.dateTime(a.lastPushAt)} (${t('ago', { d: fmt.duration(ctx.now - a.lastPushAt) })})`,
        },
        { head: 'outbox_pending', num: true, value: (a) => a.lastStatus?.outboxPending ?? null },
        { head: 'outbox_dropped', num: true, value: (a) => a.lastStatus?.outboxDroppedTotal ?? null },
        {
          head: 'clock_skew',
          num: true,
          value: (a) => (a.lastSkewMs === null ? null : Math.round(a.lastSkewMs / 1000)),
          show: (a) => (a.lastSkewMs === null ? '—' : `${fmt.number(a.lastSkewMs / 1000, 1)} s`),
        },
      ],
    };
    const pcTable: TableSpec<PcRow> = {
      id: 'pcs',
      file: `xa-${code}-may-tinh`,
      sheet: 'nav_equipment',
      columns: pcColumns(ctx, data).slice(1),
      rows: pcRows(data.live, code),
      empty: 'no_pcs',
    };
    const from48 = ctx.now - 2 * DAY;
    const place = unit ? html`${unit.district ? html`${unit.district.name} · ` : ''}${unit.province.name}` : '';
    const network = fleet.network(code);
    const serviceCards = fleet.services.map((s) => {
      const name = data.serviceName(s, ctx.lang);
      const state = stateBadge(ctx, fleet.cell(code, s));
      const uptimeD30 = fmt.percent(uptime.byService.get(s)?.d30.work.service);
      return html`<div class="card">${name}<b>${state}</b><small>${t('uptime_d30_work')}: ${uptimeD30}</small></div>`;
    });
    const timelineRows = histories.map((h) => {
      const head = html`${h.target}<br><small>${data.serviceName(h.service, ctx.lang)}</small>`;
      return html`<tr><th>${head}</th><td>${timelineStrip(ctx, h, from48, ctx.now)}</td></tr>`;
    });
    const staffOnly =
      ctx.principal.role === 'vendor'
        ? ''
        : html`<h2>${t('agents')}</h2>${renderTable(ctx, agentTable)}<h2>${t('pcs_equipment')}</h2>${renderTable(ctx, pcTable)}`;
    const body = html`
<p>${place} · ${t('network')}: ${stateBadge(ctx, network)} ${t(`state_${network}`)}</p>
<div class="cards">${serviceCards}</div>
<h2>${t('now')}</h2>${renderTable(ctx, targetTable)}
<h2>${t('timeline_48h')}</h2><p class="legend">${t('timeline_explained')}</p>
<div class="box"><table>${timelineRows}</table></div>
<h2>${t('latency_loss_7d')}</h2>
<div class="box"><div class="chart" data-chart="chart-latency"></div></div>${jsonScript('chart-latency', chart)}
<h2>${t('nav_incidents')} (30 ${t('days')})</h2>${renderTable(ctx, incidents)}
<h2>${t('uptime_by_service')}</h2>${renderTable(ctx, uptimeTable)}
${staffOnly}`;
    return {
      title: data.communeName(code),
      body,
      charts: true,
      tables: [targetTable, incidents, uptimeTable, ...(ctx.principal.role === 'vendor' ? [] : [agentTable, pcTable])],
    };
  });
}
