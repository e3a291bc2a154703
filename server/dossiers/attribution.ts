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
import { clip, intersect, normalise, totalMs, type Interval } from '../calendar/intervals.js';
import type { WorkCalendar } from '../calendar/working-time.js';
import { counts, type Incident } from '../outages/incident.js';
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

/** Per-commune outage spans from incidents, built once per report. */
export function outageSpansByCommune(incidents: readonly Incident[], to: number): Map<string, OutageSpan[]> {
  const out = new Map<string, OutageSpan[]>();
  const add = (commune: string, span: OutageSpan) => {
    const list = out.get(commune);
    if (list) list.push(span);
    else out.set(commune, [span]);
  };
  for (const i of incidents) {
    if (!counts(i)) continue;
    const service = i.cause === 'commune-network' || i.cause === 'agent-silent' ? 'network' : (i.service ?? '');
    if (i.commune) add(i.commune, { start: i.startedAt, end: i.endedAt ?? to, incidentId: i.id, service });
    else for (const c of i.communes) add(c.commune, { start: c.startedAt, end: c.endedAt ?? to, incidentId: i.id, service });
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start);
  return out;
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
  const window: Interval = { start: d.receivedAt, end };
  const relevant = ctx.spans.filter((s) => (s.service === 'network' || ctx.services.includes(s.service)) && s.start < window.end && s.end > window.start);
  const covered = ctx.calendar.intersectWorking(clip(normalise(relevant), window.start, window.end));
  const outageMs = totalMs(covered);
  const incidentIds = [...new Set(relevant.filter((s) => intersect([s], covered).length > 0).map((s) => s.incidentId))].sort((a, b) => a - b);
  let verdict: Verdict = 'on-time';
  // Late by working time: a dossier finished at 17:30 on its due day, after office hours, is not late.
  if (late && lateMs > 0) verdict = outageMs >= lateMs ? 'outage' : outageMs > 0 ? 'partly-outage' : 'not-outage';
  const idleOnline = d.channel === 'online' && ctx.idleOnlineMs > 0 && (d.firstHandledAt === null
    ? false
    : ctx.calendar.workingMs(d.receivedAt, d.firstHandledAt) > ctx.idleOnlineMs);
  return { verdict, lateMs, outageMs, incidentIds: verdict === 'on-time' ? [] : incidentIds, idleOnline, open };
}
