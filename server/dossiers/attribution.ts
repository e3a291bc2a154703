/**
 * Was this dossier late because the network or the software was down? In working time:
 *
 * - lateness = working time from the due time to the finish (or to now, for an open dossier);
 * - outage = working time inside [received, finish or now] covered by incidents at the dossier's commune on
 *   the services its procedure field depends on (the commune network always among them), as one union:
 *   two services down together count once;
 * - verdict: `outage` when outage ≥ lateness (it would have been on time but for the outage),
 *   `partly-outage` when 0 < outage < lateness, `not-outage` otherwise; `on-time` when not late;
 * - the outage split by service (`outageByService`): the union is cut wherever a span starts or ends; a
 *   piece during which the commune network was down goes wholly to 'network', any other piece is shared
 *   equally by the services down then. A vendor is charged only its own services' share (see `charged`):
 *   before this, every service of the dossier carried the whole verdict, so the e-signing vendor was blamed
 *   for the one-stop-shop's outage.
 *
 * Why the network takes the whole piece: the SLA (server/evidence/sla.ts) and the uptime figures take the
 * commune network's downtime out of the vendor's denominator — while the link is down nobody can tell
 * whether the vendor's service worked, and the vendor is charged nothing. Sharing those minutes with the
 * vendor here would make the dossier figures blame a vendor for time its SLA says was not its own.
 *
 * The incident ids behind every verdict are kept, so a leader's question can be followed to the evidence.
 */
import { clip, normalise, type Interval } from '../calendar/intervals.js';
import type { WorkCalendar } from '../calendar/working-time.js';
import { counts, downSpansOf, type Incident, type SpanRow } from '../outages/incident.js';

/** Re-exported: the incident store's span rows that `groupSpans` reads. */
export type { SpanRow };
import type { Dossier } from './dossier-row.js';

/** Why a dossier was late, if it was (see the module header). */
export type Verdict = 'on-time' | 'outage' | 'partly-outage' | 'not-outage';

/** One dossier's verdict and the working time behind it. */
export interface Attribution {
  verdict: Verdict;
  /** Working ms from due to finish (or now); 0 when on time. */
  lateMs: number;
  /** Working ms of outage on the dossier's services while it was being handled. */
  outageMs: number;
  /**
   * outageMs split by service, sums to outageMs: while the commune network was down, all of it to 'network';
   * otherwise shared equally among the services down at that moment.
   */
  outageByService: Record<string, number>;
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

/** What `attribute` needs besides the dossier: the clock, the commune's calendar and outage spans. */
export interface AttributeContext {
  now: number;
  calendar: WorkCalendar;
  /** Service classes this dossier's procedure field depends on ('network' is always added). */
  services: readonly string[];
  spans: readonly OutageSpan[];
  idleOnlineMs: number;
}

/** Shared by the many dossiers no outage touched (no allocation per dossier); frozen, so never written. */
const NO_OUTAGE: Record<string, number> = Object.freeze({});

/**
 * Judges one dossier (see the module header): lateness and outage in the commune's working time, the
 * verdict, the outage split by service, the incidents behind it, and whether an online dossier sat idle.
 * `ctx.spans` must be sorted by start (as `groupSpans` returns them); only the dossier's services and the
 * commune network count.
 */
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
  let outageByService: Record<string, number> = NO_OUTAGE;
  if (relevant.length > 0) {
    // The union first (two services down together count once), then its working time.
    for (const i of clip(normalise(relevant), d.receivedAt, end)) outageMs += ctx.calendar.workingMs(i.start, i.end);
    const ids = new Set<number>();
    for (const s of relevant)
      if (ctx.calendar.workingMs(Math.max(s.start, d.receivedAt), Math.min(s.end, end)) > 0) ids.add(s.incidentId);
    incidentIds = [...ids].sort((a, b) => a - b);
    outageByService = relevant.every((s) => s.service === relevant[0]!.service)
      ? outageMs > 0
        ? { [relevant[0]!.service]: outageMs }
        : NO_OUTAGE
      : splitByService(relevant, d.receivedAt, end, ctx.calendar);
  }
  let verdict: Verdict = 'on-time';
  // Late by working time: a dossier finished at 17:30 on its due day, after office hours, is not late.
  if (late && lateMs > 0) verdict = outageMs >= lateMs ? 'outage' : outageMs > 0 ? 'partly-outage' : 'not-outage';
  const idleOnline =
    d.channel === 'online' &&
    ctx.idleOnlineMs > 0 &&
    (d.firstHandledAt === null ? false : ctx.calendar.workingMs(d.receivedAt, d.firstHandledAt) > ctx.idleOnlineMs);
  return {
    verdict,
    lateMs,
    outageMs,
    outageByService,
    incidentIds: verdict === 'on-time' ? [] : incidentIds,
    idleOnline,
    open,
  };
}

/**
 * The union of `spans` inside [from, to) cut at every start and end. A piece during which 'network' was down
 * goes wholly to 'network' (as in the SLA, the vendor is charged nothing while the commune's link is down);
 * any other piece's working time is shared equally by the distinct services down during it (two incidents
 * of one service count once).
 */
function splitByService(
  spans: readonly OutageSpan[],
  from: number,
  to: number,
  calendar: WorkCalendar,
): Record<string, number> {
  const cuts = new Set<number>();
  for (const s of spans) {
    const start = Math.max(s.start, from);
    const end = Math.min(s.end, to);
    if (end > start) cuts.add(start).add(end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    const down = new Set<string>();
    for (const s of spans) if (s.start <= a && s.end >= b) down.add(s.service);
    if (down.size === 0) continue;
    const ms = calendar.workingMs(a, b);
    if (ms === 0) continue;
    if (down.has('network')) out.network = (out.network ?? 0) + ms;
    else for (const service of down) out[service] = (out[service] ?? 0) + ms / down.size;
  }
  return out;
}

/** A dossier's attribution as it concerns some services: their share and the verdict it gives. */
export interface Charged {
  /** The services charged (one, or a vendor's), as asked. */
  services: string[];
  /** Their share of the dossier's outage, working ms. */
  chargedMs: number;
  /**
   * The dossier's verdict as it concerns these services: `outage` when their share alone covers the lateness,
   * `partly-outage` when it is above zero, `not-outage` when the lateness was not their doing; `on-time`.
   */
  verdict: Verdict;
}

/** The charged view of an attribution for a set of services (one service, or all of a vendor's). */
export function charged(
  a: Pick<Attribution, 'verdict' | 'lateMs' | 'outageByService'>,
  services: readonly string[],
): Charged {
  const ms = chargedMs(a, services);
  return { services: [...services], chargedMs: ms, verdict: chargedVerdict(a, ms) };
}

/** The services' summed share of the outage (no allocation: it runs per dossier and summary row). */
export function chargedMs(a: Pick<Attribution, 'outageByService'>, services: readonly string[]): number {
  let ms = 0;
  for (const s of services) ms += a.outageByService[s] ?? 0;
  return ms;
}

/**
 * The verdict a share `ms` of the outage gives: `on-time` when the dossier was, `outage` when the share alone
 * covers the lateness, `partly-outage` when above zero, else `not-outage` (the lateness was not theirs).
 */
export function chargedVerdict(a: Pick<Attribution, 'verdict' | 'lateMs'>, ms: number): Verdict {
  if (a.verdict === 'on-time') return 'on-time';
  // Shares are fractions of a ms: a service alone down for the whole lateness must still read `outage`.
  if (Math.round(ms) >= a.lateMs) return 'outage';
  return ms > 0 ? 'partly-outage' : 'not-outage';
}
