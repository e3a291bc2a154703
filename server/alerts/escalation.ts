/**
 * Escalation: one message to a route's `escalateTo` receiver when an incident told FIRING on that route is
 * still failing, unacknowledged, `escalateAfterSec` after that FIRING was queued. Counting from the FIRING
 * rather than from the incident's start means the second receiver never hears before the first: not when a
 * maintenance window held the FIRING back and was then deleted, not when a central incident took the start
 * of an older one. (The FIRING is always queued after the start, so this is max(start, first FIRING).)
 *
 * The escalation receiver is then a member of the incident's story like any other: when the incident ends,
 * is merged, deleted or superseded, it gets the resolve too.
 */
import type { GroupId } from '../store/alert-store.js';
import { incidentLabels } from './labels.js';
import { alertItem, type NotificationPayload } from './message.js';
import { route } from './routing.js';
import { backfillState, silenceVerdict, type HoldContext } from './holds.js';
import { isFiring } from './verdict.js';
import type { FlushDeps } from './flush.js';

/** Escalation members live on a pseudo-route beside the route that escalates, one per incident. */
export const ESCALATION_SUFFIX = '!esc';

export function escalate(deps: FlushDeps, ctx: HoldContext): void {
  const { store, config, units } = deps;
  if (!config.route) return;
  const now = ctx.now;
  for (const inc of store.incidents.list({ openOnly: true, limit: 5000 })) {
    if (!isFiring(inc) || inc.acknowledgedAt !== null || (inc.manual && !inc.notify)) continue;
    if (backfillState(ctx, inc) === 'hold') continue;
    if (silenceVerdict(ctx.silences, inc, units, now, deps.offsetMin).until !== undefined) continue;
    for (const m of route(config.route, incidentLabels(inc, units))) {
      if (!m.escalateAfterSec || !m.escalateTo) continue;
      const told = store.alerts.told(m.path, m.receiver, inc.id);
      if (!told || told.firedAt === null || told.closedAt !== null) continue;
      if (now - Math.max(inc.startedAt, told.firedAt) < m.escalateAfterSec * 1000) continue;
      const esc: GroupId = {
        routePath: `${m.path}${ESCALATION_SUFFIX}`,
        receiver: m.escalateTo,
        groupKey: `incident=${inc.id}`,
      };
      if (store.alerts.told(esc.routePath, esc.receiver, inc.id)) continue;
      // Escalations queued before migration 014 are known only from the incident's timeline.
      if (store.incidents.events(inc.id).some((e) => e.kind === 'escalated' && e.detail.receiver === m.escalateTo))
        continue;
      const payload: NotificationPayload = {
        kind: 'escalation',
        receiver: m.escalateTo,
        groupKey: esc.groupKey,
        generatedAt: now,
        firing: [alertItem(inc, units, config.baseUrl, 'ongoing')],
        resolved: [],
        confirmed: [],
      };
      deps.enqueue(m.escalateTo, 'escalation', esc.groupKey, payload, now);
      store.alerts.setMember(esc, inc.id, 'firing');
      store.alerts.markNotified(esc, [inc.id], now);
      store.incidents.addEvent(inc.id, {
        at: now,
        kind: 'escalated',
        actor: 'alerts',
        detail: { receiver: m.escalateTo, afterSec: m.escalateAfterSec, firingAt: told.firedAt },
      });
    }
  }
  for (const e of store.alerts.openEscalations()) {
    const inc = store.incidents.get(e.incidentId);
    if (inc && (isFiring(inc) || backfillState(ctx, inc) === 'hold')) continue;
    if (inc) {
      const closedAt = inc.endedAt ?? inc.deletedAt ?? now;
      const payload: NotificationPayload = {
        kind: 'resolved',
        receiver: e.receiver,
        groupKey: e.groupKey,
        generatedAt: now,
        firing: [],
        confirmed: [],
        resolved: [alertItem(inc, units, config.baseUrl, 'resolved', { closedAt })],
      };
      deps.enqueue(e.receiver, 'resolved', e.groupKey, payload, now);
    }
    store.alerts.setMember(e, e.incidentId, 'resolved');
    store.alerts.markNotified(e, [e.incidentId], now);
  }
}
