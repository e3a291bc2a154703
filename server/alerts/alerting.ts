/**
 * From incident changes to notifications, Alertmanager-style:
 *
 * 1. onIncident (inside the transaction that changed the incident): route it by its labels to receivers;
 *    put it in each receiver's group (by `groupBy` labels) as firing or resolved; schedule the group's
 *    next flush (after groupWait for a new group, not before groupInterval after the last message).
 * 2. tick: flush due groups — one message with what changed (new, resolved), or a reminder after
 *    repeatInterval while something still fires; silenced and maintenance-covered incidents are held back;
 *    outside office hours a `digest` route waits for the next working session of the commune's calendar.
 *    Also escalates incidents not acknowledged after escalateAfterSec. Messages go into the persisted queue.
 * 3. deliver: send what is due through the channel's Notifier; failures are retried with capped
 *    exponential backoff and stay visible in /api/v1/notifications; a restart loses nothing.
 */
import type { Store } from '../store/store.js';
import type { AlertGroup, Channel, GroupId, NotificationKind } from '../store/sqlite-alerts.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import { counts, type Incident } from '../outages/incident.js';
import type { AlertConfig, Receiver } from './alert-config.js';
import { groupKey, incidentLabels } from './labels.js';
import { alertItem, renderMessage, type NotificationPayload } from './message.js';
import { readSecret, NotifyError, type NotifyContext } from './notifier.js';
import { notifiers } from './notifiers/index.js';
import { route, type RouteMatch } from './routing.js';
import { silencedUntil } from './silences.js';

const CHANNELS: Channel[] = ['email', 'webhook', 'telegram', 'zalo', 'alertmanager'];

export interface AlertingDeps {
  store: Store;
  config: AlertConfig;
  units: Units;
  calendars: CalendarBook;
  offsetMin: number;
  now: () => number;
  log?: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
  /** Counts sends per channel and outcome (metrics). */
  onDelivery?: (channel: Channel, outcome: 'sent' | 'retry' | 'dead') => void;
}

export class Alerting {
  private readonly inFlight = new Set<number>();

  constructor(private readonly deps: AlertingDeps) {}

  /** An incident was opened, changed or resolved. Call inside the transaction that changed it. */
  onIncident(incidentId: number): void {
    const { store, config, units } = this.deps;
    const inc = store.incidents.get(incidentId);
    if (!inc || inc.manual) return; // recorded after the fact: nobody needs paging for it
    const now = this.deps.now();
    const labels = incidentLabels(inc, units);
    for (const m of route(config.route, labels)) {
      const id: GroupId = { routePath: m.path, receiver: m.receiver, groupKey: groupKey(labels, m.groupBy) };
      const member = store.alerts.members(id).find((x) => x.incidentId === inc.id);
      const firing = counts(inc) && inc.endedAt === null;
      // Over and never announced (resolved within groupWait, merged into a central one…), or over on a
      // route that sends no resolved notices: nothing to say; it leaves the group quietly.
      if (!firing && (!member?.notified || !m.sendResolved)) {
        if (member) {
          store.alerts.setMember(id, inc.id, 'resolved');
          store.alerts.markNotified(id, [inc.id]);
        }
        store.alerts.pruneMembers(id);
        continue;
      }
      store.alerts.setMember(id, inc.id, firing ? 'firing' : 'resolved');
      const group = store.alerts.group(id) ?? { ...id, labels, nextFlushAt: null, lastSentAt: null, digest: false };
      // A new group waits groupWait for companions; an announced one sends updates at most every groupInterval.
      // A group held for the morning digest keeps its time.
      const due = group.lastSentAt === null ? now + m.groupWaitSec * 1000 : Math.max(now, group.lastSentAt + m.groupIntervalSec * 1000);
      if (!group.digest) group.nextFlushAt = group.nextFlushAt === null ? due : Math.min(group.nextFlushAt, due);
      store.alerts.upsertGroup(group);
    }
  }

  /** Flushes due groups and escalates; call periodically inside a transaction. */
  tick(): void {
    const now = this.deps.now();
    for (const group of this.deps.store.alerts.dueGroups(now)) this.flush(group, now);
    this.escalate(now);
  }

