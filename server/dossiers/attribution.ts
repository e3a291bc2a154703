/**
 * Was this dossier late because the network or the software was down? In working time:
 *
 * - lateness = working time from the due time to the finish (or to now, for an open dossier);
 * - outage = working time inside [received, finish or now] covered by incidents at the dossier's commune on
 *   the services its procedure field depends on (the commune network always among them), as one union:
 *   two services down together count once;
 * - verdict: `outage` when outage ≥ lateness (it would have been on time but for the outage),
 *   `partly-outage` when 0 < outage < lateness, `not-outage` otherwise; `on-time` when not late.
 *
 * The incident ids behind every verdict are kept, so a leader's question can be followed to the evidence.
 */
import { clip, normalise, type Interval } from '../calendar/intervals.js';
import type { WorkCalendar } from '../calendar/working-time.js';
import { counts, downSpansOf, type Incident, type SpanRow } from '../outages/incident.js';

export type { SpanRow };
import type { Dossier } from './dossier-row.js';

export type Verdict = 'on-time' | 'outage' | 'partly-outage' | 'not-outage';

export interface Attribution {
  verdict: Verdict;
  /** Working ms from due to finish (or now); 0 when on time. */
  lateMs: number;
  /** Working ms of outage on the dossier's services while it was being handled. */
  outageMs: number;
  incidentIds: number[];
  /** Online dossier not handled within the threshold of working time after receipt. */
  idleOnline: boolean;
  open: boolean;
}

/** One incident as it concerns one commune: its span there and the service it hit ('network' for the link). */
export interface OutageSpan extends Interval {
  incidentId: number;
  service: string;
}

/** Per-commune outage spans, built once per report; open incidents run to `to`. */
export function groupSpans(rows: readonly SpanRow[], to: number): Map<string, OutageSpan[]> {
  const out = new Map<string, OutageSpan[]>();
  for (const r of rows) {
    const service = r.cause === 'commune-network' || r.cause === 'agent-silent' ? 'network' : (r.service ?? '');
    // Degraded time (the link or service worked, badly) is not an outage: only the down spans count.
    const spans = downSpansOf({ severity: r.severity, downSpans: r.downSpans, startedAt: r.start, endedAt: r.end }, to);
    let list = out.get(r.commune);
    if (!list) out.set(r.commune, (list = []));
    for (const s of spans) list.push({ ...s, incidentId: r.incidentId, service });
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start);
  return out;
}

/** The same from incident records (tests, small sets). */
export function outageSpansByCommune(incidents: readonly Incident[], to: number): Map<string, OutageSpan[]> {
  const rows: SpanRow[] = [];
  for (const i of incidents) {
    if (!counts(i)) continue;
    const common = { incidentId: i.id, cause: i.cause, service: i.service, severity: i.severity };
    if (i.commune)
      rows.push({ ...common, commune: i.commune, start: i.startedAt, end: i.endedAt, downSpans: i.downSpans });
    else
      for (const c of i.communes)
        rows.push({ ...common, commune: c.commune, start: c.startedAt, end: c.endedAt, downSpans: null });
  }
  return groupSpans(rows, to);
}

export interface AttributeContext {
  now: number;
  calendar: WorkCalendar;
  /** Service classes this dossier's procedure field depends on ('network' is always added). */
  services: readonly string[];
  spans: readonly OutageSpan[];
  idleOnlineMs: number;
}

export function attribute(d: Dossier, ctx: AttributeContext): Attribution {
  const end = d.finishedAt ?? ctx.now;
  const open = d.finishedAt === null;
  const late = end > d.dueAt;
  const lateMs = late ? ctx.calendar.workingMs(d.dueAt, end) : 0;
  const relevant: OutageSpan[] = [];
  for (const s of ctx.spans) {
    if (s.start >= end) break; // sorted by start
    if (s.end > d.receivedAt && (s.service === 'network' || ctx.services.includes(s.service))) relevant.push(s);
  }
  let outageMs = 0;
  let incidentIds: number[] = [];
  if (relevant.length > 0) {
    // The union first (two services down together count once), then its working time.
    for (const i of clip(normalise(relevant), d.receivedAt, end)) outageMs += ctx.calendar.workingMs(i.start, i.end);
    const ids = new Set<number>();
    for (const s of relevant)
      if (ctx.calendar.workingMs(Math.max(s.start, d.receivedAt), Math.min(s.end, end)) > 0) ids.add(s.incidentId);
    incidentIds = [...ids].sort((a, b) => a - b);
  }
  let verdict: Verdict = 'on-time';
  // Late by working time: a dossier finished at 17:30 on its due day, after office hours, is not late.
  if (late && lateMs > 0) verdict = outageMs >= lateMs ? 'outage' : outageMs > 0 ? 'partly-outage' : 'not-outage';
  const idleOnline =
    d.channel === 'online' &&
    ctx.idleOnlineMs > 0 &&
    (d.firstHandledAt === null ? false : ctx.calendar.workingMs(d.receivedAt, d.firstHandledAt) > ctx.idleOnlineMs);
  return { verdict, lateMs, outageMs, incidentIds: verdict === 'on-time' ? [] : incidentIds, idleOnline, open };
}
