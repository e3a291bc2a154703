/**
 * Incidents: the list (filters by period, commune, service, cause, open) and one incident with its
 * evidence results, the communes it touched, its history in words, the notifications sent about it and the
 * vendor's acknowledgements and replies. Admins acknowledge for the province; an admin or the vendor of the
 * service acknowledges and replies from here. The incident record (biên bản) is its own page.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../html.js';
import type { PageContext } from '../context.js';
import { ALL_ROLES, registerAction, registerPage, type PageDeps } from '../page.js';
import { renderTable, type TableSpec } from '../table.js';
import { countedIncidents, incidentColumns, incidentPlaces } from './incident-columns.js';
import {
  causeExplainedKey,
  causeKey,
  INCIDENT_CAUSES,
  type EvidenceRow,
  type Incident,
  type IncidentCause,
  type IncidentEvent,
} from '../../outages/incident.js';
import { serviceFilter } from '../../auth/scope.js';
import { acknowledgeIncident, MAX_REPLY_CHARS, replyToIncident } from '../../outages/manual-incidents.js';
import { describeEvent } from '../../evidence/incident-record-events.js';
import type { IncidentReply } from '../../store/incident-store.js';
import { incidentRecordPage } from './incident-record.js';
import { ErrorCode, HttpError } from '../../errors.js';
import type { NotificationRow } from '../../store/alert-store.js';
import type { WebData } from '../web-data.js';
import { parsePeriod, periodFields } from './period.js';

export function incidentPages(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/incidents', ALL_ROLES, (ctx) => {
    const { t } = ctx;
    const { from, to } = parsePeriod(ctx, 30);
    const cause = ctx.query.get('cause');
    const commune = ctx.query.get('commune') || undefined;
    const service = ctx.query.get('service') || undefined;
    const open = ctx.query.get('open') === '1';
    const folded = ctx.query.get('folded') === '1';
    const listed = data.store.incidents.list({
      from,
      to,
      commune,
      service,
      openOnly: open,
      limit: 5000,
      ...(INCIDENT_CAUSES.includes(cause as IncidentCause) && { cause: cause as IncidentCause }),
      ...(ctx.principal.services && { services: ctx.principal.services }),
    });
    const incidents = folded ? listed : countedIncidents(listed);
    const table: TableSpec<Incident> = {
      id: 'incidents',
      file: 'su-co',
      sheet: 'nav_incidents',
      columns: incidentColumns(ctx, data),
      rows: incidents,
      empty: 'no_incidents',
      pageSize: 100,
    };
    const causeOptions = INCIDENT_CAUSES.map(
      (c) => html`<option value="${c}"${cause === c ? html` selected` : ''}>${t(`cause_${c}`)}</option>`,
    );
    const body = html`<form class="filters" method="get" action="/incidents">
${periodFields(ctx, from, to)}
<label>${t('commune')}<input name="commune" value="${commune ?? ''}" size="8"></label>
<label>${t('service')}<input name="service" value="${service ?? ''}" size="12"></label>
<label>${t('cause')}<select name="cause"><option value="">${t('all')}</option>${causeOptions}</select></label>
<label><span><input type="checkbox" name="open" value="1"${open ? html` checked` : ''}> ${t('only_open')}</span></label>
<label><span><input type="checkbox" name="folded" value="1"${folded ? html` checked` : ''}> ${t('show_folded')}</span></label>
<button class="primary">${t('filter')}</button></form>
${renderTable(ctx, table)}`;
    return { title: t('nav_incidents'), body, tables: [table] };
  });

  registerPage(app, deps, '/incidents/:id', ALL_ROLES, (ctx, request) => {
    const { t, fmt } = ctx;
    const id = Number((request.params as { id: string }).id);
    const inc = Number.isInteger(id) && id > 0 ? data.store.incidents.get(id) : undefined;
    const visible = serviceFilter(ctx.principal);
    if (
      !inc ||
      (inc.deletedAt !== null && ctx.principal.role !== 'admin') ||
      (ctx.principal.services && !visible(inc.service))
    ) {
      throw new HttpError(404, ErrorCode.NOT_FOUND, 'incident_not_found');
    }
    const evidence: TableSpec<EvidenceRow> = {
      id: 'evidence',
      file: `su-co-${inc.id}-bang-chung`,
      sheet: 'evidence',
      rows: data.store.incidents.evidence(inc.id, 500),
      empty: 'no_evidence',
      columns: [
        { head: 'time', value: (e) => fmt.dateTime(e.ts) },
        { head: 'commune', value: (e) => e.commune },
        { head: 'target', value: (e) => e.target },
        { head: 'result', value: (e) => (e.ok ? t('state_up') : t('failed')) },
        { head: 'layer', value: (e) => (e.layer ? t(`layer_${e.layer}` as never) : '') },
        { head: 'error', value: (e) => e.errorCode ?? '' },
        { head: 'detail', value: (e) => e.summary },
        { head: 'result_id', value: (e) => e.resultId },
      ],
    };
    const events: TableSpec<IncidentEvent> = {
      id: 'events',
      file: `su-co-${inc.id}-nhat-ky`,
      sheet: 'history',
      rows: data.store.incidents.events(inc.id),
      empty: 'no_rows',
      columns: [
        { head: 'time', value: (e) => fmt.dateTime(e.at) },
        {
          head: 'event',
          value: (e) =>
            describeEvent(e, ctx.lang, { communeName: (c) => data.communeName(c), offsetMin: ctx.offsetMin }),
        },
      ],
    };
    const notifications: TableSpec<NotificationRow> = {
      id: 'notifications',
      file: `su-co-${inc.id}-thong-bao`,
      sheet: 'notifications',
      empty: 'no_notifications',
      rows:
        ctx.principal.role === 'vendor' ? [] : data.store.alerts.listNotifications({ incidentId: inc.id, limit: 200 }),
      columns: [
        { head: 'time', value: (n) => fmt.dateTime(n.sentAt ?? n.createdAt) },
        { head: 'kind', value: (n) => n.kind },
        { head: 'receiver', value: (n) => n.receiver },
        { head: 'channel', value: (n) => n.channel },
        { head: 'status', value: (n) => t(`delivery_${n.status}`) },
        { head: 'attempts', num: true, value: (n) => n.attempts },
        { head: 'error', value: (n) => n.lastError ?? '' },
      ],
    };
    const places = inc.commune
      ? [{ commune: inc.commune, startedAt: inc.startedAt, endedAt: inc.endedAt }]
      : inc.communes;
    const mergedNote =
      inc.mergedInto !== null
        ? html`<p class="note"><a href="/incidents/${inc.mergedInto}">${t('merged_into', { id: inc.mergedInto })}</a></p>`
        : '';
    const flapping = inc.flapping ? html` · ${t('flapping')}` : '';
    const serviceLink = inc.service
      ? html`<a href="/services/${encodeURIComponent(inc.service)}">${data.serviceName(inc.service, ctx.lang)}</a>`
      : '';
    const ended = inc.endedAt === null ? t('ongoing') : fmt.dateTime(inc.endedAt);
    const duration = fmt.duration((inc.endedAt ?? ctx.now) - inc.startedAt);
    const acknowledged = inc.acknowledgedBy
      ? `${inc.acknowledgedBy} ${fmt.dateTime(inc.acknowledgedAt)}`
      : ackForm(ctx, inc);
    const placeRows = places.map((c) => {
      const name = html`<a href="/communes/${encodeURIComponent(c.commune)}">${data.communeName(c.commune)}</a>`;
      const placeEnded = c.endedAt === null ? t('ongoing') : fmt.dateTime(c.endedAt);
      return html`<tr><td>${name}</td><td>${fmt.dateTime(c.startedAt)}</td><td>${placeEnded}</td></tr>`;
    });
    const recordLink = html`<p class="no-print"><a class="button primary" href="/incidents/${inc.id}/record">${t('rec_button')}</a></p>`;
    const body = html`${mergedNote}${recordLink}<div class="box"><table>
<tr><th>${t('severity')}</th><td class="sev-${inc.severity}">${t(`severity_${inc.severity}`)}${flapping}</td></tr>
<tr><th>${t('cause')}</th><td>${t(causeKey(inc))} — ${t(causeExplainedKey(inc))}</td></tr>
<tr><th>${t('scope')}</th><td>${t(`scope_${inc.scope}`)}</td></tr>
${inc.service ? html`<tr><th>${t('service')}</th><td>${serviceLink}</td></tr>` : ''}
${inc.target ? html`<tr><th>${t('target')}</th><td>${inc.target}</td></tr>` : ''}
${inc.layer ? html`<tr><th>${t('layer')}</th><td>${t(`layer_${inc.layer}` as never)}</td></tr>` : ''}
<tr><th>${t('started')}</th><td>${fmt.dateTime(inc.startedAt)}</td></tr>
<tr><th>${t('ended')}</th><td>${ended} (${duration})</td></tr>
${inc.manual ? html`<tr><th>${t('recorded_by')}</th><td>${inc.recordedBy} — ${inc.note}</td></tr>` : ''}
${inc.statusNote ? html`<tr><th>${t('note')}</th><td>${inc.statusNote}</td></tr>` : ''}
<tr><th>${t('acknowledged')}</th><td>${acknowledged}</td></tr>
</table></div>
<h2>${t('communes')} (${fmt.number(incidentPlaces(inc).length)})</h2>
<div class="box"><table><thead><tr><th>${t('commune')}</th><th>${t('started')}</th><th>${t('ended')}</th></tr></thead><tbody>
${placeRows}
</tbody></table></div>
<h2>${t('evidence')}</h2><p class="legend">${t('evidence_explained')}</p>
${renderTable(ctx, evidence)}
${ctx.principal.role === 'vendor' ? '' : html`<h2>${t('notifications')}</h2>${renderTable(ctx, notifications)}`}
<h2>${t('replies')}</h2>
${repliesBox(ctx, inc, data.store.incidents.replies(inc.id))}
<h2>${t('history')}</h2>
${renderTable(ctx, events)}`;
    return {
      title: `${t('incident')} #${inc.id}`,
      body,
      tables: [evidence, events, ...(ctx.principal.role === 'vendor' ? [] : [notifications])],
    };
  });

  // An admin acknowledges for the province, a vendor for itself (manual-incidents.ts keeps them apart).
  registerAction(app, '/incidents/:id/ack', ['admin', 'vendor'], (request) => {
    const id = Number((request.params as { id: string }).id);
    acknowledgeIncident(data.store, id, request.principal!, deps.now());
    return `/incidents/${id}`;
  });

  registerAction<{ text?: string }>(app, '/incidents/:id/replies', ['admin', 'vendor'], (request, body) => {
    const id = Number((request.params as { id: string }).id);
    replyToIncident(data.store, id, request.principal!, body.text ?? '', deps.now());
    return `/incidents/${id}#replies`;
  });

  incidentRecordPage(app, deps, data);
}

/** The vendor's acknowledgements and replies, and (for the vendor of the service, or an admin) the form to add one. */
function repliesBox(ctx: PageContext, inc: Incident, replies: IncidentReply[]) {
  const { t, fmt } = ctx;
  const items = replies.map((r) => {
    const who = r.role === 'vendor' ? t('actor_vendor', { name: r.author }) : r.author;
    return html`<li><strong>${who}</strong> · ${fmt.dateTime(r.at)}: ${r.kind === 'ack' ? t('rec_reply_ack') : r.text}</li>`;
  });
  const list = items.length > 0 ? html`<ul class="replies">${items}</ul>` : html`<p>${t('rec_no_replies')}</p>`;
  const role = ctx.principal.role;
  if (role !== 'admin' && role !== 'vendor') return html`<div class="box" id="replies">${list}</div>`;
  const csrf = html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
  const acked = replies.some((r) => r.kind === 'ack' && r.author === ctx.principal.name);
  const ack =
    role === 'vendor' && !acked
      ? html`<form method="post" action="/incidents/${inc.id}/ack">${csrf}
<button class="primary">${t('vendor_acknowledge')}</button></form>`
      : '';
  return html`<div class="box" id="replies">${list}${ack}
<form method="post" action="/incidents/${inc.id}/replies" class="reply-form">${csrf}
<label>${t('reply_text')}<textarea name="text" rows="3" maxlength="${MAX_REPLY_CHARS}" required></textarea></label>
<p class="legend">${t('reply_hint')}</p><button class="primary">${t('reply_send')}</button></form></div>`;
}

function ackForm(ctx: PageContext, inc: Incident) {
  if (ctx.principal.role !== 'admin' || inc.endedAt !== null) return '—';
  const csrf = html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
  return html`<form method="post" action="/incidents/${inc.id}/ack">${csrf}<button class="primary">${ctx.t('acknowledge')}</button></form>`;
}
