/**
 * The state machine of one (commune, target), fed its results in time order. Pure: no storage, no clock;
 * the engine persists the state and turns its membership of incidents into incidents.
 *
 *   up ──N failures in a row──▶ down ──M successes in a row──▶ up (or degraded, if those were bad)
 *   up ──N bad successes──▶ degraded ──M good results──▶ up;   degraded ──N failures──▶ down
 *
 * A success is "bad" (the link or service works, but badly) when the agent marked it slow (over its latency
 * budget: e-signing taking minutes), when it lost echoes and the loss over the target's latest
 * `lossMinEchoes` echoes reaches `lossRatioDegraded` (one check of 3 echoes losing one is 33 % — noise, not
 * a verdict; a bad spell caused by loss is dated from the first of the run of lossy checks), or when its
 * latency is far above this target's own usual latency at this hour of the day (`latencyFactorDegraded` ×
 * the hour's baseline, and at least `latencyMinExcessMs` more) — the baseline is learnt from good results
 * only, per hour of the day in Vietnam time, once `baselineMinSamples` results were seen at that hour.
 *
 * Transitions are dated at the first result of the streak that caused them, so an outage starts when the
 * first failure was seen, not when the third confirmed it. Each transition is tagged with the cause it
 * concerns (the commune network or the service): flapping counts only changes of one cause, so a vendor's
 * outages never make a network incident "flapping".
 */

export type TargetStateName = 'up' | 'down' | 'degraded';
/** Which incident a non-up state belongs to: the commune's network, or the service seen from the commune. */
export type MemberCause = 'network' | 'service';

export interface Thresholds {
  /** Failures in a row before down (Gatus' failure-threshold). */
  failuresToOpen: number;
  /** Successes in a row before recovery (success-threshold). */
  successesToClose: number;
  /** Bad (slow, lossy, far above baseline) successes in a row before degraded. */
  degradedAfter: number;
  /** ICMP loss ratio, over the latest `lossMinEchoes` echoes, from which a lossy success counts as bad. */
  lossRatioDegraded: number;
  /** Echoes loss is judged over (several checks' worth): fewer say nothing. */
  lossMinEchoes: number;
  /** Latency this many times the hour's baseline counts as bad… */
  latencyFactorDegraded: number;
  /** …when it is also at least this much above it, ms (0.5 ms → 5 ms is not congestion). */
  latencyMinExcessMs: number;
  /** Good results seen at an hour of the day before its baseline is trusted. */
  baselineMinSamples: number;
  /** A network check that was only degraded stays in its incident this long after recovering, s. */
  degradedHoldSec: number;
  flap: { changes: number; windowSec: number; stableSec: number };
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  failuresToOpen: 3,
  successesToClose: 2,
  degradedAfter: 3,
  lossRatioDegraded: 0.2,
  lossMinEchoes: 100,
  latencyFactorDegraded: 4,
  latencyMinExcessMs: 300,
  baselineMinSamples: 30,
  degradedHoldSec: 300,
  flap: { changes: 6, windowSec: 1800, stableSec: 600 },
};

/** What the machine needs from one result. */
export interface Sample {
  id: string;
  ts: number;
  ok: boolean;
  /** Succeeded, but the agent marked it slow (the machine adds lossy and far above baseline). */
  bad: boolean;
  /** The cause a failure of this sample concerns (network checks and network-layer failures: 'network'). */
  cause: MemberCause;
  layer?: string;
  errorCode?: string;
  latencyMs?: number;
  lossRatio?: number;
  /** ICMP echoes sent. */
  sent?: number;
  summary: string;
}

interface Streak {
  count: number;
  since: number;
}

/** Figures of the current bad spell (slow, lossy successes), for a degraded incident's message. Bounded. */
export interface SpellStats {
  latencies: number[];
  lossMax: number;
  slowestMs: number;
}

export interface Flip {
  at: number;
  cause: MemberCause;
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
  /** Cause of the latest failing or bad sample. */
  cause?: MemberCause;
  /** The latest failing samples (up to EVIDENCE_KEEP): evidence for the incident they open. */
  recent: Sample[];
  /** Recent state changes with their cause, for flap detection. */
  flips: Flip[];
  /** Good-latency baseline per hour of day (Vietnam time): mean and count. */
  baseline?: { mean: number[]; n: number[] };
  stats?: SpellStats;
  /** The latest echoes, [sent, lost] per check, just enough to reach lossMinEchoes. */
  echoes?: Array<[number, number]>;
  /** First check of the current run of checks that lost echoes. */
  lossRunSince?: number;
  /** The current run of failing or bad results of one cause: a change of cause needs a run as long as an outage. */
  causeRun?: { cause: MemberCause; count: number; since: number };
  /** The incident this target is part of now, and what it brings to it (engine bookkeeping). */
  member?: MemberInfo;
  /** The path role of the target's latest result, if it is a path check. */
  role?: string;
}

