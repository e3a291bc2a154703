/**
 * Prometheus Alertmanager: POST /api/v2/alerts, so a province that already routes with Alertmanager keeps
 * doing so. Like Prometheus, we state an end for firing alerts (now + 24 h) and re-send them with every
 * reminder; a resolved incident is sent with its real end, a merged one with the time it was merged, and a
 * confirmed one (over before it was first told) once with both its real start and end, so Alertmanager
 * records it resolved. One alert per incident: the incident id is the identity. Labels are low-cardinality
 * except that id; `severity` is critical for down, warning for degraded (the Alertmanager convention).
 */
import Type, { type Static } from 'typebox';
import { defineNotifier, postJson } from '../notifier.js';
import type { AlertItem, NotificationPayload } from '../message.js';
import { headline } from '../message.js';

const AlertmanagerTarget = Type.Object(
  { url: Type.String({ pattern: '^https?://', description: 'base URL, e.g. http://alertmanager:9093' }) },
  { additionalProperties: false },
);
export type AlertmanagerTarget = Static<typeof AlertmanagerTarget>;

const FIRING_VALIDITY_MS = 24 * 3_600_000;

/** The alerts of one notification; the end depends on what the message says about each incident. */
export function amAlerts(payload: Pick<NotificationPayload, 'firing' | 'resolved' | 'confirmed' | 'generatedAt'>) {
  const now = payload.generatedAt;
  const items = [...payload.firing, ...payload.resolved, ...(payload.confirmed ?? [])];
  const firing = new Set(payload.firing);
  return items.map((a: AlertItem) => ({
    labels: {
      alertname: 'CommuneWatchIncident',
      incident_id: String(a.id),
      cause: a.cause,
      severity: a.severity === 'degraded' ? 'warning' : 'critical',
      scope: a.scope,
      ...(a.service && { service: a.service }),
      ...(a.communes.length === 1 && { commune: a.communes[0]!.code }),
      ...(a.layer && { layer: a.layer }),
    },
    annotations: {
      summary: headline('vi', a),
      summary_en: headline('en', a),
      communes: a.communes.map((c) => c.code).join(','),
      state: a.severity,
      ...(a.mergedInto !== null && !firing.has(a) && { merged_into: String(a.mergedInto) }),
      url: a.url,
    },
    startsAt: new Date(a.startedAt).toISOString(),
    endsAt: new Date(firing.has(a) ? now + FIRING_VALIDITY_MS : (a.endedAt ?? a.closedAt ?? now)).toISOString(),
    generatorURL: a.url,
  }));
}

export const alertmanager = defineNotifier({
  channel: 'alertmanager',
  label: { vi: 'Alertmanager', en: 'Alertmanager' },
  targetSchema: AlertmanagerTarget,
  // One Alertmanager cluster per receiver is the norm; a few for a migration.
  maxTargets: 5,
  secretFields: [],
  async send(_message, payload, target, ctx) {
    await postJson(`${target.url.replace(/\/+$/, '')}/api/v2/alerts`, amAlerts(payload), {
      signal: ctx.signal,
      what: `alertmanager ${target.url}`,
    });
  },
});
