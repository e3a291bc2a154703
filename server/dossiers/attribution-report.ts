/**
 * Attribution of many dossiers at once, with summaries per commune and per service: what
 * GET /api/v1/dossiers/attribution and the exports answer. Incidents are read once and grouped by commune;
 * calendars come from the CalendarBook's cache, so the cost per dossier is a few interval operations.
 */
import type { Store } from '../store/store.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { StoredDossier } from '../store/sqlite-dossiers.js';
import { attribute, outageSpansByCommune, type Attribution, type Verdict } from './attribution.js';
import { servicesFor, type DossierConfig } from './dossier-config.js';

export interface AttributedDossier extends StoredDossier, Attribution {
  fieldName: string;
  services: string[];
}

export interface AttributionQuery {
  /** Dossiers due in [from, to). */
  from: number;
  to: number;
  commune?: string;
  procedure?: string;
  service?: string;
  verdict?: Verdict | 'idle-online' | 'late';
  now: number;
}

export interface Summary {
  key: string;
  dossiers: number;
  overdue: number;
  outage: number;
  partlyOutage: number;
  notOutage: number;
  idleOnline: number;
  /** Share of overdue dossiers with an outage verdict (outage or partly-outage). */
  outageShare: number | null;
  /** Outage working hours behind overdue dossiers (sum over dossiers; an outage shared by two counts twice). */
  outageHours: number;
}

export function attributeDossiers(deps: { store: Store; calendars: CalendarBook; config: DossierConfig }, q: AttributionQuery): {
  dossiers: AttributedDossier[];
  byCommune: Summary[];
  byService: Summary[];
  total: Summary;
} {
  const rows = deps.store.dossiers.list({ dueFrom: q.from, dueTo: q.to, commune: q.commune });
  const earliest = rows.reduce((m, d) => Math.min(m, d.receivedAt), q.from);
  const spans = outageSpansByCommune(deps.store.incidents.list({ from: earliest, to: q.now, limit: 10_000_000 }), q.now);
  const idleOnlineMs = deps.config.idleOnlineHours * 3_600_000;
  const out: AttributedDossier[] = [];
  for (const d of rows) {
    if (q.procedure && d.procedureCode !== q.procedure) continue;
    const { fieldName, services } = servicesFor(deps.config, d);
    if (q.service && !services.includes(q.service) && q.service !== 'network') continue;
    const a = attribute(d, { now: q.now, calendar: deps.calendars.forCommune(d.commune), services, spans: spans.get(d.commune) ?? [], idleOnlineMs });
    if (q.verdict === 'idle-online' ? !a.idleOnline : q.verdict === 'late' ? a.verdict === 'on-time' : q.verdict && a.verdict !== q.verdict) continue;
    out.push({ ...d, ...a, fieldName, services });
  }
  const summarise = (key: string, list: AttributedDossier[]): Summary => {
    const overdue = list.filter((d) => d.verdict !== 'on-time');
    const outage = overdue.filter((d) => d.verdict === 'outage').length;
    const partly = overdue.filter((d) => d.verdict === 'partly-outage').length;
    return {
      key, dossiers: list.length, overdue: overdue.length, outage, partlyOutage: partly, notOutage: overdue.length - outage - partly,
      idleOnline: list.filter((d) => d.idleOnline).length,
      outageShare: overdue.length ? (outage + partly) / overdue.length : null,
      outageHours: overdue.reduce((s, d) => s + d.outageMs, 0) / 3_600_000,
    };
  };
  const groupBy = (keys: (d: AttributedDossier) => string[]) => {
    const m = new Map<string, AttributedDossier[]>();
    for (const d of out) for (const k of keys(d)) (m.get(k) ?? m.set(k, []).get(k)!).push(d);
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, list]) => summarise(k, list));
  };
  return { dossiers: out, byCommune: groupBy((d) => [d.commune]), byService: groupBy((d) => d.services), total: summarise('total', out) };
}
