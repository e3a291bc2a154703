/**
 * What a notification says, in Vietnamese by default: what failed, where, since when, whose side in plain
 * words, and a link to the incident. One payload (stored in the queue) renders to a subject, plain text
 * and HTML; chat channels use the text, e-mail both.
 *
 * Each item says what this message tells about its incident (`change`): newly failing, still failing,
 * resolved, or confirmed (already over when first told: one message with its real start and end). A
 * degraded incident reads "chập chờn / chậm" with its figures, never "mất mạng".
 */
import { formatLocalTime } from '../../common/local-time.js';
import type { Units } from '../org/units.js';
import type { DegradedFigures, Incident } from '../outages/incident.js';
import type { NotificationKind } from '../store/alert-store.js';
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };
import { escapeHtml } from '../web/html.js';

export type Language = 'vi' | 'en';
type Key = keyof typeof vi;
const CATALOGUES: Record<Language, Record<string, string>> = { vi, en };

/** firing: told for the first time and still failing; ongoing: told before, still failing. */
export type ItemChange = 'firing' | 'ongoing' | 'resolved' | 'confirmed';

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
  /** 'superseded'/'trimmed': rewritten from backfilled results; 'backfilling': results still arriving. */
  /** 'late': told again because results that arrived late changed its times (replaces the earlier notice). */
  correction: 'superseded' | 'trimmed' | 'backfilling' | 'late' | null;
  figures: DegradedFigures | null;
  /** Resolved because it was folded into this central incident (it may still be failing there). */
  mergedInto: number | null;
  /** When the alert stopped for a merged one (its Alertmanager endsAt); otherwise endedAt. */
  closedAt: number | null;
  change: ItemChange;
  /** muted: covered by a silence or maintenance window while the incident's other communes are not. */
  communes: Array<{ code: string; name: string | null; startedAt: number; endedAt: number | null; muted?: boolean }>;
  url: string;
}

