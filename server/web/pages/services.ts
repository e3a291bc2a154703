/**
 * Services: the list with uptime, and one service across communes — uptime per commune (worst first),
 * its incidents, the hour × weekday heatmaps of failures and latency, and TLS certificate expiry.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import { ALL_ROLES, registerPage, type PageDeps } from '../page.js';
import { renderTable, type TableSpec } from '../table.js';
import { serviceFilter } from '../../auth/scope.js';
import { ErrorCode, HttpError } from '../../errors.js';
import { loadUptimeSources, uptimeReport, type UptimeRow } from '../../outages/uptime-report.js';
import type { Incident } from '../../outages/incident.js';
import { heatmap } from '../views/heatmap.js';
import { countedIncidents, incidentColumns } from './incident-columns.js';
import { fleetState } from '../views/fleet.js';
import { exportPercent, uptimeColumns } from './uptime-columns.js';
import type { WebData } from '../web-data.js';
import { periodFields } from './period.js';
import type { PageContext } from '../context.js';
import { mayFetchBundle, mergeVendors } from '../../evidence/vendors.js';
import { bt } from '../../evidence/bundle-text.js';

const DAY = 86_400_000;

interface CertRow {
  target: string;
  expiresAt: number;
  communes: number;
}

export function servicePages(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/services', ALL_ROLES, (ctx) => {
    const { t } = ctx;
    const fleet = fleetState({ live: data.live, store: data.store }, serviceFilter(ctx.principal));
    const uptime = data.uptime({ now: ctx.now, ...(ctx.principal.services && { services: ctx.principal.services }) });
    const table: TableSpec<string> = {
      id: 'services',
      file: 'dich-vu',
      sheet: 'uptime_by_service',
      rows: fleet.services,
      empty: 'no_rows',
      columns: [
        {
          head: 'service',
          value: (s) => data.serviceName(s, ctx.lang),
          show: (s) => html`<a href="/services/${encodeURIComponent(s)}">${data.serviceName(s, ctx.lang)}</a>`,
        },
        { head: 'service_id', value: (s) => s },
        { head: 'open_incidents', num: true, value: (s) => fleet.open.filter((i) => i.service === s).length },
        ...uptimeColumns<string>(ctx, (s) => uptime.byService.get(s), 'service'),
      ],
    };
    return {
      title: t('nav_services'),
      body: html`<p class="legend">${t('uptime_explained')}</p>${renderTable(ctx, table)}`,
      tables: [table],
    };
  });

  registerPage(app, deps, '/services/:service', ALL_ROLES, (ctx, request) => {
    const { t, fmt } = ctx;
    const service = (request.params as { service: string }).service;
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(service) || !serviceFilter(ctx.principal)(service))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'service_not_found');
    const from = ctx.now - 30 * DAY;
    const sources = loadUptimeSources(data.store, { from, to: ctx.now });
    const all = uptimeReport(data, { from, to: ctx.now, service, workingHours: false }, sources).rows;
    const work = new Map(
      uptimeReport(data, { from, to: ctx.now, service, workingHours: true }, sources).rows.map((r) => [r.commune, r]),
    );
    const rows = all.sort(
      (a, b) =>
        (work.get(a.commune)?.serviceUptime ?? 1) - (work.get(b.commune)?.serviceUptime ?? 1) ||
        a.commune.localeCompare(b.commune),
    );

    const uptimeTable: TableSpec<UptimeRow> = {
      id: 'uptime',
      file: `ty-le-san-sang-${service}`,
      sheet: 'uptime_by_commune',
      rows,
      empty: 'no_rows',
      pageSize: 100,
      columns: [
        {
          head: 'commune',
          value: (r) => r.commune,
          show: (r) => html`<a href="/communes/${encodeURIComponent(r.commune)}">${data.communeName(r.commune)}</a>`,
        },
        {
          head: 'uptime_d30_work',
          num: true,
          value: (r) => exportPercent(work.get(r.commune)?.serviceUptime),
          show: (r) => fmt.percent(work.get(r.commune)?.serviceUptime),
        },
        {
          head: 'uptime_d30_all',
          num: true,
          value: (r) => exportPercent(r.serviceUptime),
          show: (r) => fmt.percent(r.serviceUptime),
        },
        {
          head: 'service_down_work',
          num: true,
          value: (r) => Math.round((work.get(r.commune)?.serviceDownMs ?? 0) / 60_000),
          show: (r) => fmt.duration(work.get(r.commune)?.serviceDownMs ?? 0),
        },
        {
          head: 'network_down',
          num: true,
          value: (r) => Math.round(r.networkDownMs / 60_000),
          show: (r) => fmt.duration(r.networkDownMs),
        },
      ],
    };
    const incidents: TableSpec<Incident> = {
      id: 'incidents',
      file: `su-co-${service}`,
      sheet: 'nav_incidents',
      columns: incidentColumns(ctx, data),
      empty: 'no_incidents',
      pageSize: 50,
      rows: countedIncidents(data.store.incidents.list({ from, to: ctx.now, service, limit: 2000 })),
    };
    const certs = new Map<string, CertRow>();
    for (const lt of data.live.values()) {
      const exp = lt.service === service ? lt.result.http?.certExpiresAt : undefined;
      if (exp === undefined) continue;
      const c = certs.get(lt.target);
      if (!c) certs.set(lt.target, { target: lt.target, expiresAt: exp, communes: 1 });
      else {
        c.expiresAt = Math.min(c.expiresAt, exp);
        c.communes++;
      }
    }
    const certTable: TableSpec<CertRow> = {
      id: 'tls',
      file: `chung-thu-${service}`,
      sheet: 'tls_expiry',
      rows: [...certs.values()].sort((a, b) => a.expiresAt - b.expiresAt),
      empty: 'no_tls',
      columns: [
        { head: 'target', value: (c) => c.target },
        { head: 'expires', value: (c) => fmt.dateTime(c.expiresAt) },
        {
          head: 'days_left',
          num: true,
          value: (c) => Math.floor((c.expiresAt - ctx.now) / DAY),
          show: (c) => {
            const tone = c.expiresAt - ctx.now < 14 * DAY ? 'sev-down' : '';
            return html`<span class="${tone}">${fmt.number(Math.floor((c.expiresAt - ctx.now) / DAY))}</span>`;
          },
        },
        { head: 'communes', num: true, value: (c) => c.communes },
      ],
    };
    const profile = data.store.hourOfDayProfile({ service, from, to: ctx.now });
    const body = html`${bundleForms(ctx, data, service, from)}
<h2>${t('heat_title')}</h2><p class="legend">${t('heat_explained')}</p>
<h3>${t('heat_failures')}</h3>${heatmap(ctx, profile, 'failures')}
<h3>${t('heat_latency')}</h3>${heatmap(ctx, profile, 'latency')}
<h2>${t('uptime_by_commune')}</h2>${renderTable(ctx, uptimeTable)}
<h2>${t('nav_incidents')}</h2>${renderTable(ctx, incidents)}
<h2>${t('tls_expiry')}</h2>${renderTable(ctx, certTable)}`;
    return { title: data.serviceName(service, ctx.lang), body, tables: [uptimeTable, incidents, certTable] };
  });
}

/**
 * "Tải hồ sơ bằng chứng": for each vendor running this service that the caller may see (evidence/vendors.ts
 * mayFetchBundle: admins and the vendor itself), a GET form to the bundle API with the period's dates.
 */
function bundleForms(ctx: PageContext, data: WebData, service: string, from: number) {
  const lang = ctx.lang === 'en' ? 'en' : 'vi';
  const vendors = mergeVendors({ dossiers: data.dossiers }).filter(
    (v) => v.services.includes(service) && mayFetchBundle(ctx.principal, v),
  );
  return vendors.map(
    (
      v,
    ) => html`<form class="no-print bundle-download" method="get" action="/api/v1/reports/vendor/${encodeURIComponent(v.id)}">
<p class="legend">${bt(lang, 'download_bundle_of', { vendor: v.name })}</p>
${periodFields(ctx, from, ctx.now)}
<button class="primary" type="submit">${bt(lang, 'download_bundle')}</button></form>`,
  );
}
