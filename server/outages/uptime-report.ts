/**
 * Uptime per commune and service over a period, from the stored incidents, maintenance windows and the
 * calendars: the rows behind GET /api/v1/uptime and the leaders' dashboards.
 */
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import { matches, placeLabels, type Labels } from '../alerts/labels.js';
import { INCIDENT_CAUSES, type Incident } from './incident.js';
import { silenceIntervals, type Silence } from '../alerts/silences.js';
import type { WorkCalendar } from '../calendar/working-time.js';
import type { Interval } from '../calendar/intervals.js';
import { uptime, type UptimeFigures } from './uptime.js';

export interface UptimeRow extends UptimeFigures {
  commune: string;
  service: string;
}

export interface UptimeQuery {
  from: number;
  to: number;
  commune?: string;
  service?: string;
  /** Only these service classes (vendor keys). */
  services?: readonly string[];
  workingHours: boolean;
  /** Each row with its service downtime as intervals (uptime.ts `keepIntervals`). */
  keepIntervals?: boolean;
}

/**
 * What a report reads from the store. Several reports over nested periods (today, 7 d, 30 d) can share
 * one load of the widest period: uptime() clips every span to its own period.
 */
export interface UptimeSources {
  probed: Array<{ commune: string; service: string; firstSeen: number }>;
  incidents: Incident[];
  maintenance: Silence[];
}

export function loadUptimeSources(store: Store, q: { from: number; to: number; commune?: string }): UptimeSources {
  return {
    probed: store.incidents.communeServices(),
    incidents: store.incidents.list({ from: q.from, to: q.to, commune: q.commune, limit: 1_000_000 }),
    maintenance: store.alerts.silencesBetween(q.from, q.to).filter((s) => s.kind === 'maintenance'),
  };
}

export function uptimeReport(
  deps: { store: Store; units: Units; calendars: CalendarBook; offsetMin: number },
  q: UptimeQuery,
  sources: UptimeSources = loadUptimeSources(deps.store, q),
): { rows: UptimeRow[]; total: UptimeFigures } {
  const { units, calendars } = deps;
  const { probed, incidents, maintenance } = sources;
  const pairs = probed.filter(
    (p) =>
      p.service !== 'network' &&
      (!q.commune || p.commune === q.commune) &&
      (!q.service || p.service === q.service) &&
      (!q.services || q.services.includes(p.service)),
  );
  // Communes without their own calendar share one (CalendarBook): their working time over the period is
  // computed once per calendar, not once per commune and service.
  const workingOf = new Map<WorkCalendar, Interval[]>();
  const working = (calendar: WorkCalendar) => {
    let w = workingOf.get(calendar);
    if (!w) workingOf.set(calendar, (w = calendar.intersectWorking([{ start: q.from, end: q.to }])));
    return w;
  };
  const byCommune = new Map<string, typeof incidents>();
  for (const i of incidents) {
    for (const c of i.commune ? [i.commune] : i.communes.map((x) => x.commune)) {
      const list = byCommune.get(c);
      if (list) list.push(i);
      else byCommune.set(c, [i]);
    }
  }
  const firstSeen = new Map<string, number>();
  for (const p of probed) firstSeen.set(p.commune, Math.min(firstSeen.get(p.commune) ?? Infinity, p.firstSeen));
  // Per commune, not per pair: its calendar's working time, and (only when maintenance exists) its labels.
  const workingByCommune = new Map<string, Interval[]>();
  const communeWorking = (c: string) => {
    let w = workingByCommune.get(c);
    if (!w) workingByCommune.set(c, (w = working(calendars.forCommune(c))));
    return w;
  };
  const windows = maintenance
    .map((m) => ({ m, intervals: silenceIntervals(m, q.from, q.to, deps.offsetMin) }))
    .filter((w) => w.intervals.length > 0);
  const rows: UptimeRow[] = pairs.map((p) => {
    // A maintenance window is planned time for this place and service whatever it says about cause,
    // severity or scope: those labels describe incidents, not time.
    let planned: Interval[] = [];
    if (windows.length > 0) {
      const labels: Labels = {
        ...placeLabels([p.commune], units),
        service: [p.service],
        cause: [...INCIDENT_CAUSES],
        severity: ['down', 'degraded'],
        scope: ['local', 'central'],
      };
      planned = windows.filter((w) => matches(labels, w.m.matchers)).flatMap((w) => w.intervals);
    }
    return {
      commune: p.commune,
      service: p.service,
      ...uptime({
        from: q.from,
        to: q.to,
        observedFrom: firstSeen.get(p.commune),
        incidents: byCommune.get(p.commune) ?? [],
        commune: p.commune,
        service: p.service,
        planned,
        ...(q.workingHours && { working: communeWorking(p.commune) }),
        keepIntervals: q.keepIntervals,
      }),
    };
  });
  const sum = (k: 'observedMs' | 'plannedMs' | 'networkDownMs' | 'serviceDownMs') => rows.reduce((a, r) => a + r[k], 0);
  const observedMs = sum('observedMs');
  const networkDownMs = sum('networkDownMs');
  const serviceDownMs = sum('serviceDownMs');
  return {
    rows,
    total: {
      observedMs,
      plannedMs: sum('plannedMs'),
      networkDownMs,
      serviceDownMs,
      networkUptime: observedMs > 0 ? 1 - networkDownMs / observedMs : null,
      serviceUptime: observedMs - networkDownMs > 0 ? 1 - serviceDownMs / (observedMs - networkDownMs) : null,
    },
  };
}
