/**
 * One group flush: judge each member (verdict.ts), bring in the companions that belong to the same story
 * on this receiver, choose the message kind, queue it, and schedule the group's next look.
 *
 * Companions live in other groups of the same receiver (groupBy keeps causes apart by default), yet are
 * one story and so one message:
 * - after a partition, the agent-silent incident's resolve and what the backfill revealed at that commune
 *   (a confirmed network outage with its real times and layer, or a FIRING with its real start);
 * - a central incident's FIRING and the resolves of the local incidents already told that it took over.
 * A pulled member is marked told in its own group, whose next flush then has nothing more to say of it.
 */
import type { AlertGroup, AlertMember, GroupId, NotificationKind } from '../store/alert-store.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import { isDownNow, type Incident } from '../outages/incident.js';
import type { AlertConfig } from './alert-config.js';
import { alertItem, type AlertItem, type NotificationPayload } from './message.js';
import { route, type RouteMatch } from './routing.js';
import { RECHECK_MS, type HoldContext } from './holds.js';
import { verdictFor, type Verdict, type VerdictDeps } from './verdict.js';

export interface FlushDeps extends VerdictDeps {
  config: AlertConfig;
  calendars: CalendarBook;
  enqueue(receiver: string, kind: NotificationKind, key: string, payload: NotificationPayload, now: number): void;
  log?: { info: (o: object, m: string) => void };
}

interface Entry {
  group: AlertGroup;
  member: AlertMember;
  inc: Incident | undefined;
  verdict: Verdict;
}

type Said = Entry & { inc: Incident; verdict: Extract<Verdict, { kind: 'change' }> };
const said = (e: Entry): e is Said => e.verdict.kind === 'change' && e.inc !== undefined;
const sameGroup = (a: GroupId, b: GroupId) =>
  a.routePath === b.routePath && a.receiver === b.receiver && a.groupKey === b.groupKey;

export function matchFor(config: AlertConfig, group: AlertGroup): RouteMatch | undefined {
  return route(config.route, group.labels).find((x) => x.path === group.routePath && x.receiver === group.receiver);
}

function judge(deps: FlushDeps, ctx: HoldContext, group: AlertGroup, m: RouteMatch, member: AlertMember): Entry {
  const inc = deps.store.incidents.get(member.incidentId);
  return { group, member, inc, verdict: verdictFor(deps, ctx, inc, member, m) };
}

/** Members of other groups of this receiver that are part of the same story as `own`. */
function companions(deps: FlushDeps, ctx: HoldContext, group: AlertGroup, own: Entry[]): Entry[] {
  const { store, config } = deps;
  const out = new Map<string, Entry>();
  const consider = (placed: AlertMember & GroupId): Entry | undefined => {
    if (sameGroup(placed, group)) return undefined;
    const g = store.alerts.group(placed);
    const m = g && !g.digest ? matchFor(config, g) : undefined;
    return g && m ? judge(deps, ctx, g, m, placed) : undefined;
  };
  const add = (e: Entry | undefined) => {
    if (e && said(e) && e.verdict.change !== 'ongoing')
      out.set(`${e.group.routePath}|${e.group.groupKey}|${e.member.incidentId}`, e);
  };
  const told = own.filter(said);
  for (const e of told) {
    if (e.inc.scope === 'central' && e.verdict.change === 'firing')
      for (const p of store.alerts.mergedMembers(group.receiver, e.inc.id)) add(consider(p));
  }
  const communes = new Set(told.filter((e) => e.inc.scope === 'local' && e.inc.commune).map((e) => e.inc.commune!));
  for (const commune of communes) {
    const others = store.alerts
      .pendingForCommune(group.receiver, commune)
      .map(consider)
      .filter((e): e is Entry => e !== undefined);
    const silentStory = [...told, ...others.filter(said)].some(
      (e) => e.inc!.cause === 'agent-silent' && e.inc!.commune === commune,
    );
    if (silentStory) others.forEach(add);
  }
  return [...out.values()];
}

/** A merged local incident already told: its resolve waits to go with its central incident's FIRING. */
function waitsForCentral(deps: FlushDeps, ctx: HoldContext, group: AlertGroup, e: Said): boolean {
  if (e.inc.mergedInto === null || e.verdict.change !== 'resolved') return false;
  return deps.store.alerts.openMembersOf(group.receiver, e.inc.mergedInto).some((c) => {
    if (sameGroup(c, group) || c.notified !== null || c.state !== 'firing') return false;
    const g = deps.store.alerts.group(c);
    return g !== undefined && g.nextFlushAt !== null && (g.heldUntil === null || g.heldUntil <= ctx.now);
  });
}

function item(deps: FlushDeps, e: Said, now: number): AlertItem {
  const { inc, verdict } = e;
  let closedAt: number | null = inc.endedAt;
  if (closedAt === null && verdict.change === 'resolved') {
    closedAt =
      inc.mergedInto !== null
        ? (deps.store.incidents.events(inc.id).find((x) => x.kind === 'merged')?.at ?? now)
        : (inc.deletedAt ?? now);
  }
  const retold = e.member.notified === 'resolved' && (verdict.change === 'confirmed' || verdict.change === 'firing');
  return alertItem(inc, deps.units, deps.config.baseUrl, verdict.change, {
    muted: verdict.muted,
    backfilling: verdict.backfilling,
    closedAt,
    retold,
  });
}

