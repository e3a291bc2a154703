/** The incident table used by the overview, the incidents list, and the commune and service pages. */
import { html } from '../html.js';
import type { PageContext } from '../context.js';
import type { Column } from '../table.js';
import { causeKey, type Incident } from '../../outages/incident.js';
import type { WebData } from '../web-data.js';

/**
 * Incidents as people count them: local incidents folded into a central one (the same fault seen at many
 * communes) and superseded ones (rewritten from backfilled results) are shown through the incident that
 * replaced them, never as separate outages.
 */
export function countedIncidents(list: readonly Incident[]): Incident[] {
  return list.filter((i) => i.mergedInto === null && !i.superseded);
}

export function incidentPlaces(i: Incident): string[] {
  return i.commune ? [i.commune] : i.communes.map((c) => c.commune);
}

export function incidentColumns(ctx: PageContext, data: WebData): Array<Column<Incident>> {
  const { t, fmt } = ctx;
  const end = (i: Incident) => i.endedAt ?? ctx.now;
  return [
    { head: 'incident', value: (i) => i.id, show: (i) => html`<a href="/incidents/${i.id}">#${i.id}</a>` },
    {
      head: 'severity',
      value: (i) => t(`severity_${i.severity}`),
      show: (i) => html`<span class="sev-${i.severity}">${t(`severity_${i.severity}`)}</span>`,
    },
    { head: 'cause', value: (i) => t(causeKey(i)) },
    { head: 'service', value: (i) => (i.service ? data.serviceName(i.service, ctx.lang) : '') },
    {
      head: 'communes',
      value: (i) => incidentPlaces(i).join(' '),
      show: (i) => {
        const places = incidentPlaces(i);
        if (places.length > 3) return t('n_communes', { n: fmt.number(places.length) });
        return html`${places.map((c, k) => html`${k ? ', ' : ''}<a href="/communes/${encodeURIComponent(c)}">${data.communeName(c)}</a>`)}`;
      },
    },
    { head: 'target', value: (i) => i.target ?? '' },
    { head: 'started', value: (i) => fmt.dateTime(i.startedAt) },
    { head: 'ended', value: (i) => (i.endedAt === null ? t('ongoing') : fmt.dateTime(i.endedAt)) },
    {
      head: 'duration',
      num: true,
      value: (i) => Math.round((end(i) - i.startedAt) / 60_000),
      show: (i) => fmt.duration(end(i) - i.startedAt),
    },
    {
      head: 'acknowledged',
      value: (i) => (i.acknowledgedBy ? `${i.acknowledgedBy} ${fmt.dateTime(i.acknowledgedAt)}` : ''),
    },
  ];
}
