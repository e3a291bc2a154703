/**
 * Uptime accounting from incidents, fair to both sides:
 *
 * - a service's downtime at a commune is the union of its local-service incidents there and the central
 *   incidents that listed the commune (each with the commune's own start and end) — never counted twice;
 * - only the spans an incident was down count; degraded time (the link or service worked, badly: loss,
 *   congestion, slowness) is shown but never charged as downtime;
 * - the commune's network downtime is the union of its commune-network and agent-silent incidents: time
 *   with no data because the agent, the power or the link was down counts against the commune network,
 *   never against the vendor, so it is taken out of the service's denominator;
 * - maintenance windows are planned time, out of both denominators;
 * - time before the commune's first result is unknown, not up;
 * - optionally everything is intersected with the commune's working time (calendar.md).
 */
import { intersect, normalise, subtract, totalMs, type Interval } from '../calendar/intervals.js';
import type { WorkCalendar } from '../calendar/working-time.js';
import { counts, downSpansOf, type Incident } from './incident.js';

export interface UptimeInput {
  from: number;
  to: number;
  /** First result seen from the commune (targets.first_seen); earlier time is unknown. */
  observedFrom: number | undefined;
  /** Counted or not, filtering happens here. Incidents of other communes or services are ignored. */
  incidents: readonly Incident[];
  commune: string;
  service: string;
  /** Maintenance windows that cover this commune and service. */
  planned: readonly Interval[];
  /** Restrict to office hours. */
  calendar?: WorkCalendar;
  /**
   * The calendar's working time over [from, to), when the caller has it already (many pairs share one
   * calendar): saves computing it again per pair.
   */
  working?: readonly Interval[];
  /** Also return the service's downtime as intervals (the SLA report unions them across communes). */
  keepIntervals?: boolean;
}

export interface UptimeFigures {
  /** Time counted (observed, minus planned), ms. */
  observedMs: number;
  plannedMs: number;
  networkDownMs: number;
  /** Service downtime while the commune's network was up. */
  serviceDownMs: number;
  /** 1 − networkDown / observed; null when nothing was observed. */
  networkUptime: number | null;
  /** 1 − serviceDown / (observed − networkDown); null when that is zero. */
  serviceUptime: number | null;
  /** With `keepIntervals`: the charged service downtime itself (serviceDownMs is its length). */
  serviceDown?: Interval[];
}

/** Central incidents list hundreds of communes: looked up by code, built once per incident object. */
const communeIndex = new WeakMap<Incident, Map<string, Incident['communes'][number]>>();

/** The downtime an incident charges at a commune: its down spans there (degraded time is not downtime). */
function spansOf(i: Incident, commune: string, to: number): Interval[] {
  let c: { startedAt: number; endedAt: number | null } | undefined;
  if (i.commune === commune) return downSpansOf(i, to);
  else if (i.communes.length < 8) c = i.communes.find((x) => x.commune === commune);
  else {
    let index = communeIndex.get(i);
    if (!index) communeIndex.set(i, (index = new Map(i.communes.map((x) => [x.commune, x]))));
    c = index.get(commune);
  }
  if (!c) return [];
  return downSpansOf({ severity: i.severity, downSpans: null, startedAt: c.startedAt, endedAt: c.endedAt }, to);
}

export function uptime(input: UptimeInput): UptimeFigures {
  const { from, to, commune, service } = input;
  const start = Math.max(from, input.observedFrom ?? to);
  let window: Interval[] = start < to ? [{ start, end: to }] : [];
  if (input.working) window = intersect([...input.working], window);
  else if (input.calendar) window = input.calendar.intersectWorking(window);
  const within = (set: Interval[]) => intersect(normalise(set), window);
  const planned = within([...input.planned]);
  const network: Interval[] = [];
  const serviceDown: Interval[] = [];
  for (const i of input.incidents) {
    if (!counts(i)) continue;
    const onNetwork = i.cause === 'commune-network' || i.cause === 'agent-silent';
    if (!onNetwork && !(i.service === service && (i.cause === 'local-service' || i.cause === 'central-service')))
      continue;
    const spans = spansOf(i, commune, to);
    (onNetwork ? network : serviceDown).push(...spans);
  }
  const observed = subtract(window, planned);
  const networkDown = intersect(within(network), observed);
  const serviceOnly = subtract(intersect(within(serviceDown), observed), networkDown);
  const observedMs = totalMs(observed);
  const networkDownMs = totalMs(networkDown);
  const serviceDownMs = totalMs(serviceOnly);
  const serviceBase = observedMs - networkDownMs;
  return {
    observedMs,
    plannedMs: totalMs(planned),
    networkDownMs,
    serviceDownMs,
    networkUptime: observedMs > 0 ? 1 - networkDownMs / observedMs : null,
    serviceUptime: serviceBase > 0 ? 1 - serviceDownMs / serviceBase : null,
    ...(input.keepIntervals && { serviceDown: serviceOnly }),
  };
}
