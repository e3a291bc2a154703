/**
 * Turns one accepted Faro batch into aggregates, in one transaction: exceptions into fingerprint groups,
 * web vitals into histograms, failed fetches (resource timings with status ≥ 400 or 0) into counts.
 * Everything is scrubbed of query strings and values on the way (scrub.ts); logs and custom events are
 * counted, not stored.
 */
import type { Store } from '../store/store.js';
import type { FaroPayload } from './payload.js';
import type { RumApp } from '../store/rum-store.js';
import { groupKey } from './fingerprint.js';
import { pathTemplate, urlTemplate } from './scrub.js';
import { VITALS, type Vital } from './vitals.js';

export interface RumCounts {
  exceptions: number;
  vitals: Array<{ metric: Vital; value: number }>;
  fetchFailures: number;
  events: number;
  logs: number;
}

const DAY = 86_400_000;

function time(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  // A browser clock far off (or a forged stamp) is replaced by the receive time.
  return Number.isFinite(t) && Math.abs(t - fallback) < 7 * DAY ? t : fallback;
}

export function ingestRumBatch(
  store: Store,
  input: { app: RumApp; payload: FaroPayload; commune: string; now: number; offsetMin: number },
): RumCounts {
  const { app, payload, commune, now } = input;
  const meta = payload.meta;
  const page = pathTemplate(meta.page?.url) || '/';
  const browser = [meta.browser?.name, meta.browser?.version?.split('.')[0]].filter(Boolean).join(' ').slice(0, 100);
  const version = (meta.app?.version ?? '').slice(0, 100);
  const dayOf = (t: number) => Math.floor((t + input.offsetMin * 60_000) / DAY) * DAY - input.offsetMin * 60_000;
  const counts: RumCounts = {
    exceptions: 0,
    vitals: [],
    fetchFailures: 0,
    events: payload.events?.length ?? 0,
    logs: payload.logs?.length ?? 0,
  };
  store.transaction(() => {
    for (const e of payload.exceptions ?? []) {
      const key = groupKey(e);
      const at = time(e.timestamp, now);
      const stack = (e.stacktrace?.frames ?? []).slice(0, 20).map((f) => ({
        function: (f.function || '?').slice(0, 200),
        file: urlTemplate(f.filename) || (f.filename ?? '').slice(0, 200),
        ...(f.lineno !== undefined && { lineno: f.lineno }),
        ...(f.colno !== undefined && { colno: f.colno }),
      }));
      store.rum.recordError({ appId: app.id, key, at, stack, page, commune, browser, version });
      counts.exceptions++;
    }
    for (const m of payload.measurements ?? []) {
      if (m.type !== 'web-vitals') continue;
      for (const metric of VITALS) {
        const value = m.values[metric];
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) continue;
        store.rum.recordVital({ appId: app.id, day: dayOf(time(m.timestamp, now)), page, commune, metric, value });
        counts.vitals.push({ metric, value });
      }
    }
    for (const ev of payload.events ?? []) {
      if (ev.name !== 'faro.performance.resource') continue;
      const a = ev.attributes ?? {};
      const status = Number(a.responseStatus);
      if (!Number.isInteger(status) || (status !== 0 && status < 400)) continue;
      const at = time(ev.timestamp, now);
      const url = urlTemplate(String(a.name ?? ''));
      if (!url) continue;
      store.rum.recordFetchFailure({
        appId: app.id,
        day: dayOf(at),
        commune,
        url,
        status,
        durationMs: Number(a.duration) || 0,
        at,
      });
      counts.fetchFailures++;
    }
  });
  return counts;
}
