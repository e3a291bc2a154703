/**
 * Dossiers: overdue counts and verdicts (outage / partly / not / idle online) per commune, service and
 * vendor, the overdue dossiers themselves, and one dossier with the incidents behind its verdict. The
 * service and vendor tables are charged figures: each dossier with only that service's share of its outage.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import type { PageContext } from '../context.js';
import { registerPage, type PageDeps } from '../page.js';
import { renderTable, type Column, type TableSpec } from '../table.js';
import { attributeDossiers, type AttributedDossier, type Summary } from '../../dossiers/attribution-report.js';
import { ErrorCode, HttpError } from '../../errors.js';
import { parsePeriod, periodFields } from './period.js';
import { exportPercent } from './uptime-columns.js';
import { causeKey } from '../../outages/incident.js';
import type { WebData } from '../web-data.js';
import { dossierText } from './dossiers-i18n.js';

const VERDICTS = ['late', 'outage', 'partly-outage', 'not-outage', 'idle-online', 'on-time'] as const;
type VerdictFilter = (typeof VERDICTS)[number];

function summaryColumns(ctx: PageContext, head: Column<Summary>): Array<Column<Summary>> {
  const { fmt } = ctx;
  return [
    head,
    { head: 'dossiers', num: true, value: (s) => s.dossiers },
    { head: 'overdue', num: true, value: (s) => s.overdue },
    { head: 'verdict_outage', num: true, value: (s) => s.outage },
    { head: 'verdict_partly-outage', num: true, value: (s) => s.partlyOutage },
    { head: 'verdict_not-outage', num: true, value: (s) => s.notOutage },
    { head: 'idle_online', num: true, value: (s) => s.idleOnline },
    {
      head: 'outage_share',
      num: true,
      value: (s) => exportPercent(s.outageShare),
      show: (s) => fmt.percent(s.outageShare, 1),
    },
    {
      head: 'outage_hours',
      num: true,
      value: (s) => Math.round(s.outageHours * 100) / 100,
      show: (s) => fmt.number(s.outageHours, 1),
    },
  ];
}

/** Registers /dossiers (summaries and the list) and /dossiers/view (one dossier); admins and viewers only. */
export function dossierPages(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  const attribution = { store: data.store, calendars: data.calendars, config: data.dossiers };

  registerPage(app, deps, '/dossiers', ['admin', 'viewer'], (ctx) => {
    const { t, fmt } = ctx;
    const { from, to } = parsePeriod(ctx, 30);
    const commune = ctx.query.get('commune') || undefined;
    const verdictParam = ctx.query.get('verdict') as VerdictFilter | null;
    const verdict = verdictParam && VERDICTS.includes(verdictParam) ? verdictParam : 'late';
    // Summaries cover every dossier due in the period; the verdict filter picks the list below them.
    const opening = !ctx.query.get('from') && !ctx.query.get('to') && !commune;
    const cached = opening ? data.recentDossiers(ctx.now, verdict) : undefined;
    const report =
      cached?.value ??
      attributeDossiers(attribution, { from, to, commune, listVerdict: verdict, now: ctx.now, limit: 5000 });
    const link = (s: Summary) => {
      const query = new URLSearchParams({ ...Object.fromEntries(ctx.query), commune: s.key });
      return html`<a href="/dossiers?${query.toString()}">${data.communeName(s.key)}</a>`;
    };
    const byCommune: TableSpec<Summary> = {
      id: 'communes',
      file: 'ho-so-theo-xa',
      sheet: 'by_commune',
      rows: report.byCommune,
      empty: 'no_dossiers',
      pageSize: 100,
      columns: summaryColumns(ctx, { head: 'commune', value: (s) => s.key, show: link }),
    };
    const byService: TableSpec<Summary> = {
      id: 'services',
      file: 'ho-so-theo-dich-vu',
      sheet: 'by_service',
      rows: report.byService,
      empty: 'no_dossiers',
      columns: summaryColumns(ctx, { head: 'service', value: (s) => data.serviceName(s.key, ctx.lang) }),
    };
    const byVendor: TableSpec<Summary> = {
      id: 'vendors',
      file: 'ho-so-theo-nha-cung-cap',
      sheet: 'by_vendor',
      rows: report.byVendor,
      empty: 'no_dossiers',
      columns: summaryColumns(ctx, {
        head: 'vendor',
        value: (s) => s.key,
        show: (s) => html`<span title="${s.vendorId ?? ''}">${s.key}</span>`,
      }),
    };
    const list: TableSpec<AttributedDossier> = {
      id: 'dossiers',
      file: 'ho-so',
      sheet: 'nav_dossiers',
      rows: report.dossiers,
      empty: 'no_dossiers',
      pageSize: 100,
      columns: [
        {
          head: 'dossier',
          value: (d) => d.code,
          show: (d) => {
            const query = new URLSearchParams({
              source: d.source,
              code: d.code,
              commune: d.commune,
              due: String(d.dueAt),
            });
            return html`<a href="/dossiers/view?${query.toString()}">${d.code}</a>`;
          },
        },
        { head: 'commune', value: (d) => d.commune },
        { head: 'procedure', value: (d) => d.procedureName ?? d.procedureCode ?? '' },
        { head: 'field', value: (d) => d.field ?? d.fieldName },
        { head: 'due', value: (d) => fmt.dateTime(d.dueAt) },
        { head: 'finished', value: (d) => (d.finishedAt === null ? t('open') : fmt.dateTime(d.finishedAt)) },
        {
          head: 'late_hours',
          num: true,
          value: (d) => Math.round((d.lateMs / 3_600_000) * 100) / 100,
          show: (d) => fmt.duration(d.lateMs),
        },
        {
          head: 'verdict',
          value: (d) => t(`verdict_${d.verdict}`),
          show: (d) => {
            const tone = d.verdict === 'outage' ? 'sev-down' : d.verdict === 'partly-outage' ? 'sev-degraded' : '';
            return html`<span class="${tone}">${t(`verdict_${d.verdict}`)}</span>`;
          },
        },
        {
          head: 'outage_hours',
          num: true,
          value: (d) => Math.round((d.outageMs / 3_600_000) * 100) / 100,
          show: (d) => fmt.duration(d.outageMs),
        },
        {
          head: 'incidents',
          value: (d) => d.incidentIds.join(' '),
          show: (d) =>
            html`${d.incidentIds.map((id, i) => html`${i ? ' ' : ''}<a href="/incidents/${id}">#${id}</a>`)}`,
        },
        { head: 'idle_online', value: (d) => (d.idleOnline ? 'x' : ''), show: (d) => (d.idleOnline ? t('yes') : '') },
      ],
    };
    const total = report.total;
    const verdictOptions = VERDICTS.map(
      (v) => html`<option value="${v}"${v === verdict ? html` selected` : ''}>${t(`verdict_filter_${v}`)}</option>`,
    );
    const body = html`<form class="filters" method="get" action="/dossiers">
${periodFields(ctx, from, to)}
<label>${t('commune')}<input name="commune" value="${commune ?? ''}" size="8"></label>
<label>${t('verdict')}<select name="verdict">${verdictOptions}</select></label>
<button class="primary">${t('filter')}</button></form>
<p class="legend">${t('dossiers_explained')}${cached ? html` ${t('figures_as_of', { time: fmt.dateTime(cached.at) })}` : ''}</p>
<div class="cards">
<div class="card">${t('dossiers_due')}<b>${fmt.number(total.dossiers)}</b></div>
<div class="card">${t('overdue')}<b>${fmt.number(total.overdue)}</b></div>
<div class="card">${t('verdict_outage')}<b>${fmt.number(total.outage)}</b></div>
<div class="card">${t('verdict_partly-outage')}<b>${fmt.number(total.partlyOutage)}</b></div>
<div class="card">${t('verdict_not-outage')}<b>${fmt.number(total.notOutage)}</b></div>
<div class="card">${t('idle_online')}<b>${fmt.number(total.idleOnline)}</b></div>
<div class="card">${t('outage_share')}<b>${fmt.percent(total.outageShare, 1)}</b></div>
</div>
<h2>${t('by_commune')}</h2>${renderTable(ctx, byCommune)}
<h2>${t('by_service')}</h2><p class="legend">${dossierText(ctx.lang, 'charged_explained')}</p>${renderTable(ctx, byService)}
<h2>${t('by_vendor')}</h2>${renderTable(ctx, byVendor)}
<h2>${t('dossier_list', { verdict: t(`verdict_filter_${verdict}`) })}</h2>${renderTable(ctx, list)}`;
    return { title: t('nav_dossiers'), body, tables: [byCommune, byService, byVendor, list] };
  });

  registerPage(app, deps, '/dossiers/view', ['admin', 'viewer'], (ctx) => {
    const { t, fmt } = ctx;
    const due = Number(ctx.query.get('due'));
    const code = ctx.query.get('code') ?? '';
    const source = ctx.query.get('source') ?? '';
    const commune = ctx.query.get('commune') ?? '';
    const found = Number.isFinite(due)
      ? attributeDossiers(attribution, { from: due, to: due + 1, commune, now: ctx.now, limit: 100_000 }).dossiers.find(
          (d) => d.code === code && d.source === source,
        )
      : undefined;
    if (!found) throw new HttpError(404, ErrorCode.NOT_FOUND, 'dossier_not_found');
    const d = found;
    const incidents = d.incidentIds.map((id) => data.store.incidents.get(id)).filter((i) => i !== undefined);
    const row = (k: Parameters<typeof t>[0], v: unknown) => html`<tr><th>${t(k)}</th><td>${v as string}</td></tr>`;
    const procedure = `${d.procedureCode ?? ''} ${d.procedureName ?? ''}`;
    const field = d.field ?? d.fieldName;
    const received = fmt.dateTime(d.receivedAt);
    const finished = d.finishedAt === null ? t('open') : fmt.dateTime(d.finishedAt);
    // Each service's share: the commune network's moments are its own; otherwise the services down together
    // shared the time equally (attribution.ts).
    const split = Object.entries(d.outageByService)
      .sort(([, a], [, b]) => b - a)
      .map(([s, ms]) => `${s === 'network' ? t('network') : data.serviceName(s, ctx.lang)} ${fmt.duration(ms)}`)
      .join(', ');
    const incidentHeads = (['incident', 'cause', 'service', 'started', 'ended'] as const).map(
      (k) => html`<th>${t(k)}</th>`,
    );
    const incidentRows =
      incidents.length === 0
        ? html`<tr><td colspan="5">${t('no_incidents')}</td></tr>`
        : incidents.map((i) => {
            const link = html`<a href="/incidents/${i.id}">#${i.id}</a>`;
            const service = i.service ? data.serviceName(i.service, ctx.lang) : t('network');
            const started = fmt.dateTime(i.startedAt);
            const ended = i.endedAt === null ? t('ongoing') : fmt.dateTime(i.endedAt);
            return html`<tr><td>${link}</td><td>${t(causeKey(i))}</td><td>${service}</td><td>${started}</td><td>${ended}</td></tr>`;
          });
    const body = html`<div class="box"><table>
${row('source', d.source)}${row('commune', data.communeName(d.commune))}${row('procedure', procedure)}${row('field', field)}
${row('channel', d.channel ?? '')}${row('received', received)}${row('due', fmt.dateTime(d.dueAt))}${row('finished', finished)}
${row('status', d.status ?? '')}${row('services_used', d.services.map((s) => data.serviceName(s, ctx.lang)).join(', '))}
${row('late_hours', fmt.duration(d.lateMs))}${row('outage_hours', fmt.duration(d.outageMs))}
<tr><th>${dossierText(ctx.lang, 'outage_by_service')}</th><td>${split}</td></tr>
<tr><th>${t('verdict')}</th><td><b>${t(`verdict_${d.verdict}`)}</b> — ${t(`verdict_explained_${d.verdict}`)}</td></tr>
${row('idle_online', d.idleOnline ? t('yes') : t('no'))}
</table></div>
<h2>${t('incidents_behind')}</h2>
<div class="box"><table><thead><tr>${incidentHeads}</tr></thead><tbody>
${incidentRows}
</tbody></table></div>`;
    return { title: `${t('dossier')} ${d.code}`, body };
  });
}
