/**
 * The control group of an incident record: at the same minutes, from the same commune, what the checks of
 * the commune's own network path (gateway, resolver, uplink, data centre) and its other services showed, and
 * how many other communes saw the same failure. This is what settles "your software fails" against "it's
 * your network": the gateway, DNS and uplink answering 30/30 while the one-stop-shop failed 10/10 leaves
 * nothing to argue about, and the gateway failing too says the opposite just as plainly.
 *
 * Raw results are read while retention keeps them (30 days by default; a commune's hour is ~1000 rows);
 * after that the minute, then hour rollups, where a path check is told apart by its service class
 * ('network') because rollups do not keep the role.
 */
import { PATH_ROLES, type Incident, type SpanRow } from '../outages/incident.js';
import type { RollupRow, Store, StoredResult } from '../store/store.js';

/** The first hour of the failure is what the record compares: long enough for dozens of rounds, short to read. */
export const CONTROL_WINDOW_MS = 60 * 60_000;
/** Central incidents: communes compared one by one, the first by start (the rest counted). */
export const CONTROL_COMMUNES = 12;

/** What a control row is to the failure: the commune's network path, the failing service, or another service. */
export type ControlGroup = 'path' | 'subject' | 'other';

/** One target of the commune over the window. */
export interface ControlRow {
  target: string;
  kind: string;
  service: string;
  role: string | null;
  /** path: the commune's own network; subject: the failing service itself; other: the commune's other services. */
  group: ControlGroup;
  checks: number;
  ok: number;
  worstLatencyMs: number | null;
  maxLossPct: number | null;
}

/** Checks that passed out of those run, over the window. */
export interface ControlTally {
  ok: number;
  total: number;
}

/** One failing commune's control group: its targets over the window compared, with the tallies per group. */
export interface ControlCommune {
  commune: string;
  from: number;
  to: number;
  /** True when the failure at this commune lasted longer than the window compared. */
  clipped: boolean;
  source: 'results' | 'minute' | 'hour' | 'none';
  rows: ControlRow[];
  path: ControlTally;
  subject: ControlTally;
  others: ControlTally;
}

/** The same kind of failure at other communes over the same minutes: how far it reached. */
export interface ControlElsewhere {
  /** The service compared (null: a commune-network failure, compared with other communes' networks). */
  service: string | null;
  from: number;
  to: number;
  /** Other communes with a counted incident of the same kind overlapping the incident. */
  communes: string[];
  /** Communes that probed the service (or, for a network failure, sent anything) in the window; null unknown. */
  probing: number | null;
}

const tally = (rows: ControlRow[], group: ControlGroup): ControlTally =>
  rows
    .filter((r) => r.group === group)
    .reduce((a, r) => ({ ok: a.ok + r.ok, total: a.total + r.checks }), { ok: 0, total: 0 });

/** A path check by its role; without one (rollups, old agents) by its service class 'network'. */
function groupOf(role: string | null, service: string, subject: string | null): ControlGroup {
  if (role !== null ? PATH_ROLES.has(role) : service === 'network') return 'path';
  return subject !== null && service === subject ? 'subject' : 'other';
}

const maxOf = (a: number | null, b: number | undefined | null): number | null =>
  b === undefined || b === null ? a : a === null ? b : Math.max(a, b);

/** The target's row, started empty on its first sample (results and rollups alike). */
function rowOf(
  byTarget: Map<string, ControlRow>,
  s: Pick<ControlRow, 'target' | 'kind' | 'service'>,
  group: ControlRow['group'],
): ControlRow {
  let row = byTarget.get(s.target);
  if (!row) {
    const { target, kind, service } = s;
    row = { target, kind, service, role: null, group, checks: 0, ok: 0, worstLatencyMs: null, maxLossPct: null };
    byTarget.set(s.target, row);
  }
  return row;
}

