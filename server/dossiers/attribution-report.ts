/**
 * Attribution of many dossiers at once, with summaries per commune and per service: what
 * GET /api/v1/dossiers/attribution and the exports answer. Incidents are read once and grouped by commune;
 * calendars come from the CalendarBook's cache, so the cost per dossier is a few interval operations.
 */
import type { Store } from '../store/store.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { StoredDossier } from '../store/dossier-store.js';
import { attribute, groupSpans, type Attribution, type Verdict } from './attribution.js';
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
  /** Dossiers listed in the answer (the summaries always cover all of them). Default 1,000. */
  limit?: number;
  /** Like `verdict`, but for the list only: the summaries still count every dossier (the web page). */
  listVerdict?: Verdict | 'idle-online' | 'late';
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

class Tally {
  dossiers = 0;
  outage = 0;
  partly = 0;
  not = 0;
  idle = 0;
  outageMs = 0;

  add(a: Attribution): void {
    this.dossiers++;
    if (a.verdict === 'outage') this.outage++;
    else if (a.verdict === 'partly-outage') this.partly++;
    else if (a.verdict === 'not-outage') this.not++;
    if (a.verdict !== 'on-time') this.outageMs += a.outageMs;
    if (a.idleOnline) this.idle++;
  }

  summary(key: string): Summary {
    const overdue = this.outage + this.partly + this.not;
    return {
      key,
      dossiers: this.dossiers,
      overdue,
      outage: this.outage,
      partlyOutage: this.partly,
      notOutage: this.not,
      idleOnline: this.idle,
      outageShare: overdue ? (this.outage + this.partly) / overdue : null,
      outageHours: this.outageMs / 3_600_000,
    };
  }
}

function matchesVerdict(a: Attribution, verdict: AttributionQuery['verdict']): boolean {
  if (verdict === undefined) return true;
  if (verdict === 'idle-online') return a.idleOnline;
  if (verdict === 'late') return a.verdict !== 'on-time';
  return a.verdict === verdict;
}

/** Streams the dossiers from the store, attributes each, keeps `limit` of them and the running summaries. */
export function attributeDossiers(
  deps: { store: Store; calendars: CalendarBook; config: DossierConfig },
  q: AttributionQuery,
): {
  dossiers: AttributedDossier[];
  byCommune: Summary[];
  byService: Summary[];
  byVendor: Summary[];
  total: Summary;
} {
  // Incidents that could overlap a dossier due in the period: from the earliest receipt among them on.
  const dueRange = { dueFrom: q.from, dueTo: q.to, commune: q.commune };
  const earliest = deps.store.dossiers.earliestReceived(dueRange) ?? q.from;
  const spans = groupSpans(deps.store.incidents.outageSpans(Math.min(earliest, q.from), q.now), q.now);
  const idleOnlineMs = deps.config.idleOnlineHours * 3_600_000;
  const limit = q.limit ?? 1000;
  const fieldCache = new Map<string, ReturnType<typeof servicesFor> & { tallies: Tally[] }>();
  const total = new Tally();
  const byCommune = new Map<string, Tally>();
  const byService = new Map<string, Tally>();
  const byVendor = new Map<string, Tally>();
  const tally = (m: Map<string, Tally>, key: string) => m.get(key) ?? m.set(key, new Tally()).get(key)!;
  const out: AttributedDossier[] = [];
  const calendars = new Map<string, ReturnType<CalendarBook['forCommune']>>();
  const calendarOf = (commune: string) =>
    calendars.get(commune) ?? calendars.set(commune, deps.calendars.forCommune(commune)).get(commune)!;
  for (const d of deps.store.dossiers.iterate(dueRange)) {
    if (q.procedure && d.procedureCode !== q.procedure) continue;
    const fieldKey = `${d.field ?? ''}\u0000${d.procedureName ?? ''}`;
    let field = fieldCache.get(fieldKey);
    if (!field) {
      const f = servicesFor(deps.config, d);
      // The service tallies a dossier of this field adds to, looked up once per field, not per dossier.
      const vendors = deps.config.vendors
        .filter((v) => v.services.some((s) => f.services.includes(s)))
        .map((v) => tally(byVendor, v.name));
      fieldCache.set(
        fieldKey,
        (field = { ...f, tallies: [...[...f.services, 'network'].map((s) => tally(byService, s)), ...vendors] }),
      );
    }
    const { fieldName, services } = field;
    if (q.service && q.service !== 'network' && !services.includes(q.service)) continue;
    const a = attribute(d, {
      now: q.now,
      calendar: calendarOf(d.commune),
      services,
      spans: spans.get(d.commune) ?? [],
      idleOnlineMs,
    });
    if (!matchesVerdict(a, q.verdict)) continue;
    total.add(a);
    tally(byCommune, d.commune).add(a);
    for (const t of field.tallies) t.add(a);
    if (out.length < limit && matchesVerdict(a, q.listVerdict)) out.push({ ...d, ...a, fieldName, services });
  }
  const summaries = (m: Map<string, Tally>) =>
    [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => t.summary(k));
  return {
    dossiers: out,
    byCommune: summaries(byCommune),
    byService: summaries(byService),
    byVendor: summaries(byVendor),
    total: total.summary('total'),
  };
}
