/**
 * An incident's timeline in words, Vietnamese first: each event the outage engine, the alerts and people
 * write (server/outages/*.ts, server/alerts/escalation.ts) becomes a sentence with its actor named — "Hệ
 * thống" for the engine and the alerts, "Nhà cung cấp X" for a vendor, the person's name otherwise — instead
 * of the raw `{"target":"thanhtoan","changes":6}` a reader cannot use. An event of a kind not known here still
 * reads as a sentence (its fields as "name: value"), never as JSON. Wording lives in server/web/i18n.
 */
import type { IncidentEvent } from '../outages/incident.js';
import { formatter } from '../web/format.js';
import { translator, type Lang, type MessageKey, type Translate } from '../web/i18n.js';

/** What the sentences need besides the event: the commune's name and the clock's offset. */
export interface EventNaming {
  communeName(code: string): string;
  offsetMin: number;
}

const SYSTEM_ACTORS = new Set(['engine', 'alerts', 'system']);
const EDIT_FIELDS = ['startedAt', 'endedAt', 'cause', 'severity', 'service', 'note'] as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** "Hệ thống", "Nhà cung cấp VNPT", or the person's name. */
export function actorLabel(e: Pick<IncidentEvent, 'actor' | 'kind' | 'detail'>, t: Translate): string {
  if (SYSTEM_ACTORS.has(e.actor)) return t('actor_system');
  if (e.kind === 'vendor-acknowledged' || e.detail.role === 'vendor') return t('actor_vendor', { name: e.actor });
  return e.actor;
}

/** One event as a sentence in `lang`. */
export function describeEvent(e: IncidentEvent, lang: Lang, naming: EventNaming): string {
  const t = translator(lang);
  const fmt = formatter(lang, naming.offsetMin);
  const d = e.detail;
  const actor = actorLabel(e, t);
  const layerName = (l: unknown) => (str(l) ? t(`layer_${str(l)}` as MessageKey) : t('none_value'));
  const where = str(d.layer) ? t('ev_where', { layer: layerName(d.layer) }) : '';
  const target = str(d.target);
  const time = (v: unknown) => fmt.dateTime(num(v));
  const say = (key: MessageKey, vars: Record<string, string | number> = {}) => t(key, { actor, ...vars });
  switch (e.kind) {
    case 'opened':
      if (Array.isArray(d.communes))
        return say('ev_opened_central', { count: d.communes.length, probing: num(d.probing) ?? '—' });
      if (str(d.agent)) return say('ev_opened_silent', { agent: str(d.agent), time: time(d.lastPushAt) });
      if (target) {
        const severity = str(d.severity) === 'degraded' ? 'severity_degraded' : 'severity_down';
        return say('ev_opened_target', { target, where, severity: t(severity) });
      }
      return say('ev_opened');
    case 'target-added':
      return say('ev_target_added', { target, where });
    case 'start-moved':
      return say('ev_start_moved', { target, before: time(d.before) });
    case 'flapping':
      return say('ev_flapping', { target, changes: num(d.changes) ?? '—' });
    case 'target-left':
      return say('ev_target_left', { target });
    case 'layer-changed':
      return say('ev_layer_changed', { from: layerName(d.from), to: layerName(d.to), target });
    case 'resolved':
      return say('ev_resolved');
    case 'worsened':
      return say('ev_worsened', { target });
    case 'eased':
      return say('ev_eased', { target });
    case 'reopened':
      return say('ev_reopened', { target });
    case 'merged':
      return say('ev_merged', { into: num(d.into) ?? '—' });
    case 'commune-added':
      return say('ev_commune_added', { commune: naming.communeName(str(d.commune)) });
    case 'commune-recovered':
      return say('ev_commune_recovered', { commune: naming.communeName(str(d.commune)) });
    case 'corrected':
      return corrected(d, say, time);
    case 'agent-back':
      return say('ev_agent_back', { pending: num(d.outboxPending) ?? 0 });
    case 'recorded':
      return say('ev_recorded', { note: str(d.note) });
    case 'edited':
      return say('ev_edited', { changes: edits(d, t, fmt.dateTime), reason: str(d.reason) });
    case 'deleted':
      return say('ev_deleted', { reason: str(d.reason) });
    case 'acknowledged':
      return say('ev_acknowledged');
    case 'vendor-acknowledged':
      return say('ev_vendor_acknowledged');
    case 'replied':
      return say('ev_replied', { excerpt: str(d.excerpt) });
    case 'escalated':
      return say('ev_escalated', { after: fmt.duration((num(d.afterSec) ?? 0) * 1000), receiver: str(d.receiver) });
    default:
      return say('ev_other', { kind: e.kind, details: plainDetails(d) });
  }
}

function corrected(
  d: Record<string, unknown>,
  say: (key: MessageKey, vars?: Record<string, string | number>) => string,
  time: (v: unknown) => string,
): string {
  const span = (v: unknown) => (v && typeof v === 'object' ? (v as { start?: unknown; end?: unknown }) : {});
  if (d.superseded === true) return say('ev_corrected_superseded', { results: num(d.results) ?? 0 });
  if (num(d.splitFrom) !== undefined)
    return say('ev_corrected_split', {
      id: num(d.splitFrom)!,
      from: time(span(d.after).start),
      to: time(span(d.after).end),
    });
  if (d.after !== undefined)
    return say('ev_corrected_span', {
      results: num(d.results) ?? 0,
      from: time(span(d.after).start),
      to: time(span(d.after).end),
    });
  if (str(d.reason).startsWith('late results')) return say('ev_corrected_reopened');
  return say('ev_corrected');
}

/** "thời điểm bắt đầu: 08:00 → 08:10; mức độ: Gián đoạn → Suy giảm". */
function edits(d: Record<string, unknown>, t: Translate, dateTime: (ms: number) => string): string {
  const before = (d.before ?? {}) as Record<string, unknown>;
  const after = (d.after ?? {}) as Record<string, unknown>;
  const value = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return t('none_value');
    if ((field === 'startedAt' || field === 'endedAt') && typeof v === 'number') return dateTime(v);
    if (field === 'severity') return t(`severity_${str(v)}` as MessageKey);
    if (field === 'cause') return t(`cause_${str(v)}` as MessageKey);
    return str(v) || String(v);
  };
  const changes = EDIT_FIELDS.filter((f) => f in before).map((f) =>
    t('ev_change', { field: t(`field_${f}`), before: value(f, before[f]), after: value(f, after[f]) }),
  );
  return changes.length > 0 ? changes.join('; ') : t('ev_edited_nothing');
}

/** An unknown event's fields as " (name: value; …)", flat values only. */
function plainDetails(d: Record<string, unknown>): string {
  const parts = Object.entries(d)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}: ${String(v)}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