function fromResults(results: StoredResult[], subject: string | null): ControlRow[] {
  const byTarget = new Map<string, ControlRow>();
  // Oldest first, so the role kept is the newest one a target reported.
  for (const r of [...results].reverse()) {
    const row = rowOf(byTarget, r, 'other');
    row.role = r.role ?? row.role;
    row.checks += 1;
    if (r.ok) row.ok += 1;
    row.worstLatencyMs = maxOf(row.worstLatencyMs, r.latencyMs);
    if (r.icmp) row.maxLossPct = maxOf(row.maxLossPct, Math.round(r.icmp.lossRatio * 100));
  }
  for (const row of byTarget.values()) row.group = groupOf(row.role, row.service, subject);
  return [...byTarget.values()];
}

function fromRollups(rollups: RollupRow[], subject: string | null): ControlRow[] {
  const byTarget = new Map<string, ControlRow>();
  for (const b of rollups) {
    const row = rowOf(byTarget, b, groupOf(null, b.service, subject));
    row.checks += b.count;
    row.ok += b.okCount;
    row.worstLatencyMs = maxOf(row.worstLatencyMs, b.latencyMaxMs);
    if (b.lossCount > 0) row.maxLossPct = maxOf(row.maxLossPct, Math.round((b.lossSum / b.lossCount) * 100));
  }
  return [...byTarget.values()];
}

const ORDER: Record<ControlGroup, number> = { path: 0, subject: 1, other: 2 };

/** What the commune's checks showed in [from, to): path first, then the failing service, then the others. */
export function controlCommune(
  store: Pick<Store, 'listResults' | 'rollups'>,
  q: { commune: string; from: number; to: number; clipped: boolean; subject: string | null },
): ControlCommune {
  let source: ControlCommune['source'] = 'results';
  let rows = fromResults(store.listResults({ commune: q.commune, from: q.from, to: q.to, limit: 10_000 }), q.subject);
  for (const resolution of ['minute', 'hour'] as const) {
    if (rows.length > 0) break;
    source = resolution;
    rows = fromRollups(store.rollups({ resolution, commune: q.commune, from: q.from, to: q.to }), q.subject);
  }
  if (rows.length === 0) source = 'none';
  rows.sort((a, b) => ORDER[a.group] - ORDER[b.group] || a.target.localeCompare(b.target));
  return {
    commune: q.commune,
    from: q.from,
    to: q.to,
    clipped: q.clipped,
    source,
    rows,
    path: tally(rows, 'path'),
    subject: tally(rows, 'subject'),
    others: tally(rows, 'other'),
  };
}

/** The window compared at one commune: its first down span (else its start), at most CONTROL_WINDOW_MS. */
export function controlWindow(
  span: { startedAt: number; endedAt: number | null },
  firstDown: number | null,
  now: number,
): { from: number; to: number; clipped: boolean } {
  const from = Math.max(span.startedAt, firstDown ?? span.startedAt);
  const end = Math.max(from + 60_000, span.endedAt ?? now);
  return { from, to: Math.min(end, from + CONTROL_WINDOW_MS), clipped: end > from + CONTROL_WINDOW_MS };
}

/** The same failure elsewhere: other communes' incidents of the same kind overlapping this one. */
export function elsewhere(
  store: Pick<Store, 'rollups'> & { incidents: { outageSpans(from: number, to: number): SpanRow[] } },
  inc: Incident,
  own: ReadonlySet<string>,
  window: { from: number; to: number },
  now: number,
): ControlElsewhere {
  const from = inc.startedAt;
  const to = Math.max(from + 60_000, inc.endedAt ?? now);
  const same = (s: SpanRow) =>
    inc.service === null
      ? s.cause === inc.cause
      : s.service === inc.service && (s.cause === 'local-service' || s.cause === 'central-service');
  const communes = [
    ...new Set(
      store.incidents
        .outageSpans(from, to)
        .filter((s) => s.incidentId !== inc.id && same(s) && !own.has(s.commune))
        .map((s) => s.commune),
    ),
  ].sort();
  const service = inc.service;
  const buckets = store.rollups({ resolution: 'hour', from: window.from - 3_600_000, to: window.to });
  const probed = new Set(
    buckets.filter((b) => b.count > 0 && (service === null || b.service === service)).map((b) => b.commune),
  );
  return { service, from, to, communes, probing: probed.size > 0 ? probed.size : null };
}
