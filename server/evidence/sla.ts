/**
 * The SLA table: per service and calendar month (server time zone), the availability a vendor answers for,
 * 24×7 and in the communes' working hours, against the target its contract states.
 *
 * Only the vendor's side counts. The figures are uptime-report.ts's, per commune × service: maintenance
 * windows are planned time (out of the figures), the commune network's downtime (and time the agent was
 * silent) is taken out of the denominator and never charged, degraded time is not downtime. Over the
 * communes that monitor the service:
 *
 *   availability = Σ up / Σ (observed − network down) = 1 − Σ service down / Σ (observed − network down)
 *
 * so a commune that watched the service longer weighs more. Minutes down are given both ways: commune-
 * minutes (the sum; what users lost) and the minutes at least one commune had it down (the union; how long
 * the vendor had a problem). An incident counts when it charged the month some downtime at a commune.
 */
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import { intersect, normalise, totalMs, type Interval } from '../calendar/intervals.js';
import { loadUptimeSources, uptimeReport, type UptimeRow, type UptimeSources } from '../outages/uptime-report.js';
import { outageSpansByCommune } from '../dossiers/attribution.js';
import { vendorsOf, type Vendor } from './vendors.js';

const MIN = 60_000;

export interface SlaDeps {
  store: Store;
  units: Units;
  calendars: CalendarBook;
  /** The server's offset from UTC: months start at local midnight on the 1st. */
  offsetMin: number;
  vendors: readonly Vendor[];
}

export interface SlaQuery {
  services: readonly string[];
  from: number;
  to: number;
}

/** One window's figures: 24×7, or the working hours only. */
export interface SlaFigures {
  /** Σ over communes of the time counted (observed, minus maintenance), ms. */
  observedMs: number;
  plannedMs: number;
  /** Σ commune-network downtime: taken out of the denominator, charged to no vendor. */
  networkDownMs: number;
  /** Σ service downtime while the commune's network was up: what the vendor is charged. */
  serviceDownMs: number;
  /** 1 − serviceDown / (observed − networkDown); null when nothing was observed. */
  availability: number | null;
  /** serviceDownMs in minutes: commune-minutes down. */
  downCommuneMinutes: number;
  /** Minutes during which at least one commune had the service down. */
  downMinutes: number;
  /** The contracted target, %; null when no vendor runs the service (or no working-hours target). */
  targetPct: number | null;
  /** availability ≥ target; null when either is missing. */
  met: boolean | null;
}

export interface SlaRow {
  service: string;
  /** The vendor that runs the service, if the config names one. */
  vendorId: string | null;
  /** "YYYY-MM", server time. */
  month: string;
  /** The month, clipped to the query. */
  from: number;
  to: number;
  /** Communes that monitored the service during the month. */
  communes: number;
  /** Incidents on the service that charged it downtime this month. */
  incidents: number;
  incidentIds: number[];
  allHours: SlaFigures;
  workingHours: SlaFigures;
}

/** Calendar months of the server's time zone that meet [from, to), each clipped to it. */
export function monthsOf(
  from: number,
  to: number,
  offsetMin: number,
): Array<{ month: string; from: number; to: number }> {
  const offset = offsetMin * MIN;
  const out: Array<{ month: string; from: number; to: number }> = [];
  const local = new Date(from + offset);
  let y = local.getUTCFullYear();
  let m = local.getUTCMonth();
  for (;;) {
    const start = Date.UTC(y, m, 1) - offset;
    if (start >= to) break;
    const end = Date.UTC(y, m + 1, 1) - offset;
    out.push({ month: `${y}-${String(m + 1).padStart(2, '0')}`, from: Math.max(start, from), to: Math.min(end, to) });
    m++;
    if (m === 12) [y, m] = [y + 1, 0];
  }
  return out;
}

/** The SLA table: one row per service and calendar month of [from, to) (see the module header). */
export function slaReport(deps: SlaDeps, q: SlaQuery): SlaRow[] {
  if (!(q.to > q.from) || q.services.length === 0) return [];
  // One load of the whole period: every month's report clips the spans to its own.
  const sources = loadUptimeSources(deps.store, q);
  const rows: SlaRow[] = [];
  for (const month of monthsOf(q.from, q.to, deps.offsetMin)) {
    const all = byService(deps, month, sources, q.services, false);
    const work = byService(deps, month, sources, q.services, true);
    const spans = outageSpansByCommune(sources.incidents, month.to);
    for (const service of q.services) {
      const vendor = vendorsOf(deps.vendors, [service])[0];
      const allRows = (all.get(service) ?? []).filter((r) => r.observedMs > 0);
      const incidentIds = chargingIncidents(allRows, spans, service);
      rows.push({
        service,
        vendorId: vendor?.id ?? null,
        month: month.month,
        from: month.from,
        to: month.to,
        communes: allRows.length,
        incidents: incidentIds.length,
        incidentIds,
        allHours: figures(allRows, vendor?.sla.targetPct ?? null),
        workingHours: figures(work.get(service) ?? [], vendor?.sla.workingHoursTargetPct ?? null),
      });
    }
  }
  return rows;
}

function byService(
  deps: SlaDeps,
  month: { from: number; to: number },
  sources: UptimeSources,
  services: readonly string[],
  workingHours: boolean,
): Map<string, UptimeRow[]> {
  const { rows } = uptimeReport(
    deps,
    { from: month.from, to: month.to, services, workingHours, keepIntervals: true },
    sources,
  );
  const out = new Map<string, UptimeRow[]>();
  for (const r of rows) out.get(r.service)?.push(r) ?? out.set(r.service, [r]);
  return out;
}

function figures(rows: readonly UptimeRow[], targetPct: number | null): SlaFigures {
  let observedMs = 0;
  let plannedMs = 0;
  let networkDownMs = 0;
  let serviceDownMs = 0;
  const down: Interval[] = [];
  for (const r of rows) {
    observedMs += r.observedMs;
    plannedMs += r.plannedMs;
    networkDownMs += r.networkDownMs;
    serviceDownMs += r.serviceDownMs;
    if (r.serviceDown) down.push(...r.serviceDown);
  }
  const base = observedMs - networkDownMs;
  const availability = base > 0 ? 1 - serviceDownMs / base : null;
  return {
    observedMs,
    plannedMs,
    networkDownMs,
    serviceDownMs,
    availability,
    downCommuneMinutes: serviceDownMs / MIN,
    downMinutes: totalMs(normalise(down)) / MIN,
    targetPct,
    // Compared in per cent rounded to 1e-9, so 99.5 % exactly meets a 99.5 target despite binary fractions.
    met: availability === null || targetPct === null ? null : Math.round(availability * 100 * 1e9) / 1e9 >= targetPct,
  };
}

/** The incidents on the service whose down spans at a commune meet the downtime charged there. */
function chargingIncidents(
  rows: readonly UptimeRow[],
  spans: ReturnType<typeof outageSpansByCommune>,
  service: string,
): number[] {
  const ids = new Set<number>();
  for (const r of rows) {
    if (!r.serviceDown || r.serviceDown.length === 0) continue;
    for (const s of spans.get(r.commune) ?? [])
      if (s.service === service && !ids.has(s.incidentId) && intersect([s], r.serviceDown).length > 0)
        ids.add(s.incidentId);
  }
  return [...ids].sort((a, b) => a - b);
}