/** What one target contributes to the incident it belongs to. */
export interface MemberInfo {
  cause: MemberCause;
  severity: 'down' | 'degraded';
  layer: string | null;
  /** Recovered but flapping: kept in its incident until stable for flap.stableSec. */
  held?: boolean;
  /** How long a held member must stay up before it leaves, s. */
  holdSec?: number;
}

export interface Transition {
  from: TargetStateName;
  to: TargetStateName;
  /** Event time the new state began. */
  at: number;
}

const EVIDENCE_KEEP = 5;
/** Latencies kept for a degraded spell's p50/p95: enough for a stable p95, small enough to save per result. */
const STATS_KEEP = 60;
const VN_OFFSET_H = 7;

export function initialMachine(ts: number): Machine {
  return { state: 'up', since: ts, lastTs: ts, recent: [], flips: [] };
}

/** Machines stored before flips carried a cause hold bare numbers: they cannot say which cause, so drop them. */
export function normaliseMachine(m: Machine): Machine {
  const flips = (m.flips as unknown[]).filter((f): f is Flip => typeof f === 'object' && f !== null);
  return flips.length === m.flips.length ? m : { ...m, flips };
}

const bump = (s: Streak | undefined, ts: number): Streak => ({ count: (s?.count ?? 0) + 1, since: s?.since ?? ts });
const hourOf = (ts: number) => Math.floor(ts / 3_600_000 + VN_OFFSET_H) % 24;

/** The learnt usual latency at this hour, once enough good results were seen. */
export function baselineAt(m: Machine, ts: number, th: Thresholds): number | undefined {
  const h = hourOf(ts);
  return m.baseline && m.baseline.n[h]! >= th.baselineMinSamples ? m.baseline.mean[h] : undefined;
}

function farAboveBaseline(m: Machine, s: Sample, th: Thresholds): boolean {
  if (s.latencyMs === undefined) return false;
  const base = baselineAt(m, s.ts, th);
  return (
    base !== undefined && s.latencyMs >= base * th.latencyFactorDegraded && s.latencyMs - base >= th.latencyMinExcessMs
  );
}

function learn(m: Machine, s: Sample): Machine['baseline'] {
  if (s.latencyMs === undefined) return m.baseline;
  const b = m.baseline ?? { mean: new Array<number>(24).fill(0), n: new Array<number>(24).fill(0) };
  const h = hourOf(s.ts);
  const mean = [...b.mean];
  const n = [...b.n];
  n[h] = Math.min(n[h]! + 1, 10_000);
  // A running mean at first, then an exponential one that follows slow drift but not one bad afternoon.
  mean[h] = mean[h]! + (s.latencyMs - mean[h]!) / Math.min(n[h]!, 200);
  return { mean, n };
}

function addStats(st: SpellStats | undefined, s: Sample): SpellStats {
  const out = st ? { ...st, latencies: [...st.latencies] } : { latencies: [], lossMax: 0, slowestMs: 0 };
  if (s.latencyMs !== undefined) {
    out.latencies.push(s.latencyMs);
    if (out.latencies.length > STATS_KEEP) out.latencies.shift();
    out.slowestMs = Math.max(out.slowestMs, s.latencyMs);
  }
  if (s.lossRatio !== undefined) out.lossMax = Math.max(out.lossMax, s.lossRatio);
  return out;
}

/** The echo window after this check, and its loss once it holds enough echoes. */
function echoWindow(m: Machine, s: Sample, th: Thresholds): { echoes?: Array<[number, number]>; loss?: number } {
  if (!s.ok || s.sent === undefined || s.sent === 0 || s.lossRatio === undefined) return { echoes: m.echoes };
  const echoes: Array<[number, number]> = [...(m.echoes ?? []), [s.sent, Math.round(s.sent * s.lossRatio)]];
  let sent = echoes.reduce((n, [x]) => n + x, 0);
  while (echoes.length > 1 && sent - echoes[0]![0] >= th.lossMinEchoes) sent -= echoes.shift()![0];
  if (sent < th.lossMinEchoes) return { echoes };
  return { echoes, loss: echoes.reduce((n, [, l]) => n + l, 0) / sent };
}

