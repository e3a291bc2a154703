/**
 * The figures of the monthly report for one month in local time, as a plain data object (rendered by
 * summary-mail.ts, later by the PDF): uptime per service and per commune in working hours, the incidents
 * with the longest working-hours outage, overdue dossiers by verdict, and last month's figures beside them.
 *
 * A pure function of the store, the units, the calendars, the config and the month: it reads, never writes.
 * `now` is part of the input: dossiers still open are late up to `now` (as in the attribution API), and a
 * month not yet over is reported up to `now` (`partial`).
 */
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { DossierConfig } from '../dossiers/dossier-config.js';
import { attributeDossiers, type Summary } from '../dossiers/attribution-report.js';
import { uptimeReport, type UptimeRow } from '../outages/uptime-report.js';
import {
  counts,
  INCIDENT_CAUSES,
  type Incident,
  type IncidentCause,
  type IncidentScope,
  type IncidentSeverity,
} from '../outages/incident.js';
import type { MonthlyReportConfig, ReportScope } from './report-config.js';
import { addMonths, monthBounds, type ReportMonth } from './report-month.js';

/** Downtime and uptime in working hours over some (commune, service) rows; ratios as uptime-report.ts. */
export interface UptimeCell {
  observedMs: number;
  networkDownMs: number;
  serviceDownMs: number;
  networkUptime: number | null;
  serviceUptime: number | null;
}

export interface ServiceUptime extends UptimeCell {
  service: string;
  communes: number;
  previousServiceUptime: number | null;
}

export interface CommuneUptime extends UptimeCell {
  commune: string;
  name: string | null;
  services: number;
  /** How long the commune's network was down (once; `networkDownMs` adds it up per service row, as the ratios need). */
  networkOutageMs: number;
  /** The service with the lowest uptime at this commune. */
  worst: { service: string; serviceUptime: number | null; serviceDownMs: number } | null;
  previousServiceUptime: number | null;
  previousNetworkUptime: number | null;
}

export interface TopIncident {
  id: number;
  cause: IncidentCause;
  scope: IncidentScope;
  severity: IncidentSeverity;
  service: string | null;
  communes: Array<{ code: string; name: string | null }>;
  startedAt: number;
  /** null: still open. */
  endedAt: number | null;
  /** Wall-clock length, to `now` when still open. */
  durationMs: number;
  /** Working time inside the month, at the commune (of those in scope) where it was longest. */
  workingMs: number;
  manual: boolean;
}

export type DossierFigures = Omit<Summary, 'key'>;

export interface MonthlySummary {
  month: ReportMonth;
  from: number;
  /** End of the figures: the month's end, or `now` for a month not yet over. */
  to: number;
  partial: boolean;
  generatedAt: number;
  offsetMin: number;
  scope: { provinces: Array<{ code: string; name: string }>; districts: Array<{ code: string; name: string }> } | null;
  uptime: { total: UptimeCell; byService: ServiceUptime[]; byCommune: CommuneUptime[] };
  incidents: { total: number; byCause: Record<IncidentCause, number>; top: TopIncident[] };
  dossiers: DossierFigures;
  previous: { month: ReportMonth; uptime: UptimeCell; incidents: number; dossiers: DossierFigures };
}

export interface SummaryDeps {
  store: Store;
  units: Units;
  calendars: CalendarBook;
  config: {
    timezoneOffsetMinutes: number;
    dossiers: DossierConfig;
    monthly: Pick<MonthlyReportConfig, 'scope' | 'topIncidents'>;
  };
}

/** The communes a scope covers; every commune without one. Communes missing from the units file are out of any scope. */
export function scopeFilter(units: Units, scope: ReportScope | undefined): (commune: string) => boolean {
  if (!scope) return () => true;
  const provinces = new Set(scope.provinces);
  const districts = new Set(scope.districts);
  return (code) => {
    const unit = units.commune(code);
    return !!unit && (provinces.has(unit.province.code) || (!!unit.district && districts.has(unit.district.code)));
  };
}