export interface NotificationPayload {
  kind: NotificationKind;
  receiver: string;
  groupKey: string;
  generatedAt: number;
  firing: AlertItem[];
  resolved: AlertItem[];
  /** Over before they were first told (absent in payloads queued before migration 014). */
  confirmed?: AlertItem[];
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

export interface ItemOptions {
  muted?: readonly string[];
  backfilling?: boolean;
  closedAt?: number | null;
  /** Its story was told before on this route and is told again, corrected. */
  retold?: boolean;
}

export function alertItem(
  inc: Incident,
  units: Units,
  baseUrl: string,
  change: ItemChange,
  opts: ItemOptions = {},
): AlertItem {
  const communes = inc.commune
    ? [{ commune: inc.commune, startedAt: inc.startedAt, endedAt: inc.endedAt }]
    : inc.communes;
  const correction = opts.backfilling
    ? 'backfilling'
    : opts.retold
      ? 'late'
      : inc.superseded
        ? 'superseded'
        : inc.corrected && inc.cause === 'agent-silent'
          ? 'trimmed'
          : null;
  return {
    id: inc.id,
    cause: inc.cause,
    service: inc.service,
    severity: inc.severity,
    scope: inc.scope,
    layer: inc.layer,
    startedAt: inc.startedAt,
    endedAt: inc.endedAt,
    flapping: inc.flapping,
    note: inc.note,
    correction,
    figures: inc.figures ?? null,
    mergedInto: inc.mergedInto,
    closedAt: opts.closedAt ?? inc.endedAt,
    change,
    communes: communes.map((c) => ({
      code: c.commune,
      name: units.commune(c.commune)?.name ?? null,
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      ...(opts.muted?.includes(c.commune) && { muted: true }),
    })),
    url: `${baseUrl.replace(/\/+$/, '')}/incidents/${inc.id}`,
  };
}

function t(lang: Language, key: string, vars: Record<string, string | number> = {}): string {
  const template = CATALOGUES[lang][key] ?? (vi as Record<string, string>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** The degraded variant of a key when there is one. */
function bySeverity(lang: Language, key: string, severity: Incident['severity']): string {
  return severity === 'degraded' && CATALOGUES[lang][`${key}.degraded`] ? `${key}.degraded` : key;
}

export function serviceName(lang: Language, service: string | null): string {
  if (!service) return '';
  return CATALOGUES[lang][`service.${service}`] ?? service;
}

function place(lang: Language, a: Pick<AlertItem, 'communes'>): string {
  const c = a.communes[0];
  if (!c) return '';
  return c.name ?? t(lang, 'place.commune', { code: c.code });
}

function duration(lang: Language, ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 60) return t(lang, 'minutes', { n: min });
  if (min < 24 * 60) return t(lang, 'hours', { h: Math.floor(min / 60), m: min % 60 });
  return t(lang, 'days', { d: Math.floor(min / 1440), h: Math.floor((min % 1440) / 60) });
}

/** "Hệ thống một cửa điện tử lỗi ở phía máy chủ (nhiều xã cùng lỗi)", "Mạng của xã chập chờn / chậm" */
export function headline(lang: Language, a: Pick<AlertItem, 'cause' | 'service' | 'severity' | 'communes'>): string {
  return t(lang, bySeverity(lang, `cause.${a.cause}`, a.severity), {
    service: serviceName(lang, a.service) || a.service || '',
    place: place(lang, a),
  });
}

function where(lang: Language, a: AlertItem): string {
  const names = a.communes.map(
    (c) => `${c.name ? `${c.name} (${c.code})` : c.code}${c.muted ? ` [${t(lang, 'muted')}]` : ''}`,
  );
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
  return a.communes.length > 1 ? `${t(lang, 'communes', { count: a.communes.length })}: ${shown}` : shown;
}

/** "mất gói 35%, độ trễ p50 120 ms / p95 900 ms (bình thường 40 ms), chậm nhất: ký số 240 giây" */
function figures(lang: Language, f: DegradedFigures): string {
  const parts: string[] = [];
  if (f.lossPct !== undefined) parts.push(t(lang, 'figures.loss', { pct: Math.round(f.lossPct) }));
  if (f.rttP50Ms !== undefined || f.rttP95Ms !== undefined) {
    const rtt = t(lang, 'figures.rtt', {
      p50: f.rttP50Ms !== undefined ? Math.round(f.rttP50Ms) : '?',
      p95: f.rttP95Ms !== undefined ? Math.round(f.rttP95Ms) : '?',
    });
    parts.push(
      f.baselineMs !== undefined ? `${rtt} ${t(lang, 'figures.baseline', { ms: Math.round(f.baselineMs) })}` : rtt,
    );
  }
  if (f.slowestStep)
    parts.push(
      t(lang, 'figures.slowest', {
        step: f.slowestStep,
        s: f.slowestMs !== undefined ? Math.round(f.slowestMs / 1000) : '?',
      }),
    );
  return parts.join(', ');
}

/** "Đã xác nhận: mạng của Xã Bảo Hà mất từ 24/11/2026 09:08 đến 09:12, tầng uplink" */
export function confirmedLine(lang: Language, a: AlertItem): string {
  const start = formatLocalTime(a.startedAt);
  const endFull = formatLocalTime(a.endedAt ?? a.closedAt ?? a.startedAt);
  const end = endFull.slice(0, 10) === start.slice(0, 10) ? endFull.slice(11) : endFull;
  const what = t(lang, bySeverity(lang, `confirmed.${a.cause}`, a.severity), {
    service: serviceName(lang, a.service) || a.service || '',
    place: place(lang, a),
  });
  return t(lang, 'confirmed.line', {
    what,
    start,
    end,
    layer: a.layer ? t(lang, 'confirmed.layer', { layer: a.layer }) : '',
  });
}

function itemLines(lang: Language, a: AlertItem, now: number): string[] {
  const end = a.endedAt ?? (a.change === 'resolved' || a.change === 'confirmed' ? a.closedAt : null);
  const when =
    end === null
      ? t(lang, 'since', { start: formatLocalTime(a.startedAt), duration: duration(lang, now - a.startedAt) })
      : t(lang, 'span', {
          start: formatLocalTime(a.startedAt),
          end: formatLocalTime(end),
          duration: duration(lang, end - a.startedAt),
        });
  const details = [
    `${t(lang, 'label.severity')}: ${t(lang, `severity.${a.severity}`)}${a.flapping ? `, ${t(lang, 'flapping')}` : ''}`,
  ];
  if (a.layer && CATALOGUES[lang][`layer.${a.layer}`])
    details.push(`${t(lang, 'label.layer')}: ${t(lang, `layer.${a.layer}`)}`);
  const fig = a.figures ? figures(lang, a.figures) : '';
  return [
    a.change === 'confirmed' ? `• ${confirmedLine(lang, a)}` : `• ${headline(lang, a)} — ${where(lang, a)}`,
    ...(a.change === 'confirmed' ? [`  ${where(lang, a)}`] : []),
    `  ${when}. ${details.join('. ')}.`,
    ...(fig ? [`  ${t(lang, 'label.figures')}: ${fig}.`] : []),
    ...(a.mergedInto !== null && a.change === 'resolved' ? [`  ${t(lang, 'merged', { id: a.mergedInto })}`] : []),
    ...(a.note ? [`  ${t(lang, 'label.note')}: ${a.note}`] : []),
    ...(a.correction ? [`  ${t(lang, `correction.${a.correction}`)}`] : []),
    `  ${t(lang, 'label.link')}: ${a.url}`,
  ];
}

export function renderMessage(p: NotificationPayload, lang: Language): RenderedMessage {
  const confirmed = p.confirmed ?? [];
  const first = p.firing[0] ?? confirmed[0] ?? p.resolved[0];
  const count = p.firing.length + p.resolved.length + confirmed.length;
  const kindKey = p.kind === 'firing' && first?.severity === 'degraded' ? 'kind.firing.degraded' : `kind.${p.kind}`;
  // The agent-silent headline already names the commune.
  const placeTail =
    first && first.cause !== 'agent-silent'
      ? first.communes.length > 1
        ? ` — ${t(lang, 'communes', { count: first.communes.length })}`
        : first.communes[0]
          ? ` — ${first.communes[0].name ?? first.communes[0].code}`
          : ''
      : '';
  const subjectTail = first ? `${headline(lang, first)}${placeTail}${count > 1 ? ` (+${count - 1})` : ''}` : '';
  const subject = `[CommuneWatch] ${t(lang, kindKey)}: ${subjectTail}`;
  const sections: string[] = [];
  const section = (key: Key, items: AlertItem[]) => {
    if (items.length > 0)
      sections.push(
        `${t(lang, key)} (${items.length})`,
        ...items.flatMap((a) => itemLines(lang, a, p.generatedAt)),
        '',
      );
  };
  section('section.firing', p.firing);
  section('section.confirmed', confirmed);
  section('section.resolved', p.resolved);
  const text = [...sections, t(lang, 'footer')].join('\n');
  const html =
    `<!doctype html><html lang="${lang}"><meta charset="utf-8"><body style="font-family:sans-serif">` +
    `<pre style="font-family:inherit;white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`;
  return { subject, text, html };
}
