/**
 * Why a notification waits: a silence or maintenance window, or a commune whose agent is still sending the
 * results it buffered while cut off (backfill). Computed once per tick into a HoldContext.
 *
 * Silences are judged per commune: a central incident is held only when every one of its communes is
 * covered; otherwise it is sent, with the covered communes marked. A window on commune 10003 must not hide
 * that the provincial system also fails at 10002 (issue 12).
 *
 * Backfill: after a partition the server learns what happened in several batches. Until the last one is in
 * (the engine clears the silent incident's `backfillUntil`, or — after a cut too short for a silent
 * incident — the commune's catch-up mark once a batch with fresh results and an empty outbox arrives),
 * anything said about that commune may be contradicted a few seconds later, so its local incidents wait,
 * re-checked every RECHECK_MS, for at most BACKFILL_HOLD_MS; after that what is known is sent, marked as
 * still being backfilled.
 *
 * Recovering: an incident never told yet whose every check has started to succeed again (a recovery
 * streak under way) is about to end; telling it FIRING now would announce what is already over. It waits
 * for the verdict of the next checks (bounded by RECOVERING_HOLD_MS): CONFIRMED if it ends, FIRING if
 * the checks fail again.
 */
import type { Store } from '../store/store.js';
import type { Units } from '../org/units.js';
import type { Incident } from '../outages/incident.js';
import { recoverySince } from '../outages/target-machine.js';
import { incidentLabels, placeLabels } from './labels.js';
import { silencedUntil, type Silence } from './silences.js';

/** How often a hold is looked at again. */
export const RECHECK_MS = 5_000;
/** The longest a commune's notifications wait for its backlog. */
export const BACKFILL_HOLD_MS = 10 * 60_000;
/** The longest a recovering incident waits, after its latest check, before it is told anyway. */
export const RECOVERING_HOLD_MS = 5 * 60_000;
/** After this, a backlog that never reported drained is no longer mentioned (an old agent, a lost batch). */
const BACKFILL_NOTE_MS = 60 * 60_000;

export interface HoldContext {
  now: number;
  silences: Silence[];
  /** Communes whose agent reconnected and is still sending its backlog: commune → reconnection time. */
  backfilling: Map<string, number>;
}

export function holdContext(store: Store, now: number): HoldContext {
  const backfilling = new Map<string, number>();
  for (const inc of store.incidents.list({ cause: 'agent-silent', from: now - 86_400_000, limit: 5000 })) {
    if (inc.backfillUntil === null || !inc.commune || inc.backfillUntil < now - BACKFILL_NOTE_MS) continue;
    backfilling.set(inc.commune, Math.min(backfilling.get(inc.commune) ?? Infinity, inc.backfillUntil));
  }
  for (const c of store.incidents.catchingUp()) {
    if (c.since < now - BACKFILL_NOTE_MS) continue;
    backfilling.set(c.commune, Math.min(backfilling.get(c.commune) ?? Infinity, c.since));
  }
  return { now, silences: store.alerts.silences(now), backfilling };
}

/** The commune of a local incident, if its agent is still backfilling: 'hold' (wait) or 'late' (waited long enough). */
export function backfillState(ctx: HoldContext, inc: Incident): 'hold' | 'late' | undefined {
  if (inc.scope !== 'local' || !inc.commune) return undefined;
  // While the agent is silent, that is all the server knows, and it is told at once; only its resolve
  // waits to go with the story the backlog tells.
  if (inc.cause === 'agent-silent' && inc.endedAt === null) return undefined;
  const since = ctx.backfilling.get(inc.commune);
  if (since === undefined) return undefined;
  return ctx.now < since + BACKFILL_HOLD_MS ? 'hold' : 'late';
}

export interface SilenceVerdict {
  /** Held until then: every commune of the incident is covered. */
  until?: number;
  /** Communes covered by a silence while others are not (central incidents): shown as such. */
  muted: string[];
}

/** Whether silences active at `at` hold this incident back, judged commune by commune. */
export function silenceVerdict(
  silences: readonly Silence[],
  inc: Incident,
  units: Units,
  at: number,
  offsetMin: number,
): SilenceVerdict {
  const labels = incidentLabels(inc, units);
  const communes = labels.commune ?? [];
  if (silences.length === 0) return { muted: [] };
  if (communes.length <= 1) {
    const until = silencedUntil(silences, labels, at, offsetMin);
    return until === undefined ? { muted: [] } : { until, muted: [] };
  }
  const muted: string[] = [];
  let until: number | undefined;
  for (const c of communes) {
    const u = silencedUntil(silences, { ...labels, ...placeLabels([c], units) }, at, offsetMin);
    if (u === undefined) continue;
    muted.push(c);
    // Held until the first commune's window ends: from then on its part must be told.
    until = Math.min(until ?? u, u);
  }
  return muted.length === communes.length ? { until: until!, muted: [] } : { muted };
}

/** Fingerprint of the silences in force: when it changes (one deleted, one added), held groups are looked at again. */
export function silenceFingerprint(silences: readonly Silence[]): string {
  return silences.map((s) => `${s.id}:${s.endsAt}`).join(',');
}

/**
 * Whether a local incident is recovering: each of its checks is either held (recovered, flapping) or in a
 * recovery streak, the latest of them no older than RECOVERING_HOLD_MS.
 */
export function recovering(store: Store, inc: Incident, now: number): boolean {
  if (inc.scope !== 'local' || inc.endedAt !== null || inc.cause === 'agent-silent') return false;
  const members = store.incidents.members(inc.id).map((m) => m.machine);
  if (members.length === 0) return false;
  const latest = Math.max(...members.map((m) => m.lastTs));
  if (latest < now - RECOVERING_HOLD_MS) return false;
  return members.every((m) => recoverySince(m) !== undefined);
}
