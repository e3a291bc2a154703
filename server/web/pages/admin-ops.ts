/**
 * Admin operations: maintenance windows and silences, calendar day rules, and a read-only view of the
 * file-based configuration (communes, services, receivers) with where to change it. The receivers' channels
 * are listed from the notifier registry, so a new channel shows here without a change.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import { registerAction, registerPage, type PageDeps } from '../page.js';
import { renderTable, type TableSpec } from '../table.js';
import { createSilence } from '../../alerts/silence-service.js';
import type { Silence } from '../../alerts/silences.js';
import type { AlertConfig, Receiver } from '../../alerts/alert-config.js';
import type { Matchers } from '../../alerts/config-parts.js';
import { CHANNELS, notifiers } from '../../alerts/notifiers/index.js';
import type { ScopedDayRule } from '../../store/calendar-store.js';
import type { CommuneUnit } from '../../org/units.js';
import { parseLocalTime } from '../../../common/local-time.js';
import { ErrorCode, HttpError } from '../../errors.js';
import { bad, csrfField } from './admin-form.js';
import { parseServiceList } from '../../auth/role-input.js';
import type { WebData } from '../web-data.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function adminOpsPages(app: FastifyInstance, deps: PageDeps, data: WebData, alerts: AlertConfig): void {
  const { store } = data;
  const admin = ['admin'] as const;

  registerPage(app, deps, '/admin/maintenance', admin, (ctx) => {
    const { t, fmt } = ctx;
    const table: TableSpec<Silence> = {
      id: 'silences',
      file: 'bao-tri',
      sheet: 'admin_maintenance',
      rows: store.alerts.silences(ctx.now),
      empty: 'no_rows',
      columns: [
        { head: 'kind', value: (s) => t(`silence_${s.kind}`) },
        {
          head: 'applies_to',
          value: (s) =>
            Object.entries(s.matchers)
              .map(([k, v]) => `${k}=${v.join('|')}`)
              .join('; '),
        },
        { head: 'from', value: (s) => fmt.dateTime(s.startsAt) },
        { head: 'to', value: (s) => fmt.dateTime(s.endsAt) },
        { head: 'comment', value: (s) => s.comment },
        { head: 'created_by', value: (s) => s.createdBy },
        {
          head: 'actions',
          value: () => null,
          show: (s) => {
            const button = html`<button class="danger">${t('delete')}</button>`;
            return html`<form method="post" action="/admin/maintenance/${s.id}/delete">${csrfField(ctx)}${button}</form>`;
          },
        },
      ],
    };
    const kindOptions = [
      html`<option value="maintenance">${t('silence_maintenance')}</option>`,
      html`<option value="silence">${t('silence_silence')}</option>`,
    ];
    const body = html`<p class="legend">${t('maintenance_explained')}</p>${renderTable(ctx, table)}
<h2>${t('add_maintenance')}</h2>
<form class="filters" method="post" action="/admin/maintenance">${csrfField(ctx)}
<label>${t('kind')}<select name="kind">${kindOptions}</select></label>
<label>${t('communes_list')}<input name="communes" placeholder="26734 26737"></label>
<label>${t('services_list')}<input name="services" placeholder="e-signing"></label>
<label>${t('from')}<input name="startsAt" type="datetime-local" required></label>
<label>${t('to')}<input name="endsAt" type="datetime-local" required></label>
<label>${t('comment')}<input name="comment" required maxlength="1000"></label>
<button class="primary">${t('add')}</button></form>`;
    return { title: t('admin_maintenance'), body, tables: [table] };
  });

  registerAction<{
    kind?: string;
    communes?: string;
    services?: string;
    startsAt?: string;
    endsAt?: string;
    comment?: string;
  }>(app, '/admin/maintenance', admin, (request, body) => {
    const matchers: Matchers = {};
    const communes = (body.communes ?? '')
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((c) => data.units.canonical(c));
    if (communes.length > 0) matchers.commune = communes;
    let services: string[] | undefined;
    try {
      services = parseServiceList(body.services);
    } catch (err) {
      throw bad((err as Error).message);
    }
    if (services) matchers.service = services;
    const time = (v: string | undefined, what: string) => {
      const ms = v ? parseLocalTime(v.replace('T', ' '), deps.offsetMin) : undefined;
      if (ms === undefined) throw bad(`${what}: give a date and time`);
      return ms;
    };
    const kind = body.kind === 'silence' ? 'silence' : 'maintenance';
    createSilence(
      store,
      {
        kind,
        matchers,
        startsAt: time(body.startsAt, 'from'),
        endsAt: time(body.endsAt, 'to'),
        comment: (body.comment ?? '').trim() || '-',
      },
      request.principal!.name,
      deps.now(),
    );
    return '/admin/maintenance';
  });

  registerAction(app, '/admin/maintenance/:id/delete', admin, (request) => {
    if (!store.alerts.deleteSilence(Number((request.params as { id: string }).id), request.principal!.name, deps.now()))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such active window');
    return '/admin/maintenance';
  });

  registerPage(app, deps, '/admin/calendar', admin, (ctx) => {
    const { t } = ctx;
    const year = new Date(ctx.now + ctx.offsetMin * 60_000).getUTCFullYear();
    const rows = store.calendar.days(store.calendar.scopes(), { from: `${year}-01-01`, to: `${year + 1}-12-31` });
    const table: TableSpec<ScopedDayRule> = {
      id: 'days',
      file: 'lich-lam-viec',
      sheet: 'admin_calendar',
      rows,
      empty: 'no_rows',
      pageSize: 100,
      columns: [
        { head: 'date', value: (d) => d.date.split('-').reverse().join('/') },
        { head: 'scope', value: (d) => d.scope || t('national') },
        { head: 'kind', value: (d) => t(`day_${d.kind}`) },
        { head: 'name', value: (d) => d.name },
        { head: 'source_doc', value: (d) => `${d.source ?? ''}${d.provisional ? ` (${t('provisional')})` : ''}` },
        { head: 'updated_by', value: (d) => d.updatedBy },
        {
          head: 'actions',
          value: () => null,
          show: (d) => {
            const fields = [
              csrfField(ctx),
              html`<input type="hidden" name="scope" value="${d.scope}">`,
              html`<input type="hidden" name="date" value="${d.date}">`,
            ];
            return html`<form method="post" action="/admin/calendar/delete">${fields}<button class="danger">${t('delete')}</button></form>`;
          },
        },
      ],
    };
    const kindOptions = [
      html`<option value="off">${t('day_off')}</option>`,
      html`<option value="work">${t('day_work')}</option>`,
    ];
    const body = html`<p class="legend">${t('calendar_explained')}</p>${renderTable(ctx, table)}
<h2>${t('add_day')}</h2>
<form class="filters" method="post" action="/admin/calendar">${csrfField(ctx)}
<label>${t('date')}<input name="date" type="date" required></label>
<label>${t('kind')}<select name="kind">${kindOptions}</select></label>
<label>${t('name')}<input name="name" required maxlength="200"></label>
<label>${t('commune_optional')}<input name="commune" size="8"></label>
<label>${t('source_doc')}<input name="source" maxlength="200"></label>
<button class="primary">${t('add')}</button></form>`;
    return { title: t('admin_calendar'), body, tables: [table] };
  });

  registerAction<{ date?: string; kind?: string; name?: string; commune?: string; source?: string }>(
    app,
    '/admin/calendar',
    admin,
    (request, body) => {
      const date = body.date ?? '';
      if (!DATE.test(date) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date)
        throw bad('date must be a real day');
      if (body.kind !== 'off' && body.kind !== 'work') throw bad('kind must be off or work');
      const name = (body.name ?? '').trim();
      if (!name) throw bad('a day rule needs a name (e.g. the holiday or the swap notice)');
      const commune = (body.commune ?? '').trim();
      store.calendar.setDay(
        commune ? `c:${data.units.canonical(commune)}` : '',
        { date, kind: body.kind, name, ...(body.source?.trim() && { source: body.source.trim() }) },
        request.principal!.name,
        deps.now(),
      );
      return '/admin/calendar';
    },
  );

  registerAction<{ scope?: string; date?: string }>(app, '/admin/calendar/delete', admin, (request, body) => {
    if (!store.calendar.deleteDay(body.scope ?? '', body.date ?? '', request.principal!.name, deps.now()))
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'no such day rule');
    return '/admin/calendar';
  });

  registerPage(app, deps, '/admin/config', admin, (ctx) => {
    const { t } = ctx;
    const units: TableSpec<CommuneUnit> = {
      id: 'communes',
      file: 'don-vi',
      sheet: 'communes',
      rows: data.units.all(),
      empty: 'no_units_file',
      pageSize: 200,
      columns: [
        { head: 'code', value: (u) => u.code },
        { head: 'name', value: (u) => u.name },
        { head: 'district', value: (u) => u.district?.name ?? '' },
        { head: 'province', value: (u) => u.province.name },
      ],
    };
    const probed = new Map<string, Set<string>>();
    for (const p of store.incidents.communeServices()) {
      if (!probed.has(p.service)) probed.set(p.service, new Set());
      probed.get(p.service)!.add(p.commune);
    }
    const services: TableSpec<[string, Set<string>]> = {
      id: 'services',
      file: 'dich-vu',
      sheet: 'services',
      rows: [...probed].sort((a, b) => a[0].localeCompare(b[0])),
      empty: 'no_rows',
      columns: [
        { head: 'service_id', value: ([s]) => s },
        { head: 'service', value: ([s]) => data.serviceName(s, ctx.lang) },
        { head: 'communes', num: true, value: ([, c]) => c.size },
      ],
    };
    // Receivers without their secrets: names, channels (as the notifier registry names them) and how many
    // targets each.
    const receivers: TableSpec<Receiver> = {
      id: 'receivers',
      file: 'noi-nhan-canh-bao',
      sheet: 'receivers',
      rows: alerts.receivers,
      empty: 'no_receivers',
      columns: [
        { head: 'name', value: (r) => r.name },
        {
          head: 'channels',
          value: (r) =>
            CHANNELS.filter((c) => r[c]?.length)
              .map((c) => `${notifiers[c].label[ctx.lang]} × ${r[c]!.length}`)
              .join(', '),
        },
        { head: 'language', value: (r) => r.language ?? alerts.language },
      ],
    };
    const body = html`<p class="note">${t('config_files_explained')}</p>
<h2>${t('communes')}</h2>${renderTable(ctx, units)}
<h2>${t('services')}</h2>${renderTable(ctx, services)}
<h2>${t('receivers')}</h2>${renderTable(ctx, receivers)}`;
    return { title: t('admin_config'), body, tables: [units, services, receivers] };
  });
}
