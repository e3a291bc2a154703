/**
 * Prometheus Alertmanager: POST /api/v2/alerts, so a province that already routes with Alertmanager keeps
 * doing so. Like Prometheus, we state an end for firing alerts (now + 24 h) and re-send them with every
 * reminder; a resolved incident is sent with its real end. Labels are low-cardinality except the incident
 * id, which keeps two incidents apart.
 */
import type { Notifier } from '../notifier.js';
import { postJson } from '../notifier.js';
import type { AlertItem } from '../message.js';
import { headline } from '../message.js';

export interface AlertmanagerTarget {
  url: string;
}

const FIRING_VALIDITY_MS = 24 * 3_600_000;

export function amAlerts(items: AlertItem[], now: number) {
  return items.map((a) => ({
    labels: {
      alertname: 'CommuneWatchIncident',
      incident_id: String(a.id),
      cause: a.cause,
      severity: a.severity,
      scope: a.scope,
      ...(a.service && { service: a.service }),
      ...(a.communes.length === 1 && { commune: a.communes[0]!.code }),
      ...(a.layer && { layer: a.layer }),
    },
    annotations: {
      summary: headline('vi', a),
      summary_en: headline('en', a),
      communes: a.communes.map((c) => c.code).join(','),
      url: a.url,
    },
    startsAt: new Date(a.startedAt).toISOString(),
    endsAt: new Date(a.endedAt ?? now + FIRING_VALIDITY_MS).toISOString(),
    generatorURL: a.url,
  }));
}

export const alertmanager: Notifier<AlertmanagerTarget> = {
  channel: 'alertmanager',
  async send(_message, payload, target, ctx) {
    await postJson(`${target.url.replace(/\/+$/, '')}/api/v2/alerts`, amAlerts([...payload.firing, ...payload.resolved], payload.generatedAt), {
      signal: ctx.signal,
      what: `alertmanager ${target.url}`,
    });
  },
};