export function flushGroup(deps: FlushDeps, ctx: HoldContext, group: AlertGroup): void {
  const { store } = deps;
  const now = ctx.now;
  const m = matchFor(deps.config, group);
  if (!m) {
    store.alerts.upsertGroup({ ...group, nextFlushAt: null, heldUntil: null });
    return;
  }
  const own = store.alerts.members(group).map((member) => judge(deps, ctx, group, m, member));
  const deferred = own.filter((e) => said(e) && waitsForCentral(deps, ctx, group, e));
  const speaking = own.filter((e) => said(e) && !deferred.includes(e)) as Said[];
  const pulled = companions(deps, ctx, group, speaking) as Said[];
  const all = [...speaking, ...pulled];
  const by = (c: string) => all.filter((e) => e.verdict.change === c);
  const [fresh, ongoing, resolved, confirmed] = [by('firing'), by('ongoing'), by('resolved'), by('confirmed')];
  // Degraded that became down since it was told: worth an update. Easing back to degraded is not (it is
  // mostly the last seconds before the resolve, which says it); nor anything while flapping: damping
  // exists so that a link going up and down does not page at every change.
  const severityOf = (e: Said) => (isDownNow(e.inc) ? 'down' : 'degraded');
  const worse = ongoing.filter(
    (e) => !e.inc.flapping && e.member.toldSeverity === 'degraded' && severityOf(e) === 'down',
  );
  const changes = fresh.length + resolved.length + confirmed.length + worse.length;

  if ((fresh.length > 0 || confirmed.length > 0) && m.outsideHours === 'digest' && !group.digest) {
    const communes = group.labels.commune ?? [];
    const cal = communes.length === 1 ? deps.calendars.forCommune(communes[0]!) : deps.calendars.national();
    if (!cal.isWorking(now)) {
      const next = cal.nextWorkingStart(now) ?? now + 12 * 3_600_000;
      store.alerts.upsertGroup({ ...group, nextFlushAt: next, digest: true });
      deps.log?.info(
        { receiver: group.receiver, group: group.groupKey, at: next },
        'outside office hours: notification held for the morning digest',
      );
      return;
    }
  }

  let kind: NotificationKind | undefined;
  if (group.digest) kind = changes > 0 || ongoing.length > 0 ? 'digest' : undefined;
  else if (changes === 0)
    kind =
      ongoing.length > 0 && group.lastSentAt !== null && now - group.lastSentAt >= m.repeatIntervalSec * 1000
        ? 'reminder'
        : undefined;
  else if (fresh.length > 0) kind = group.lastSentAt === null || ongoing.length === 0 ? 'firing' : 'update';
  else if (ongoing.length > 0) kind = 'update';
  else kind = confirmed.length > 0 ? 'confirmed' : 'resolved';

  if (kind) {
    const items = (list: Said[]) =>
      list.sort((a, b) => a.inc.startedAt - b.inc.startedAt || a.inc.id - b.inc.id).map((e) => item(deps, e, now));
    const payload: NotificationPayload = {
      kind,
      receiver: group.receiver,
      groupKey: group.groupKey,
      generatedAt: now,
      // What is new comes first: it is what the subject line names.
      firing: [...items(fresh), ...items(ongoing)],
      resolved: items(resolved),
      confirmed: items(confirmed),
    };
    deps.enqueue(group.receiver, kind, group.groupKey, payload, now);
    for (const e of [...fresh, ...resolved, ...confirmed]) {
      store.alerts.setMember(e.group, e.member.incidentId, e.verdict.change === 'firing' ? 'firing' : 'resolved');
      store.alerts.markNotified(e.group, [e.member.incidentId], now);
    }
    for (const e of [...fresh, ...worse]) store.alerts.setToldSeverity(e.group, e.member.incidentId, severityOf(e));
  }
  for (const e of own) if (e.verdict.kind === 'drop') store.alerts.close(group, e.member.incidentId, now);
  for (const g of new Set(pulled.map((e) => e.group))) {
    if (store.alerts.members(g).length > 0) store.alerts.upsertGroup({ ...g, lastSentAt: now });
  }

  const holds = own.flatMap((e) => (e.verdict.kind === 'hold' ? [e.verdict] : []));
  const silenceHold = holds
    .filter((h) => h.silence)
    .reduce<number | null>((min, h) => (min === null ? h.until : Math.min(min, h.until)), null);
  const lastSentAt = kind ? now : group.lastSentAt;
  const stillFiring = [...fresh, ...ongoing].some((e) => e.group === group);
  const wakes = [
    ...(stillFiring ? [(lastSentAt ?? now) + m.repeatIntervalSec * 1000] : []),
    ...holds.map((h) => h.until),
    ...(deferred.length > 0 ? [now + RECHECK_MS] : []),
  ];
  const next = wakes.length > 0 ? Math.min(...wakes) : null;
  // Like Alertmanager, a group whose incidents have all been told over is done: the next incident in it
  // starts a new one (groupWait), rather than waiting out groupInterval after "resolved".
  const over = next === null && store.alerts.members(group).length === 0;
  store.alerts.upsertGroup({
    ...group,
    lastSentAt: over ? null : lastSentAt,
    nextFlushAt: next,
    digest: false,
    heldUntil: silenceHold,
  });
}
