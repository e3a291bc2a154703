/**
 * The state machine of one (commune, target), fed its results in time order. Pure: no storage, no clock;
 * the engine persists the state and turns transitions into incidents.
 *
 *   up ──N failures in a row──▶ down ──M successes in a row──▶ up (or degraded, if those were slow)
 *   up ──N slow/lossy successes──▶ degraded ──M good results──▶ up;   degraded ──N failures──▶ down
 *
 * Transitions are dated at the first result of the streak that caused them, so an outage starts when the
 * first failure was seen, not when the third confirmed it. A target that changed state `flap.changes`
 * times within `flap.windowSec` is flapping: the engine keeps its incident open until it has been stable.
 */

export type TargetStateName = 'up' | 'down' | 'degraded';

export interface Thresholds {
  /** Failures in a row before down (Gatus' failure-threshold). */
  failuresToOpen: number;
  /** Successes in a row before recovery (success-threshold). */
  successesToClose: number;
  /** Slow or lossy successes in a row before degraded. */
  degradedAfter: number;
  /** ICMP loss ratio from which a success counts as degraded. */
  lossRatioDegraded: number;
  flap: { changes: number; windowSec: number; stableSec: number };
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  failuresToOpen: 3,
  successesToClose: 2,
  degradedAfter: 3,
  lossRatioDegraded: 0.2,
  flap: { changes: 6, windowSec: 1800, stableSec: 600 },
};

/** What the machine needs from one result. */
export interface Sample {
  id: string;
  ts: number;
  ok: boolean;
  /** Succeeded, but slow (layer 'slow') or lossy. */
  bad: boolean;
  layer?: string;
  errorCode?: string;
  summary: string;
}

interface Streak {
  count: number;
  since: number;
}

export interface Machine {
  state: TargetStateName;
  since: number;
  lastTs: number;
  fail?: Streak;
  ok?: Streak;
  good?: Streak;
  bad?: Streak;
  /** Fault layer of the latest failure. */
  layer?: string;
  /** The latest failing samples (up to EVIDENCE_KEEP): evidence for the incident they open. */
  recent: Sample[];
  /** Times of recent state changes, for flap detection. */
  flips: number[];
}

export interface Transition {
  from: TargetStateName;
  to: TargetStateName;
  /** Event time the new state began. */
  at: number;
}

const EVIDENCE_KEEP = 5;

export function initialMachine(ts: number): Machine {
  return { state: 'up', since: ts, lastTs: ts, recent: [], flips: [] };
}

const bump = (s: Streak | undefined, ts: number): Streak => ({ count: (s?.count ?? 0) + 1, since: s?.since ?? ts });

/** Applies one result; returns the new machine and the transition, if any. Late results (ts < lastTs) change nothing. */
export function step(m: Machine, sample: Sample, th: Thresholds): { machine: Machine; transition?: Transition } {
  if (sample.ts < m.lastTs) return { machine: m };
  const next: Machine = { ...m, lastTs: sample.ts };
  if (!sample.ok) {
    next.fail = bump(m.fail, sample.ts);
    next.ok = next.good = next.bad = undefined;
    next.layer = sample.layer;
    next.recent = [...m.recent, sample].slice(-EVIDENCE_KEEP);
  } else {
    next.fail = undefined;
    next.ok = bump(m.ok, sample.ts);
    if (sample.bad) {
      next.bad = bump(m.bad, sample.ts);
      next.good = undefined;
      next.recent = [...m.recent, sample].slice(-EVIDENCE_KEEP);
    } else {
      next.good = bump(m.good, sample.ts);
      next.bad = undefined;
    }
  }
  const to = target(next, th);
  if (to === undefined || to.state === m.state) return { machine: next };
  const at = to.at;
  next.state = to.state;
  next.since = at;
  next.flips = [...m.flips, at].filter((t) => t > at - th.flap.windowSec * 1000);
  if (to.state === 'up') next.recent = [];
  return { machine: next, transition: { from: m.state, to: to.state, at } };
}

function target(m: Machine, th: Thresholds): { state: TargetStateName; at: number } | undefined {
  if (m.fail && m.fail.count >= th.failuresToOpen) return { state: 'down', at: m.fail.since };
  if (m.state === 'down') {
    if (!m.ok || m.ok.count < th.successesToClose) return undefined;
    return m.bad && m.bad.count >= th.degradedAfter ? { state: 'degraded', at: m.ok.since } : { state: 'up', at: m.ok.since };
  }
  if (m.bad && m.bad.count >= th.degradedAfter) return { state: 'degraded', at: m.bad.since };
  if (m.state === 'degraded' && m.good && m.good.count >= th.successesToClose) return { state: 'up', at: m.good.since };
  return undefined;
}

/** Changed state often enough lately that a recovery should not close its incident yet. */
export function isFlapping(m: Machine, th: Thresholds): boolean {
  return m.flips.length >= th.flap.changes;
}
