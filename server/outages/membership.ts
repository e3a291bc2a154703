/**
 * Which incident a target's state belongs to, and what it brings to it. Pure, so every rule is unit-tested.
 *
 * - Checks that measure the commune's network — the path roles (gateway, resolvers, uplink, data centre)
 *   and any target of service class `network` (an ICMP loss probe to the data centre) — belong to the
 *   commune's one network incident whenever they are not up. On their own they prove only that the network
 *   works badly: they contribute **degraded** ("Mạng chập chờn / chậm"), never down. A gateway that ignores
 *   ping, or 30 % loss while every one-stop-shop round succeeds, is not an outage.
 * - A service check that fails on the `lan`, `uplink` or `dns` layer belongs to the network incident too,
 *   and it is what makes the network **down**: services really failed because of the network.
 * - Any other non-up service check has its own local-service incident (down, or degraded when slow).
 *
 * The network incident's layer is the nearest failing one among its members: LAN before uplink before DNS
 * before the upstream link to the data centre.
 */
import type { DegradedFigures } from './incident.js';
import { NETWORK_LAYERS, PATH_ROLES } from './incident.js';
import type { Machine, MemberCause, MemberInfo, SpellStats, Thresholds } from './target-machine.js';
import { baselineAt } from './target-machine.js';

/** What a path check's failure says about where the network broke. */
const ROLE_LAYER: Record<string, string> = {
  gateway: 'lan',
  resolver: 'dns',
  uplink: 'uplink',
  datacentre: 'upstream',
};
/** Nearest first: the layer an incident shows when several of its members disagree. */
const LAYER_ORDER = ['lan', 'uplink', 'dns', 'upstream', 'slow', 'tls', 'service'];

/** Whether a target measures the commune's network itself (rather than a service through it). */
export function measuresNetwork(service: string, role: string | undefined): boolean {
  return service === 'network' || PATH_ROLES.has(role ?? '');
}

/** The cause a failing or bad result of this target concerns. */
export function sampleCause(networkCheck: boolean, ok: boolean, layer: string | undefined): MemberCause {
  return networkCheck || (!ok && NETWORK_LAYERS.has(layer ?? '')) ? 'network' : 'service';
}

/** What the target contributes now, or undefined when it is up (and not held by flapping). */
export function membership(m: Machine, networkCheck: boolean, role: string | undefined): MemberInfo | undefined {
  if (m.state === 'up') return undefined;
  const down = m.state === 'down';
  if (networkCheck) {
    // A path check names its own layer; a network target without a role (a loss probe to the data
    // centre) is the uplink unless the agent placed it nearer.
    const layer = ROLE_LAYER[role ?? ''] ?? (down && NETWORK_LAYERS.has(m.layer ?? '') ? m.layer! : 'uplink');
    return { cause: 'network', severity: 'degraded', layer };
  }
  if (down && NETWORK_LAYERS.has(m.layer ?? '')) return { cause: 'network', severity: 'down', layer: m.layer! };
  return { cause: 'service', severity: down ? 'down' : 'degraded', layer: down ? (m.layer ?? null) : 'slow' };
}

export function sameMember(a: MemberInfo | undefined, b: MemberInfo | undefined): boolean {
  return a?.cause === b?.cause && a?.severity === b?.severity && a?.layer === b?.layer && !!a?.held === !!b?.held;
}

/** The nearest layer among several. */
export function nearestLayer(layers: ReadonlyArray<string | null>): string | null {
  let best: string | null = null;
  for (const l of layers) {
    if (l === null) continue;
    const rank = (x: string) => (LAYER_ORDER.indexOf(x) + LAYER_ORDER.length + 1) % (LAYER_ORDER.length + 1);
    if (best === null || rank(l) < rank(best)) best = l;
  }
  return best;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** A degraded incident's figures from one member's spell, merged into what the incident already had. */
export function mergeFigures(
  prev: DegradedFigures | null,
  target: string,
  m: Machine,
  th: Thresholds,
): DegradedFigures | null {
  const st: SpellStats | undefined = m.stats;
  if (!st) return prev;
  const out: DegradedFigures = { ...prev };
  if (st.lossMax > 0) out.lossPct = Math.max(out.lossPct ?? 0, Math.round(st.lossMax * 1000) / 10);
  if (st.latencies.length > 0) {
    const sorted = [...st.latencies].sort((a, b) => a - b);
    out.rttP50Ms = Math.round(quantile(sorted, 0.5));
    out.rttP95Ms = Math.round(quantile(sorted, 0.95));
    const base = baselineAt(m, m.lastTs, th);
    if (base !== undefined) out.baselineMs = Math.round(base);
  }
  if (st.slowestMs > (out.slowestMs ?? 0)) {
    out.slowestMs = Math.round(st.slowestMs);
    out.slowestStep = target;
  }
  return Object.keys(out).length > 0 ? out : null;
}
