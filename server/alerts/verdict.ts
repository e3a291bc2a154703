/**
 * What a flush may say about one incident on one route, from the incident as it is now (never from the
 * state recorded when it changed, which a later batch may already contradict):
 *
 *   still failing, never told            → firing   (FIRING, with its real start)
 *   still failing, told                  → ongoing  (listed in updates and reminders)
 *   over (or merged, deleted, superseded), told firing → resolved (with its final times)
 *   over and counted, never told         → confirmed (one message with its real start and end)
 *   not counted and never told           → drop: nothing happened that anyone was told of
 *
 * So, per incident and route, the messages are FIRING … RESOLVED or exactly one CONFIRMED, whatever moment
 * the flush falls on (told again, marked corrected, only if late results change its times: alerting.ts).
 * Holds postpone a verdict: a silence or maintenance window, a commune still backfilling or catching up, a
 * never-told incident whose checks are recovering, and a silence's resolve while its commune's story is.
 */
import type { Store } from '../store/store.js';
import type { AlertMember } from '../store/alert-store.js';
import type { Units } from '../org/units.js';
import { counts, type Incident } from '../outages/incident.js';
import type { ItemChange } from './message.js';
import type { RouteMatch } from './routing.js';
import { RECHECK_MS, backfillState, recovering, silenceVerdict, type HoldContext } from './holds.js';

export type Verdict =
  | { kind: 'change'; change: ItemChange; muted: string[]; backfilling: boolean }
  /** silence: held by a silence or maintenance window (re-checked when silences change), else by backfill. */
  | { kind: 'hold'; until: number; silence: boolean }
  | { kind: 'drop' };

export interface VerdictDeps {
  store: Store;
  units: Units;
  offsetMin: number;
}

export function isFiring(inc: Incident): boolean {
  return counts(inc) && inc.endedAt === null;
}

export function verdictFor(
  deps: VerdictDeps,
  ctx: HoldContext,
  inc: Incident | undefined,
  member: AlertMember,
  m: Pick<RouteMatch, 'sendResolved'>,
): Verdict {
  if (!inc) return { kind: 'drop' };
  const { units, offsetMin } = deps;
  const backfill = backfillState(ctx, inc);
  if (backfill === 'hold') return { kind: 'hold', until: ctx.now + RECHECK_MS, silence: false };
  const late = backfill === 'late';
  const silenced = () => silenceVerdict(ctx.silences, inc, units, ctx.now, offsetMin);
  if (isFiring(inc)) {
    if (member.notified !== 'firing' && recovering(deps.store, inc, ctx.now))
      return { kind: 'hold', until: ctx.now + RECHECK_MS, silence: false };
    const s = silenced();
    if (s.until !== undefined) return { kind: 'hold', until: s.until, silence: true };
    return {
      kind: 'change',
      change: member.notified === 'firing' ? 'ongoing' : 'firing',
      muted: s.muted,
      backfilling: late,
    };
  }
  // The silence's resolve goes with the story the backlog tells: while one of the commune's incidents is
  // still recovering (its verdict not in), it waits with it.
  if (inc.cause === 'agent-silent' && storyPending(deps.store, inc.commune, ctx.now))
    return { kind: 'hold', until: ctx.now + RECHECK_MS, silence: false };
  if (member.notified === 'firing') {
    if (!m.sendResolved) return { kind: 'drop' };
    const s = silenced();
    if (s.until !== undefined) return { kind: 'hold', until: s.until, silence: true };
    return { kind: 'change', change: 'resolved', muted: s.muted, backfilling: late };
  }
  // Never told. Merged (the central incident speaks for it), superseded or deleted: nothing to say.
  if (!counts(inc) || inc.endedAt === null) return { kind: 'drop' };
  // Over before it was told. If a silence covered it when it ended, the silence did its job.
  const atEnd = silenceVerdict(
    deps.store.alerts.silencesBetween(inc.endedAt - 1, inc.endedAt),
    inc,
    units,
    inc.endedAt - 1,
    offsetMin,
  );
  if (atEnd.until !== undefined) return { kind: 'drop' };
  const s = silenced();
  if (s.until !== undefined) return { kind: 'hold', until: s.until, silence: true };
  return { kind: 'change', change: 'confirmed', muted: s.muted, backfilling: late };
}

/** Whether one of a commune's open incidents is recovering (held for its verdict; recovering() judges only local ones). */
function storyPending(store: Store, commune: string | null, now: number): boolean {
  if (!commune) return false;
  return store.incidents.list({ commune, openOnly: true, limit: 100 }).some((i) => recovering(store, i, now));
}
