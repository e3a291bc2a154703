/**
 * From incident changes to notifications, Alertmanager-style:
 *
 * 1. onIncident (inside the transaction that changed the incident): route it by its labels to receivers;
 *    put it in each receiver's group (by `groupBy` labels) as firing or resolved; schedule the group's
 *    next flush (after groupWait for a new group, not before groupInterval after the last message).
 * 2. tick: flush due groups (flush.ts: each incident judged as it is now, verdict.ts; companions of the same
 *    story in one message), escalate (escalation.ts). Holds (holds.ts): silences and maintenance windows,
 *    judged per commune; a commune whose agent is still sending its backlog after a partition; outside
 *    office hours a `digest` route waits for the next working session. Messages go into the persisted queue.
 * 3. deliver: send what is due through the channel's Notifier (notifiers/index.ts); failures are retried
 *    with capped exponential backoff and stay visible in /api/v1/notifications; a restart loses nothing. A
 *    queued row whose channel is no longer registered is given up (dead, with the reason), not retried.
 *
 * Per incident and route the story is FIRING (+ updates, reminders) then one RESOLVED, or one CONFIRMED,
 * whatever moment tick() falls on; a closed member is kept so that a later change cannot start it again —
 * unless results that arrived late change its times: then it is told again, marked as corrected.
 */
import type { Store } from '../store/store.js';
import type { ChannelName, GroupId, NotificationKind } from '../store/alert-store.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import { counts, type Incident } from '../outages/incident.js';
import type { AlertConfig, Receiver } from './alert-config.js';
import { groupKey, incidentLabels } from './labels.js';
import { renderMessage, type NotificationPayload } from './message.js';
import { readSecret, NotifyError, type NotifyContext } from './notifier.js';
import { CHANNELS, getNotifier, isChannel } from './notifiers/index.js';
import { route, type RouteMatch } from './routing.js';
import { holdContext, silenceFingerprint } from './holds.js';
import { flushGroup, type FlushDeps } from './flush.js';
import { escalate } from './escalation.js';
import { isFiring } from './verdict.js';

/** Closed members are kept this long: corrections to an incident come within days, not months. */
const KEEP_CLOSED_MS = 30 * 86_400_000;

export interface AlertingDeps {
  store: Store;
  config: AlertConfig;
  units: Units;
  calendars: CalendarBook;
  offsetMin: number;
  now: () => number;
  log?: {
    info: (o: object, m: string) => void;
    warn: (o: object, m: string) => void;
    error: (o: object, m: string) => void;
  };
  /** Counts sends per channel and outcome (metrics). */
  onDelivery?: (channel: ChannelName, outcome: 'sent' | 'retry' | 'dead') => void;
}

export class Alerting {
  private readonly inFlight = new Set<number>();
  private silencesSeen: string | undefined;
  private prunedAt = 0;
  private readonly flushDeps: FlushDeps;

  constructor(private readonly deps: AlertingDeps) {
    this.flushDeps = {
      store: deps.store,
      units: deps.units,
      offsetMin: deps.offsetMin,
      config: deps.config,
      calendars: deps.calendars,
      log: deps.log,
      enqueue: (receiver, kind, key, payload, now) => this.enqueue(receiver, kind, key, payload, now),
    };
  }

  /**
   * An incident was opened, changed or resolved. Call inside the transaction that changed it. Manual
   * incidents page only when recorded with `notify` (they mostly describe the past).
   */
  onIncident(incidentId: number): void {
    const { store, config, units } = this.deps;
    const inc = store.incidents.get(incidentId);
    if (!inc || (inc.manual && !inc.notify)) return;
    const now = this.deps.now();
    const labels = incidentLabels(inc, units);
    const firing = isFiring(inc);
    for (const m of route(config.route, labels)) {
      const id: GroupId = { routePath: m.path, receiver: m.receiver, groupKey: groupKey(labels, m.groupBy) };
      const told = store.alerts.told(m.path, m.receiver, inc.id);
      if (told?.closedAt != null) {
        // Its story on this route is told. Only results that arrived late can change it (a commune whose
        // backlog extends a central incident already told): then it is told again, as corrected. A record
        // corrected by a person (or rewritten from a backfill) is not news for the receivers.
        if (told.routePath === '*' || !counts(inc) || inc.corrected || !this.toldDiffers(m.receiver, inc)) continue;
        store.alerts.reopen(told, inc.id);
      }
      // Never told, not firing and not counted (merged, superseded, deleted): nothing to say.
      if (
        !firing &&
        !told?.notified &&
        (inc.endedAt === null || inc.mergedInto !== null || inc.superseded || inc.deletedAt !== null)
      ) {
        if (told) store.alerts.close(told, inc.id, now);
        continue;
      }
      // Its labels changed (severity, communes): the member follows into the new group, keeping what was told.
      if (told && told.groupKey !== id.groupKey) store.alerts.moveMember(id, inc.id);
      store.alerts.setMember(id, inc.id, firing ? 'firing' : 'resolved');
      const group = store.alerts.group(id) ?? {
        ...id,
        labels,
        nextFlushAt: null,
        lastSentAt: null,
        digest: false,
        heldUntil: null,
      };
      // A new group waits groupWait for companions; a told one sends updates at most every groupInterval.
      // A group held for the morning digest keeps its time.
      const due =
        group.lastSentAt === null
          ? now + m.groupWaitSec * 1000
          : Math.max(now, group.lastSentAt + m.groupIntervalSec * 1000);
      if (!group.digest) group.nextFlushAt = group.nextFlushAt === null ? due : Math.min(group.nextFlushAt, due);
      store.alerts.upsertGroup({ ...group, labels });
    }
  }