  private flush(group: AlertGroup, now: number): void {
    const { store, config, units } = this.deps;
    const m = route(config.route, group.labels).find((x) => x.path === group.routePath && x.receiver === group.receiver);
    if (!m) {
      store.alerts.upsertGroup({ ...group, nextFlushAt: null });
      return;
    }
    const silences = store.alerts.silences(now);
    let holdUntil: number | undefined;
    const firing: Incident[] = [];
    const changed: Array<{ inc: Incident; state: 'firing' | 'resolved' }> = [];
    const quiet: number[] = [];
    for (const member of store.alerts.members(group)) {
      const inc = store.incidents.get(member.incidentId);
      if (!inc) continue;
      // Folded into a central incident after it was announced: the central incident speaks for it now;
      // saying "resolved" would be wrong. (A superseded or deleted one does get its resolved notice.)
      if (inc.mergedInto !== null) {
        quiet.push(inc.id);
        continue;
      }
      const state = counts(inc) && inc.endedAt === null ? 'firing' : 'resolved';
      const until = silencedUntil(silences, incidentLabels(inc, units), now, this.deps.offsetMin);
      if (until !== undefined) {
        holdUntil = Math.min(holdUntil ?? until, until);
        continue;
      }
      if (state === 'firing') firing.push(inc);
      if (state !== member.notified) changed.push({ inc, state });
    }
    for (const id of quiet) store.alerts.setMember(group, id, 'resolved');
    store.alerts.markNotified(group, quiet);
    // What is new comes first: it is what the subject line names.
    const isNew = new Set(changed.filter((c) => c.state === 'firing').map((c) => c.inc.id));
    firing.sort((a, b) => Number(isNew.has(b.id)) - Number(isNew.has(a.id)) || a.id - b.id);
    const newFiring = changed.filter((c) => c.state === 'firing');
    if (newFiring.length > 0 && m.outsideHours === 'digest' && !group.digest) {
      const cal = this.calendarFor(group);
      if (!cal.isWorking(now)) {
        const next = cal.nextWorkingStart(now) ?? now + 12 * 3_600_000;
        store.alerts.upsertGroup({ ...group, nextFlushAt: next, digest: true });
        this.deps.log?.info({ receiver: group.receiver, group: group.groupKey, at: next }, 'outside office hours: notification held for the morning digest');
        return;
      }
    }
    let kind: NotificationKind | undefined;
    if (group.digest) kind = 'digest';
    else if (changed.length === 0) kind = firing.length > 0 && group.lastSentAt !== null && now - group.lastSentAt >= m.repeatIntervalSec * 1000 ? 'reminder' : undefined;
    else if (newFiring.length === 0) kind = firing.length > 0 ? 'update' : 'resolved';
    else kind = group.lastSentAt === null || newFiring.length === firing.length ? 'firing' : 'update';
    if (kind && (firing.length > 0 || changed.length > 0)) {
      const payload: NotificationPayload = {
        kind,
        receiver: group.receiver,
        groupKey: group.groupKey,
        generatedAt: now,
        firing: firing.map((i) => alertItem(i, units, config.baseUrl)),
        resolved: changed.filter((c) => c.state === 'resolved').map((c) => alertItem(c.inc, units, config.baseUrl)),
      };
      this.enqueue(group.receiver, kind, group.groupKey, payload, now);
    }
    for (const c of changed) store.alerts.setMember(group, c.inc.id, c.state);
    store.alerts.markNotified(group, changed.map((c) => c.inc.id));
    store.alerts.pruneMembers(group);
    let next: number | null = firing.length > 0 ? now + m.repeatIntervalSec * 1000 : null;
    if (holdUntil !== undefined) next = Math.min(next ?? holdUntil, holdUntil);
    // Like Alertmanager, a group whose incidents have all been resolved and announced is over: the next
    // incident in it starts a new one (groupWait), rather than waiting out groupInterval after "resolved".
    const over = firing.length === 0 && holdUntil === undefined && store.alerts.members(group).length === 0;
    store.alerts.upsertGroup({ ...group, lastSentAt: over ? null : kind ? now : group.lastSentAt, nextFlushAt: next, digest: false });
  }

