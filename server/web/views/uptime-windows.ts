/**
 * Uptime over the windows leaders ask about — today, 7 days, 30 days — each both round the clock and in
 * working hours, per service and per commune. Figures come from the incident accounting (uptime.ts:
 * confirmed outages, no-data time charged to the commune network, maintenance excluded), the same as the
 * API and the monthly report, so the dashboard and the report never disagree.
 */
import type { Store } from '../../store/store.js';
import type { Units } from '../../org/units.js';
import type { CalendarBook } from '../../calendar/calendar-book.js';
import { loadUptimeSources, uptimeReport, type UptimeRow } from '../../outages/uptime-report.js';

export const WINDOWS = ['today', 'd7', 'd30'] as const;
export type WindowKey = (typeof WINDOWS)[number];

export interface Ratio {
  /** Service uptime (network downtime excluded from the base). */
  service: number | null;
  /** Commune network uptime. */
  network: number | null;
}

export interface UptimeWindows {
  /** [window][mode] → figures; mode "all" = 24×7, "work" = working hours. */
  byService: Map<string, Record<WindowKey, Record<'all' | 'work', Ratio>>>;
  byCommune: Map<string, Record<WindowKey, Record<'all' | 'work', Ratio>>>;
  total: Record<WindowKey, Record<'all' | 'work', Ratio>>;
}

interface Acc {
  observed: number;
  networkDown: number;
  serviceDown: number;
}

const ratio = (a: Acc | undefined): Ratio => {
  if (!a) return { service: null, network: null };
  const base = a.observed - a.networkDown;
  return {
    service: base > 0 ? 1 - a.serviceDown / base : null,
    network: a.observed > 0 ? 1 - a.networkDown / a.observed : null,
  };
};

/** Local midnight (of the configured offset) at or before `now`. */
export function localMidnight(now: number, offsetMin: number): number {
  const day = 86_400_000;
  const off = offsetMin * 60_000;
  return Math.floor((now + off) / day) * day - off;
}

export function uptimeWindows(
  deps: { store: Store; units: Units; calendars: CalendarBook; offsetMin: number },
  q: { now: number; services?: readonly string[]; commune?: string; service?: string },
): UptimeWindows {
  const starts: Record<WindowKey, number> = {
    today: localMidnight(q.now, deps.offsetMin),
    d7: q.now - 7 * 86_400_000,
    d30: q.now - 30 * 86_400_000,
  };
  const perService = new Map<string, Map<string, Acc>>();
  const perCommune = new Map<string, Map<string, Acc>>();
  const total = new Map<string, Acc>();
  const add = (map: Map<string, Map<string, Acc>>, k: string, slot: string, r: UptimeRow) => {
    let m = map.get(k);
    if (!m) map.set(k, (m = new Map()));
    addTo(m, slot, r);
  };
  const addTo = (m: Map<string, Acc>, slot: string, r: UptimeRow) => {
    const a = m.get(slot) ?? { observed: 0, networkDown: 0, serviceDown: 0 };
    a.observed += r.observedMs;
    a.networkDown += r.networkDownMs;
    a.serviceDown += r.serviceDownMs;
    m.set(slot, a);
  };
  // One read of the widest window serves all six reports.
  const sources = loadUptimeSources(deps.store, {
    from: Math.min(...Object.values(starts)),
    to: q.now,
    commune: q.commune,
  });
  for (const w of WINDOWS) {
    for (const mode of ['all', 'work'] as const) {
      const slot = `${w}/${mode}`;
      const { rows } = uptimeReport(
        deps,
        {
          from: starts[w],
          to: q.now,
          workingHours: mode === 'work',
          services: q.services,
          commune: q.commune,
          service: q.service,
        },
        sources,
      );
      for (const r of rows) {
        add(perService, r.service, slot, r);
        // A commune's rows share its observed time and network downtime, so summing them keeps the ratios right.
        add(perCommune, r.commune, slot, r);
        addTo(total, slot, r);
      }
    }
  }
  const shape = (m: Map<string, Acc> | undefined) =>
    Object.fromEntries(
      WINDOWS.map((w) => [w, { all: ratio(m?.get(`${w}/all`)), work: ratio(m?.get(`${w}/work`)) }]),
    ) as Record<WindowKey, Record<'all' | 'work', Ratio>>;
  return {
    byService: new Map([...perService].map(([k, m]) => [k, shape(m)])),
    byCommune: new Map([...perCommune].map(([k, m]) => [k, shape(m)])),
    total: shape(total),
  };
}

/**
 * Figures that move slowly (a 30-day ratio, a month of dossiers) while a leader may reload a page every few
 * seconds: each distinct question is answered at most once per `ttlMs`, and the server refreshes the common
 * ones in the background (web/routes.ts) so pages read them instead of computing. Pages say "data as of".
 */
export class TimedCache<T> {
  private readonly entries = new Map<string, { at: number; value: T }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  get(key: string, now: number, compute: () => T): { at: number; value: T } {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs && now >= hit.at) return hit;
    const entry = { at: now, value: compute() };
    if (!hit && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
    return entry;
  }
}