/**
 * Applies one result; returns the new machine, the transition if any, and the sample as judged (bad when
 * lossy or far above baseline). Late results (ts < lastTs) change nothing.
 */
export function step(
  m: Machine,
  input: Sample,
  th: Thresholds,
): { machine: Machine; transition?: Transition; sample: Sample } {
  if (input.ts < m.lastTs) return { machine: m, sample: input };
  const window = echoWindow(m, input, th);
  const lostNow = (input.lossRatio ?? 0) > 0;
  const lossy = input.ok && lostNow && window.loss !== undefined && window.loss >= th.lossRatioDegraded;
  const label = lossy ? 'LOSSY' : 'SLOW';
  const judged = !input.bad && (lossy || (input.ok && farAboveBaseline(m, input, th)));
  const sample = judged
    ? { ...input, bad: true, summary: input.summary.replace(/^OK/, label), ...(lossy && { lossRatio: window.loss }) }
    : input;
  const next: Machine = {
    ...m,
    lastTs: sample.ts,
    echoes: window.echoes,
    lossRunSince: lostNow && input.ok ? (m.lossRunSince ?? sample.ts) : undefined,
  };
  next.causeRun =
    !sample.ok || sample.bad
      ? m.causeRun?.cause === sample.cause
        ? { ...m.causeRun, count: m.causeRun.count + 1 }
        : { cause: sample.cause, count: 1, since: sample.ts }
      : undefined;
  if (!sample.ok) {
    next.fail = bump(m.fail, sample.ts);
    next.ok = next.good = next.bad = undefined;
    next.layer = sample.layer;
    next.cause = sample.cause;
    next.recent = [...m.recent, sample].slice(-EVIDENCE_KEEP);
  } else {
    next.fail = undefined;
    next.ok = bump(m.ok, sample.ts);
    if (sample.bad) {
      // A spell of loss began with the first check that lost echoes, not when the window crossed the line.
      next.bad = m.bad ?? { count: 0, since: lossy ? (next.lossRunSince ?? sample.ts) : sample.ts };
      next.bad = { ...next.bad, count: next.bad.count + 1 };
      next.good = undefined;
      next.cause = sample.cause;
      next.recent = [...m.recent, sample].slice(-EVIDENCE_KEEP);
      next.stats = addStats(m.stats, sample);
    } else {
      next.good = bump(m.good, sample.ts);
      next.bad = undefined;
      next.baseline = learn(m, sample);
    }
  }
  const to = target(next, th);
  if (to === undefined || to.state === m.state) return { machine: next, sample };
  const at = to.at;
  // A recovery concerns the cause of the state it leaves; anything else the cause of what caused it.
  const cause: MemberCause = (to.state === 'up' ? (m.member?.cause ?? m.cause) : next.cause) ?? 'service';
  next.state = to.state;
  next.since = at;
  next.flips = [...m.flips, { at, cause }].filter((f) => f.at > at - th.flap.windowSec * 1000);
  // The spell's figures stay until the engine has written them to the incident the target leaves.
  if (to.state === 'up') next.recent = [];
  return { machine: next, transition: { from: m.state, to: to.state, at }, sample };
}

function target(m: Machine, th: Thresholds): { state: TargetStateName; at: number } | undefined {
  if (m.fail && m.fail.count >= th.failuresToOpen) return { state: 'down', at: m.fail.since };
  if (m.state === 'down') {
    if (!m.ok || m.ok.count < th.successesToClose) return undefined;
    return m.bad && m.bad.count >= th.degradedAfter
      ? { state: 'degraded', at: m.ok.since }
      : { state: 'up', at: m.ok.since };
  }
  if (m.bad && m.bad.count >= th.degradedAfter) return { state: 'degraded', at: m.bad.since };
  if (m.state === 'degraded' && m.good && m.good.count >= th.successesToClose) return { state: 'up', at: m.good.since };
  return undefined;
}

/**
 * When a target not in good health began recovering: its recovery itself if it is up again (held in its
 * incident while flapping), else the first success of a recovery streak under way; undefined if it is
 * still failing (or still bad).
 */
export function recoverySince(m: Machine): number | undefined {
  if (m.state === 'up') return m.since;
  return (m.state === 'down' ? m.ok : m.good)?.since;
}

/** Changed state often enough lately, for this cause, that a recovery should not close its incident yet. */
export function isFlapping(m: Machine, th: Thresholds, cause: MemberCause): boolean {
  return m.flips.filter((f) => f.cause === cause).length >= th.flap.changes;
}
