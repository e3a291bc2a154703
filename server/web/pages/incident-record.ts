/**
 * The incident record page (/incidents/:id/record): the biên bản sự cố of server/evidence in the page
 * layout, with its own styles inlined (RECORD_CSS). Printed (Ctrl+P), the navigation and this page's toolbar
 * disappear (app.css) and the record fits one A4 page for a leader and the vendor to sign. Same scoping as
 * the incident page: a vendor sees only its services' incidents.
 */
import type { FastifyInstance } from 'fastify';
import { buildIncidentRecord } from '../../evidence/incident-record.js';
import { RECORD_CSS, renderIncidentRecordHtml } from '../../evidence/incident-record-html.js';
import { ErrorCode, HttpError } from '../../errors.js';
import { html, raw } from '../html.js';
import { ALL_ROLES, registerPage, type PageDeps } from '../page.js';
import type { WebData } from '../web-data.js';

export function incidentRecordPage(app: FastifyInstance, deps: PageDeps, data: WebData): void {
  registerPage(app, deps, '/incidents/:id/record', ALL_ROLES, (ctx, request) => {
    const { t } = ctx;
    const id = Number((request.params as { id: string }).id);
    const record =
      Number.isInteger(id) && id > 0
        ? buildIncidentRecord(
            { store: data.store, units: data.units, now: ctx.now, offsetMin: data.offsetMin },
            id,
            ctx.principal,
          )
        : undefined;
    if (!record) throw new HttpError(404, ErrorCode.NOT_FOUND, 'incident_not_found');
    const body = html`<style>${raw(RECORD_CSS)}</style>
<p class="no-print record-toolbar"><a href="/incidents/${id}">← ${t('rec_back')}</a>
<button type="button" class="primary" data-print>${t('rec_print')}</button> ${t('rec_print_hint')}</p>
${renderIncidentRecordHtml(record, { lang: ctx.lang, offsetMin: data.offsetMin })}`;
    return { title: t('rec_page_title', { id }), body };
  });
}
