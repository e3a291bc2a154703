/**
 * What a notification says, in Vietnamese by default: what failed, where, since when, whose side in plain
 * words, and a link to the incident. One payload (stored in the queue) renders to a subject, plain text
 * and HTML; chat channels use the text, e-mail both.
 */
import { formatLocalTime } from '../../common/local-time.js';
import type { Units } from '../org/units.js';
import type { Incident } from '../outages/incident.js';
import type { NotificationKind } from '../store/sqlite-alerts.js';
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

export type Language = 'vi' | 'en';
type Key = keyof typeof vi;
const CATALOGUES: Record<Language, Record<string, string>> = { vi, en };

export interface AlertItem {
  id: number;
  cause: Incident['cause'];
  service: string | null;
  severity: Incident['severity'];
  scope: Incident['scope'];
  layer: string | null;
  startedAt: number;
  endedAt: number | null;
  flapping: boolean;
  note: string | null;
  /** Set when the record was rewritten from backfilled results: 'superseded' or 'trimmed'. */
  correction: 'superseded' | 'trimmed' | null;
  communes: Array<{ code: string; name: string | null; startedAt: number; endedAt: number | null }>;
  url: string;
}

export interface NotificationPayload {
  kind: NotificationKind;
  receiver: string;
  groupKey: string;
  generatedAt: number;
  firing: AlertItem[];
  resolved: AlertItem[];
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

export function alertItem(inc: Incident, units: Units, baseUrl: string): AlertItem {
  const communes = inc.commune ? [{ commune: inc.commune, startedAt: inc.startedAt, endedAt: inc.endedAt }] : inc.communes;
  return {
    id: inc.id, cause: inc.cause, service: inc.service, severity: inc.severity, scope: inc.scope, layer: inc.layer,
    startedAt: inc.startedAt, endedAt: inc.endedAt, flapping: inc.flapping, note: inc.note,
    correction: inc.superseded ? 'superseded' : inc.corrected && inc.cause === 'agent-silent' ? 'trimmed' : null,
    communes: communes.map((c) => ({ code: c.commune, name: units.commune(c.commune)?.name ?? null, startedAt: c.startedAt, endedAt: c.endedAt })),
    url: `${baseUrl.replace(/\/+$/, '')}/incidents/${inc.id}`,
  };
}

function t(lang: Language, key: Key, vars: Record<string, string | number> = {}): string {
  const template = CATALOGUES[lang][key] ?? vi[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export function serviceName(lang: Language, service: string | null): string {
  if (!service) return '';
  return CATALOGUES[lang][`service.${service}`] ?? service;
}

function duration(lang: Language, ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 60) return t(lang, 'minutes', { n: min });
  if (min < 24 * 60) return t(lang, 'hours', { h: Math.floor(min / 60), m: min % 60 });
  return t(lang, 'days', { d: Math.floor(min / 1440), h: Math.floor((min % 1440) / 60) });
}

/** "Hệ thống một cửa điện tử lỗi ở phía máy chủ (nhiều xã cùng lỗi)" */
export function headline(lang: Language, a: AlertItem): string {
  return t(lang, `cause.${a.cause}` as Key, { service: serviceName(lang, a.service) || a.service || '' });
}

function where(lang: Language, a: AlertItem): string {
  const names = a.communes.map((c) => (c.name ? `${c.name} (${c.code})` : c.code));
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
  return a.communes.length > 1 ? `${t(lang, 'communes', { count: a.communes.length })}: ${shown}` : shown;
}

function itemLines(lang: Language, a: AlertItem, now: number): string[] {
  const when = a.endedAt === null
    ? t(lang, 'since', { start: formatLocalTime(a.startedAt), duration: duration(lang, now - a.startedAt) })
    : t(lang, 'span', { start: formatLocalTime(a.startedAt), end: formatLocalTime(a.endedAt), duration: duration(lang, a.endedAt - a.startedAt) });
  const details = [`${t(lang, 'label.severity')}: ${t(lang, `severity.${a.severity}` as Key)}${a.flapping ? `, ${t(lang, 'flapping')}` : ''}`];
  if (a.layer && CATALOGUES[lang][`layer.${a.layer}`]) details.push(`${t(lang, 'label.layer')}: ${t(lang, `layer.${a.layer}` as Key)}`);
  return [
    `• ${headline(lang, a)} — ${where(lang, a)}`,
    `  ${when}. ${details.join('. ')}.`,
    ...(a.note ? [`  ${t(lang, 'label.note')}: ${a.note}`] : []),
    ...(a.correction ? [`  ${t(lang, `correction.${a.correction}` as Key)}`] : []),
    `  ${t(lang, 'label.link')}: ${a.url}`,
  ];
}

export function renderMessage(p: NotificationPayload, lang: Language): RenderedMessage {
  const first = p.firing[0] ?? p.resolved[0];
  const count = p.firing.length + p.resolved.length;
  const subjectTail = first ? `${headline(lang, first)}${first.communes.length > 1 ? ` — ${t(lang, 'communes', { count: first.communes.length })}` : first.communes[0] ? ` — ${first.communes[0].name ?? first.communes[0].code}` : ''}${count > 1 ? ` (+${count - 1})` : ''}` : '';
  const subject = `[CommuneWatch] ${t(lang, `kind.${p.kind}` as Key)}: ${subjectTail}`;
  const sections: string[] = [];
  if (p.firing.length > 0) sections.push(`${t(lang, 'section.firing')} (${p.firing.length})`, ...p.firing.flatMap((a) => itemLines(lang, a, p.generatedAt)), '');
  if (p.resolved.length > 0) sections.push(`${t(lang, 'section.resolved')} (${p.resolved.length})`, ...p.resolved.flatMap((a) => itemLines(lang, a, p.generatedAt)), '');
  const text = [...sections, t(lang, 'footer')].join('\n');
  const html = `<!doctype html><html lang="${lang}"><meta charset="utf-8"><body style="font-family:sans-serif"><pre style="font-family:inherit;white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`;
  return { subject, text, html };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