  private escalate(now: number): void {
    const { store, config, units } = this.deps;
    if (!config.route) return;
    const silences = store.alerts.silences(now);
    for (const inc of store.incidents.list({ openOnly: true, limit: 5000 })) {
      if (!counts(inc) || inc.acknowledgedAt !== null || inc.manual) continue;
      const labels = incidentLabels(inc, units);
      if (silencedUntil(silences, labels, now, this.deps.offsetMin) !== undefined) continue;
      for (const m of route(config.route, labels)) {
        if (!m.escalateAfterSec || !m.escalateTo || now - inc.startedAt < m.escalateAfterSec * 1000) continue;
        if (store.incidents.events(inc.id).some((e) => e.kind === 'escalated' && e.detail.receiver === m.escalateTo)) continue;
        const payload: NotificationPayload = { kind: 'escalation', receiver: m.escalateTo, groupKey: `incident=${inc.id}`, generatedAt: now, firing: [alertItem(inc, units, config.baseUrl)], resolved: [] };
        this.enqueue(m.escalateTo, 'escalation', payload.groupKey, payload, now);
        store.incidents.addEvent(inc.id, { at: now, kind: 'escalated', actor: 'alerts', detail: { receiver: m.escalateTo, afterSec: m.escalateAfterSec } });
      }
    }
  }

  private enqueue(receiverName: string, kind: NotificationKind, key: string, payload: NotificationPayload, now: number): void {
    const receiver = this.receiver(receiverName);
    if (!receiver) {
      this.deps.log?.error({ receiver: receiverName }, 'route names a receiver that is not configured; notification dropped');
      return;
    }
    const ids = [...payload.firing, ...payload.resolved].map((a) => a.id);
    for (const channel of CHANNELS) {
      (receiver[channel] ?? []).forEach((_target, targetIndex) => {
        this.deps.store.alerts.enqueue({ receiver: receiverName, channel, targetIndex, kind, groupKey: key, incidentIds: ids, payload, now });
      });
    }
  }

  /** Sends due notifications; resolves when this round is done. Never throws. */
  async deliver(): Promise<number> {
    const { store, config } = this.deps;
    let sent = 0;
    const due = store.alerts.dueNotifications(this.deps.now(), 50).filter((n) => !this.inFlight.has(n.id));
    await Promise.all(
      due.map(async (n) => {
        this.inFlight.add(n.id);
        try {
          const receiver = this.receiver(n.receiver);
          const target = receiver?.[n.channel]?.[n.targetIndex];
          if (!receiver || !target) throw new NotifyError(`receiver ${n.receiver} has no ${n.channel} #${n.targetIndex} any more`, true);
          const payload = n.payload as NotificationPayload;
          const message = renderMessage(payload, receiver.language ?? config.language);
          const ctx: NotifyContext = { signal: AbortSignal.timeout(60_000), secret: (ref, what) => readSecret(ref, what), smtp: config.smtp };
          await (notifiers[n.channel] as { send: (...a: unknown[]) => Promise<void> }).send(message, payload, target, ctx);
          store.alerts.markSent(n.id, this.deps.now());
          this.deps.onDelivery?.(n.channel, 'sent');
          sent++;
        } catch (err) {
          const e = err instanceof NotifyError ? err : new NotifyError((err as Error).message ?? String(err));
          const attempts = n.attempts + 1;
          const dead = e.permanent || attempts >= config.delivery.maxAttempts;
          const backoffSec = Math.min(config.delivery.maxBackoffSec, config.delivery.minBackoffSec * 2 ** (attempts - 1));
          store.alerts.markFailed(n.id, e.message, this.deps.now() + backoffSec * 1000, dead);
          this.deps.onDelivery?.(n.channel, dead ? 'dead' : 'retry');
          this.deps.log?.warn({ notification: n.id, channel: n.channel, receiver: n.receiver, attempts, dead, err: e.message }, dead ? 'notification given up' : 'notification failed; will retry');
        } finally {
          this.inFlight.delete(n.id);
        }
      }),
    );
    return sent;
  }

  private receiver(name: string): Receiver | undefined {
    return this.deps.config.receivers.find((r) => r.name === name);
  }

  private calendarFor(group: AlertGroup) {
    const communes = group.labels.commune ?? [];
    return communes.length === 1 ? this.deps.calendars.forCommune(communes[0]!) : this.deps.calendars.national();
  }
}

export type { RouteMatch };