  /** Flushes due groups and escalates; call periodically inside a transaction. */
  tick(): void {
    const { store } = this.deps;
    const now = this.deps.now();
    // Edits from the API or the CLI (another process) change incidents without calling onIncident.
    for (const id of store.alerts.needsSync()) this.onIncident(id);
    const ctx = holdContext(store, now);
    // A silence deleted or added: groups it held are judged again now, not at the old window end.
    const fingerprint = silenceFingerprint(ctx.silences);
    if (fingerprint !== this.silencesSeen) {
      for (const g of store.alerts.heldGroups(now)) store.alerts.upsertGroup({ ...g, nextFlushAt: now });
      this.silencesSeen = fingerprint;
    }
    for (const group of store.alerts.dueGroups(now)) {
      // An earlier flush of this tick may have changed it (companions pulled into its message).
      const fresh = store.alerts.group(group);
      if (fresh?.nextFlushAt != null && fresh.nextFlushAt <= now) flushGroup(this.flushDeps, ctx, fresh);
    }
    escalate(this.flushDeps, ctx);
    if (now - this.prunedAt > 3_600_000) {
      store.alerts.pruneClosed(now - KEEP_CLOSED_MS);
      this.prunedAt = now;
    }
  }

  private enqueue(
    receiverName: string,
    kind: NotificationKind,
    key: string,
    payload: NotificationPayload,
    now: number,
  ): void {
    const receiver = this.receiver(receiverName);
    if (!receiver) {
      this.deps.log?.error(
        { receiver: receiverName },
        'route names a receiver that is not configured; notification dropped',
      );
      return;
    }
    const ids = [...payload.firing, ...payload.resolved, ...(payload.confirmed ?? [])].map((a) => a.id);
    for (const channel of CHANNELS) {
      (receiver[channel] ?? []).forEach((_target, targetIndex) => {
        this.deps.store.alerts.enqueue({
          receiver: receiverName,
          channel,
          targetIndex,
          kind,
          groupKey: key,
          incidentIds: ids,
          payload,
          now,
        });
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
          // A row queued before its channel was removed from the registry: given up, visible, never a crash.
          if (!isChannel(n.channel))
            throw new NotifyError(`channel ${n.channel} is not registered (any more); notification given up`, true);
          const receiver = this.receiver(n.receiver);
          const target = receiver?.[n.channel]?.[n.targetIndex];
          if (!receiver || !target)
            throw new NotifyError(`receiver ${n.receiver} has no ${n.channel} #${n.targetIndex} any more`, true);
          const payload = n.payload as NotificationPayload;
          const message = renderMessage(payload, receiver.language ?? config.language);
          const ctx: NotifyContext = {
            signal: AbortSignal.timeout(60_000),
            secret: (ref, what) => readSecret(ref, what),
            smtp: config.smtp,
          };
          await getNotifier(n.channel).send(message, payload, target, ctx);
          store.alerts.markSent(n.id, this.deps.now());
          this.deps.onDelivery?.(n.channel, 'sent');
          sent++;
        } catch (err) {
          const e = err instanceof NotifyError ? err : new NotifyError((err as Error).message ?? String(err));
          const attempts = n.attempts + 1;
          const dead = e.permanent || attempts >= config.delivery.maxAttempts;
          const backoffSec = Math.min(
            config.delivery.maxBackoffSec,
            config.delivery.minBackoffSec * 2 ** (attempts - 1),
          );
          store.alerts.markFailed(n.id, e.message, this.deps.now() + backoffSec * 1000, dead);
          this.deps.onDelivery?.(n.channel, dead ? 'dead' : 'retry');
          this.deps.log?.warn(
            { notification: n.id, channel: n.channel, receiver: n.receiver, attempts, dead, err: e.message },
            dead ? 'notification given up' : 'notification failed; will retry',
          );
        } finally {
          this.inFlight.delete(n.id);
        }
      }),
    );
    return sent;
  }

  /** Whether the latest message this receiver got about an incident gave other times than it has now. */
  private toldDiffers(receiver: string, inc: Incident): boolean {
    const last = this.deps.store.alerts
      .listNotifications({ incidentId: inc.id, limit: 50 })
      .filter((n) => n.receiver === receiver)
      .sort((a, b) => b.id - a.id)[0];
    const payload = last?.payload as NotificationPayload | undefined;
    const item =
      payload && [...payload.firing, ...payload.resolved, ...(payload.confirmed ?? [])].find((a) => a.id === inc.id);
    if (!item) return false;
    return item.startedAt !== inc.startedAt || (item.endedAt ?? item.closedAt ?? null) !== inc.endedAt;
  }

  private receiver(name: string): Receiver | undefined {
    return this.deps.config.receivers.find((r) => r.name === name);
  }
}

export type { RouteMatch };
