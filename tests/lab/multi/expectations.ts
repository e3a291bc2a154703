/**
 * What every scenario must show, from issue 12 ("one fault, one incident, one story"), as soft assertions
 * so one run reports every broken rule of a scenario. Wording is matched loosely (regular expressions over
 * the message text), so rephrasing a message does not break the lab; kinds, causes, layers, communes and
 * times are matched exactly, times within one probe interval.
 */
import { expect } from 'vitest';
import { SERVICE_INTERVAL_SEC } from '../multi-lab.js';
import { countsTowardsUptime, messageCommunes, type LabIncident, type LabMessage } from './observe.js';
import type { ScenarioOutcome } from './scenario.js';

/**
 * One (service) probe interval plus a second: the first round after the change, and a round that started
 * just before it but ended on the other side.
 */
export const TOLERANCE_MS = SERVICE_INTERVAL_SEC * 1000 + 1000;
/**
 * A FIRING item for an incident that had ended this long before the message was generated is a FIRING
 * for something already over (the server had time to learn of the recovery: two rounds and a push).
 */
export const STALE_FIRING_MS = 2 * SERVICE_INTERVAL_SEC * 1000 + 2000;

/** Regular expressions over message text (Vietnamese by default; English accepted too). */
export const TEXT = {
  lostContact: /mất liên lạc|lost contact/i,
  confirmed: /xác nhận|confirmed/i,
  degraded: /chập chờn|chậm|degraded|slow/i,
  flapping: /chập chờn nhiều lần|flapping/i,
  layer: {
    uplink: /đường truyền|uplink/i,
    lan: /mạng nội bộ|\bLAN\b/i,
    dns: /DNS|tên miền/i,
    service: /phía máy chủ|server side/i,
  } as Record<string, RegExp>,
};

export const t0Of = (o: ScenarioOutcome, mark: string): number => {
  const t = o.marks[mark]?.[0];
  if (t === undefined) throw new Error(`${o.name}: no mark "${mark}"`);
  return t;
};

/** `t` within TOLERANCE_MS of `ref`. */
export function expectNear(what: string, t: number | null | undefined, ref: number, toleranceMs = TOLERANCE_MS): void {
  const delta = t === null || t === undefined ? null : t - ref;
  expect
    .soft(
      delta !== null && Math.abs(delta) <= toleranceMs,
      `${what}: ${delta === null ? 'none' : `${(delta / 1000).toFixed(1)} s`} from the fault's time (allowed ±${toleranceMs / 1000} s)`,
    )
    .toBe(true);
}

export const counting = (o: ScenarioOutcome) => o.incidents.filter(countsTowardsUptime);
export const ofCause = (o: ScenarioOutcome, cause: string, commune?: string) =>
  counting(o).filter(
    (i) =>
      i.cause === cause &&
      (commune === undefined || i.commune === commune || i.communes.some((c) => c.commune === commune)),
  );

export const messagesAbout = (o: ScenarioOutcome, commune: string) =>
  o.messages.filter((m) => messageCommunes(m).includes(commune));
export const itemsOf = (m: LabMessage) => [...m.firing, ...m.resolved, ...m.confirmed];
export const brief = (ms: LabMessage[]) =>
  ms
    .map(
      (m) =>
        `${m.kind}[${itemsOf(m)
          .map((a) => `${a.cause}#${a.id}`)
          .join(',')}]`,
    )
    .join(' ');
/**
 * How one incident was told across messages, one letter per message that lists it: F (first FIRING),
 * U (listed as still failing again), R (RESOLVED), C (CONFIRMED). One story is `C` or `FU*R`.
 */
export function storyOf(ms: LabMessage[], id: number): string {
  let told = false;
  let out = '';
  for (const m of ms) {
    if (m.confirmed.some((a) => a.id === id)) out += 'C';
    else if (m.resolved.some((a) => a.id === id)) out += 'R';
    else if (m.firing.some((a) => a.id === id)) {
      out += told ? 'U' : 'F';
      told = true;
    }
  }
  return out;
}
export const briefIncidents = (is: LabIncident[]) =>
  is.map((i) => `${i.cause}#${i.id}(${i.severity},${i.layer ?? '-'})`).join(' ');

/**
 * The rules of issue 12 that hold in every scenario:
 * - every message is signed correctly;
 * - at most one network incident per commune at any moment (no overlapping commune-network incidents);
 * - a commune-network incident carries its layer;
 * - an ICMP or path target measuring the network never opens a service incident;
 * - no FIRING for an incident already over; every FIRING later gets its resolve, also when merged.
 */
export function expectCommonRules(o: ScenarioOutcome): void {
  expect.soft(o.error, `${o.name}: the scenario itself failed`).toBeUndefined();
  for (const m of o.messages)
    expect.soft(m.signatureOk, `message ${m.kind} at ${m.receivedAt}: HMAC signature`).toBe(true);
  const network = counting(o).filter((i) => i.cause === 'commune-network');
  for (const code of o.communes) {
    const mine = network.filter((i) => i.commune === code).sort((a, b) => a.startedAt - b.startedAt);
    for (let k = 1; k < mine.length; k++) {
      const prev = mine[k - 1]!;
      const cur = mine[k]!;
      expect
        .soft(
          (prev.endedAt ?? Infinity) <= cur.startedAt,
          `${code}: commune-network #${prev.id} and #${cur.id} overlap in time`,
        )
        .toBe(true);
    }
  }
  for (const i of network) expect.soft(i.layer, `commune-network #${i.id} has a layer`).not.toBeNull();
  const networkService = counting(o).filter((i) => i.cause === 'local-service' && i.service === 'network');
  expect.soft(briefIncidents(networkService), 'no local-service incident for a target of service "network"').toBe('');
  const byId = new Map(o.incidents.map((i) => [i.id, i]));
  o.messages.forEach((m, idx) => {
    for (const a of m.firing) {
      const inc = byId.get(a.id);
      const over = inc?.endedAt ?? a.endedAt;
      const stale = over !== null && over !== undefined && over < m.generatedAt - STALE_FIRING_MS;
      expect
        .soft(
          stale,
          `message ${idx + 1} (${m.kind}) lists ${a.cause}#${a.id} as FIRING ` +
            `${over ? ((m.generatedAt - over) / 1000).toFixed(1) : '?'} s after it had ended`,
        )
        .toBe(false);
      const resolvedLater = o.messages
        .slice(idx + 1)
        .some((n) => [...n.resolved, ...n.confirmed].some((r) => r.id === a.id));
      expect
        .soft(resolvedLater, `${a.cause}#${a.id} was announced FIRING (message ${idx + 1}) and never resolved`)
        .toBe(true);
    }
  });
}

/** Network downtime charged to a commune over the scenario's window, ms. */
export const networkDownMs = (o: ScenarioOutcome, code: string) =>
  Math.max(0, ...(o.uptime[code] ?? []).map((r) => r.networkDownMs));
export const serviceDownMs = (o: ScenarioOutcome, code: string, service: string) =>
  (o.uptime[code] ?? []).find((r) => r.service === service)?.serviceDownMs ?? 0;