export function aggregate(rows: readonly UptimeCell[]): UptimeCell {
  const sum = (k: 'observedMs' | 'networkDownMs' | 'serviceDownMs') => rows.reduce((a, r) => a + r[k], 0);
  const observedMs = sum('observedMs');
  const networkDownMs = sum('networkDownMs');
  const serviceDownMs = sum('serviceDownMs');
  return {
    observedMs,
    networkDownMs,
    serviceDownMs,
    networkUptime: observedMs > 0 ? 1 - networkDownMs / observedMs : null,
    serviceUptime: observedMs - networkDownMs > 0 ? 1 - serviceDownMs / (observedMs - networkDownMs) : null,
  };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function addSummaries(list: readonly Summary[]): DossierFigures {
  const t = { dossiers: 0, overdue: 0, outage: 0, partlyOutage: 0, notOutage: 0, idleOnline: 0, outageHours: 0 };
  for (const s of list) for (const k of Object.keys(t) as Array<keyof typeof t>) t[k] += s[k];
  return { ...t, outageShare: t.overdue ? (t.outage + t.partlyOutage) / t.overdue : null };
}

/** Each commune of an incident with its own span there. */
function spans(i: Incident): Array<{ commune: string; start: number; end: number | null }> {
  return i.commune
    ? [{ commune: i.commune, start: i.startedAt, end: i.endedAt }]
    : i.communes.map((c) => ({ commune: c.commune, start: c.startedAt, end: c.endedAt }));
}

/** The figures of one period that both the month and the month before need. */
function period(deps: SummaryDeps, from: number, to: number, now: number, inScope: (c: string) => boolean) {
  const { store, units, calendars, config } = deps;
  const rows = uptimeReport(
    { store, units, calendars, offsetMin: config.timezoneOffsetMinutes },
    { from, to, workingHours: true },
  ).rows.filter((r) => inScope(r.commune));
  const incidents = store.incidents
    .list({ from, to, limit: 1_000_000 })
    .filter((i) => counts(i) && spans(i).some((s) => inScope(s.commune)));
  const attribution = attributeDossiers({ store, calendars, config: config.dossiers }, { from, to, now, limit: 0 });
  return { rows, incidents, dossiers: addSummaries(attribution.byCommune.filter((s) => inScope(s.key))) };
}

function topIncidents(
  deps: SummaryDeps,
  incidents: readonly Incident[],
  from: number,
  to: number,
  now: number,
  inScope: (c: string) => boolean,
): TopIncident[] {
  const top: TopIncident[] = [];
  for (const i of incidents) {
    let workingMs = 0;
    for (const s of spans(i)) {
      if (!inScope(s.commune)) continue;
      const start = Math.max(s.start, from);
      const end = Math.min(s.end ?? now, to);
      if (end > start) workingMs = Math.max(workingMs, deps.calendars.forCommune(s.commune).workingMs(start, end));
    }
    // Outside office hours only (a night, a weekend): no session lost, not a top incident.
    if (workingMs <= 0) continue;
    top.push({
      id: i.id,
      cause: i.cause,
      scope: i.scope,
      severity: i.severity,
      service: i.service,
      communes: spans(i)
        .filter((s) => inScope(s.commune))
        .map((s) => ({ code: s.commune, name: deps.units.commune(s.commune)?.name ?? null })),
      startedAt: i.startedAt,
      endedAt: i.endedAt,
      durationMs: (i.endedAt ?? now) - i.startedAt,
      workingMs,
      manual: i.manual,
    });
  }
  // Longest first; then the one that hit more communes, then the earlier one.
  top.sort(
    (a, b) =>
      b.workingMs - a.workingMs || b.communes.length - a.communes.length || a.startedAt - b.startedAt || a.id - b.id,
  );
  return top.slice(0, deps.config.monthly.topIncidents);
}

function scopeNames(units: Units, scope: ReportScope | undefined): MonthlySummary['scope'] {
  if (!scope) return null;
  const provinces = new Map<string, string>();
  const districts = new Map<string, string>();
  for (const u of units.all()) {
    provinces.set(u.province.code, u.province.name);
    if (u.district) districts.set(u.district.code, u.district.name);
  }
  return {
    provinces: scope.provinces.map((code) => ({ code, name: provinces.get(code) ?? code })),
    districts: scope.districts.map((code) => ({ code, name: districts.get(code) ?? code })),
  };
}

const lowest = (a: number | null, b: number | null) => (a ?? 2) - (b ?? 2);

export function monthlySummary(deps: SummaryDeps, q: { month: ReportMonth; now: number }): MonthlySummary {
  const offsetMin = deps.config.timezoneOffsetMinutes;
  const scope = deps.config.monthly.scope;
  const inScope = scopeFilter(deps.units, scope);
  const bounds = monthBounds(q.month, offsetMin);
  const to = Math.max(bounds.from, Math.min(bounds.to, q.now));
  const prevMonth = addMonths(q.month, -1);
  const prevBounds = monthBounds(prevMonth, offsetMin);
  const cur = period(deps, bounds.from, to, q.now, inScope);
  const prev = period(deps, prevBounds.from, Math.min(prevBounds.to, q.now), q.now, inScope);

  const prevByService = groupBy(prev.rows, (r) => r.service);
  const byService: ServiceUptime[] = [...groupBy(cur.rows, (r) => r.service)].map(([service, rows]) => ({
    service,
    communes: rows.length,
    ...aggregate(rows),
    previousServiceUptime: aggregate(prevByService.get(service) ?? []).serviceUptime,
  }));
  byService.sort((a, b) => lowest(a.serviceUptime, b.serviceUptime) || a.service.localeCompare(b.service));

  const prevByCommune = groupBy(prev.rows, (r) => r.commune);
  const byCommune: CommuneUptime[] = [...groupBy(cur.rows, (r) => r.commune)].map(([commune, rows]) => {
    const worst = [...rows].sort(
      (a: UptimeRow, b: UptimeRow) => lowest(a.serviceUptime, b.serviceUptime) || a.service.localeCompare(b.service),
    )[0];
    const before = aggregate(prevByCommune.get(commune) ?? []);
    return {
      commune,
      name: deps.units.commune(commune)?.name ?? null,
      services: rows.length,
      ...aggregate(rows),
      networkOutageMs: Math.max(0, ...rows.map((r) => r.networkDownMs)),
      worst: worst
        ? { service: worst.service, serviceUptime: worst.serviceUptime, serviceDownMs: worst.serviceDownMs }
        : null,
      previousServiceUptime: before.serviceUptime,
      previousNetworkUptime: before.networkUptime,
    };
  });
  // The communes that need attention first: the lower of their network and service uptime.
  const floor = (c: CommuneUptime) => Math.min(c.networkUptime ?? 2, c.serviceUptime ?? 2);
  byCommune.sort((a, b) => floor(a) - floor(b) || a.commune.localeCompare(b.commune));

  const byCause = Object.fromEntries(INCIDENT_CAUSES.map((c) => [c, 0])) as Record<IncidentCause, number>;
  for (const i of cur.incidents) byCause[i.cause]++;

  return {
    month: q.month,
    from: bounds.from,
    to,
    partial: to < bounds.to,
    generatedAt: q.now,
    offsetMin,
    scope: scopeNames(deps.units, scope),
    uptime: { total: aggregate(cur.rows), byService, byCommune },
    incidents: {
      total: cur.incidents.length,
      byCause,
      top: topIncidents(deps, cur.incidents, bounds.from, to, q.now, inScope),
    },
    dossiers: cur.dossiers,
    previous: {
      month: prevMonth,
      uptime: aggregate(prev.rows),
      incidents: prev.incidents.length,
      dossiers: prev.dossiers,
    },
  };
}
