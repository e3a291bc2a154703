/**
 * The agent's local status page, rendered on the server into one HTML string: it works without JavaScript
 * on an old PC, loads nothing from outside, and takes every text from i18n/{vi,en}.json (Vietnamese by
 * default). Texts are composed as plain strings and escaped once, where they enter the HTML.
 *
 * The inline style and script are constants, so the Content-Security-Policy allows exactly them by hash.
 * The script re-fetches the page every 10 s, swaps in the new <main>, and shows a note when the agent
 * stops answering (a stale all-green page must not look current).
 */
import { createHash } from 'node:crypto';
import type { AgentSnapshot, TargetStatus } from '../snapshot.js';
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

export type Lang = 'vi' | 'en';
type Key = keyof typeof vi;
type Vars = Record<string, string | number>;
// The type makes the compiler reject an English catalogue missing a key of the Vietnamese one.
const catalogues: Record<Lang, Record<Key, string>> = { vi, en };

/** `?lang=en` selects English; anything else, or nothing, is Vietnamese. */
export function parseLang(value: string | null | undefined): Lang {
  return value === 'en' ? 'en' : 'vi';
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Plain text of a key with `{name}` placeholders filled; escape with `esc` before output. */
function text(lang: Lang, key: Key, vars: Vars = {}): string {
  return catalogues[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
const html = (lang: Lang, key: Key, vars?: Vars): string => esc(text(lang, key, vars));

const has = (k: string): k is Key => Object.hasOwn(vi, k);
/** The first of `keys` the catalogue has (the most specific phrase), else `fallback`. */
const pick = (keys: string[], fallback: Key): Key => keys.find(has) ?? fallback;
/** A catalogue label for a service class or path role; an unknown (custom) one is shown as it is. */
const label = (lang: Lang, prefix: 'class' | 'role', name: string) =>
  has(`${prefix}.${name}`) ? text(lang, `${prefix}.${name}` as Key) : name;

// Created on first use: building a time-zone formatter maps in about 7 MiB of ICU data, which an agent
// that never renders its page should not carry.
let clock: Intl.DateTimeFormat | undefined;

/** "HH:mm dd/MM/yyyy" in Vietnam's time zone, whatever the PC's own zone is set to. */
export function formatTime(ms: number): string {
  clock ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
  const p = Object.fromEntries(clock.formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

/** "2 giờ 5 phút": days and hours, or hours and minutes, or minutes; never negative. */
export function formatDuration(lang: Lang, ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  const [d, h, m] = [Math.floor(min / 1440), Math.floor((min % 1440) / 60), min % 60];
  const parts: Array<[number, Key]> =
    d > 0
      ? [
          [d, 'dur.d'],
          [h, 'dur.h'],
        ]
      : [
          [h, 'dur.h'],
          [m, 'dur.m'],
        ];
  const shown = parts.filter(([n]) => n > 0).map(([n, k]) => text(lang, k, { n }));
  return shown.length > 0 ? shown.join(' ') : text(lang, 'dur.lt1m');
}

/** The one-line answer at the top of the page; see verdictOf for the order of the rules. */
export type Verdict = 'network' | 'empty' | 'dns' | 'software' | 'unknown' | 'slow' | 'allUp';

/**
 * Nearest cause first, as in agent/path/classify.ts: a service failing at the LAN or uplink, or the path
 * itself down (every gateway hop, or every hop beyond it), is the commune's network; then DNS; then a
 * service or certificate fault with the network fine; then failures not placed on any layer; then slowness.
 */
export function verdictOf(s: Pick<AgentSnapshot, 'services' | 'path'>): Verdict {
  const down = s.services.filter((t) => !t.result.ok);
  const layers = new Set(down.map((t) => t.result.layer));
  const wholeHopDown = (roles: string[]) => {
    const hops = s.path.filter((t) => roles.includes(t.result.role ?? ''));
    return hops.length > 0 && hops.every((t) => !t.result.ok);
  };
  if (layers.has('lan') || layers.has('uplink') || wholeHopDown(['gateway']) || wholeHopDown(['uplink', 'datacentre']))
    return 'network';
  if (s.services.length === 0) return 'empty';
  if (layers.has('dns')) return 'dns';
  if (layers.has('service') || layers.has('tls')) return 'software';
  if (down.length > 0) return 'unknown';
  return s.services.some((t) => t.result.layer === 'slow') ? 'slow' : 'allUp';
}

const VERDICT_TONE: Record<Verdict, 'up' | 'down' | 'slow' | 'none'> = {
  network: 'down',
  dns: 'down',
  software: 'down',
  unknown: 'down',
  slow: 'slow',
  allUp: 'up',
  empty: 'none',
};

type Tone = 'up' | 'down' | 'slow';
const toneOf = (t: TargetStatus): Tone => (!t.result.ok ? 'down' : t.result.layer === 'slow' ? 'slow' : 'up');
const TONE_ORDER: Record<Tone, number> = { down: 0, slow: 1, up: 2 };
const ROLE_ORDER = ['gateway', 'resolver', 'uplink', 'datacentre'];

/** What a service's state means, in plain words: the layer phrase for its service class when there is one. */
export function servicePhrase(lang: Lang, t: TargetStatus): string {
  const r = t.result;
  if (r.ok && r.layer !== 'slow') return text(lang, 'ok');
  if (r.ok)
    return `${text(lang, 'layer.slow')}${r.latencyMs === undefined ? '' : ` (${text(lang, 'latency', { ms: Math.round(r.latencyMs) })})`}`;
  const phrase = text(
    lang,
    r.layer ? pick([`layer.${r.layer}.${r.service}`, `layer.${r.layer}`], 'layer.unknown') : 'layer.unknown',
  );
  return r.blame ? `${phrase} ${text(lang, 'blame', { blame: r.blame })}` : phrase;
}

const since = (lang: Lang, t: TargetStatus, now: number) =>
  html(lang, 'since', { time: formatTime(t.since), duration: formatDuration(lang, now - t.since) });
const pill = (lang: Lang, tone: Tone) => `<span class="pill ${tone}">${html(lang, `status.${tone}`)}</span>`;

function serviceRow(lang: Lang, t: TargetStatus, now: number): string {
  const r = t.result;
  const tone = toneOf(t);
  const name = [r.target, ...(r.link ? [text(lang, 'via', { link: r.link })] : [])].join(' · ');
  const detail =
    !r.ok && r.error
      ? `<br><small class="tech">${html(lang, 'detail', { detail: `${r.error.code}: ${r.error.message.slice(0, 300)}` })}</small>`
      : '';
  return (
    `<tr class="${tone}"><td>${pill(lang, tone)}</td>` +
    `<td><b>${esc(label(lang, 'class', r.service))}</b><br><small>${esc(name)}</small></td>` +
    `<td>${esc(servicePhrase(lang, t))}${detail}</td><td>${since(lang, t, now)}</td></tr>`
  );
}

function hopRow(lang: Lang, t: TargetStatus, now: number): string {
  const role = t.result.role ?? '';
  const tone: Tone = t.result.ok ? 'up' : 'down';
  const state = t.result.ok ? text(lang, 'hop.up') : text(lang, pick([`hop.down.${role}`], 'hop.down'));
  return (
    `<tr class="${tone}"><td>${pill(lang, tone)}</td>` +
    `<td><b>${esc(label(lang, 'role', role))}</b><br><small>${esc(t.result.target)}</small></td>` +
    `<td>${esc(state)}</td><td>${since(lang, t, now)}</td></tr>`
  );
}

function table(lang: Lang, first: Key, rows: string[], empty: Key): string {
  if (rows.length === 0) return `<p class="empty">${html(lang, empty)}</p>`;
  const head = (['col.status', first, 'col.state', 'col.since'] as Key[])
    .map((k) => `<th>${html(lang, k)}</th>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function outboxSection(lang: Lang, s: AgentSnapshot, now: number): string {
  const num = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB');
  const ago = (ms: number) => ({
    time: text(lang, 'ago', { time: formatTime(ms), duration: formatDuration(lang, now - ms) }),
  });
  const { outbox, push } = s;
  const lines = [`<p class="pending">${html(lang, 'outbox.pending', { n: num.format(outbox.pending) })}</p>`];
  if (outbox.pending > 0 && outbox.oldestTs !== null)
    lines.push(`<p>${html(lang, 'outbox.oldest', ago(outbox.oldestTs))}</p>`);
  if (push.failing) {
    const error = push.lastError
      ? `<br><small>${html(lang, 'outbox.error', { error: push.lastError.slice(0, 500) })}</small>`
      : '';
    lines.push(`<p class="alert">${html(lang, 'outbox.failing')}${error}</p>`);
  }
  lines.push(
    `<p>${push.lastAckAt === null ? html(lang, 'outbox.neverPushed') : html(lang, 'outbox.lastPush', ago(push.lastAckAt))}</p>`,
  );
  if (outbox.droppedTotal > 0)
    lines.push(`<p class="note">${html(lang, 'outbox.dropped', { n: num.format(outbox.droppedTotal) })}</p>`);
  if (outbox.deadLettered > 0)
    lines.push(`<p class="note">${html(lang, 'outbox.deadLettered', { n: num.format(outbox.deadLettered) })}</p>`);
  return lines.join('\n');
}

// A backslash at the end of a line continues it: the CSS itself has no line break there.
const STYLE = `
body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f3f4f6;color:#1a1a1a;font-size:16px}
header{background:#fff;border-bottom:1px solid #d0d4da;padding:.6rem 1rem;overflow:hidden}
header h1{font-size:1.3rem;margin:0;float:left}header a{float:right;font-size:1rem;margin-top:.2rem}
main,.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
.sub{color:#555;margin:.4rem 0}
.verdict{font-size:1.5rem;font-weight:bold;padding:1rem;margin:1rem 0;border-radius:6px;border:2px solid}
.verdict small{display:block;font-size:1rem;font-weight:normal;margin-top:.3rem}
.verdict.up{background:#e3f4e4;border-color:#2e7d32;color:#1b5e20}.verdict.down{background:#fde7e9;border-color:#c62828;color:#8e0000}
.verdict.slow{background:#fff4d6;border-color:#c98a00;color:#6d4a00}.verdict.none{background:#eceff1;border-color:#90a4ae}
h2{font-size:1.15rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #dde1e6;padding:.45rem .6rem;text-align:left;vertical-align:top}th{background:#eef0f3;font-size:.9rem}
tr.down td{background:#fff5f5}small{color:#555}.tech{color:#7a2030;font-size:.8rem;word-break:break-word}
.pill{display:inline-block;white-space:nowrap;min-width:4.5rem;text-align:center;\
padding:.2rem .5rem;border-radius:1rem;color:#fff;font-weight:bold}
.pill.up{background:#2e7d32}.pill.down{background:#c62828}.pill.slow{background:#b26a00}
.pending{font-size:1.15rem;font-weight:bold}.alert{background:#fde7e9;border-left:5px solid #c62828;padding:.5rem .7rem;color:#8e0000}
.note{color:#6d4a00}.empty{color:#555;font-style:italic}
.offline{display:none}.offline.on{display:block;background:#fff4d6;border:2px solid #c98a00;padding:.6rem;margin:1rem 0 0;font-weight:bold}
footer{color:#666;font-size:.85rem;margin:1.5rem 0 1rem}
`;

// ES5 on purpose: commune PCs can run very old browsers.
const SCRIPT = `
(function () {
  var note = document.getElementById('offline');
  function stale(on) { note.className = on ? 'offline on' : 'offline'; }
  function refresh() {
    var x = new XMLHttpRequest();
    x.open('GET', location.href);
    x.timeout = 8000;
    x.onload = function () {
      var next = x.status === 200 && new DOMParser().parseFromString(x.responseText, 'text/html').getElementById('main');
      if (next) document.getElementById('main').innerHTML = next.innerHTML;
      stale(!next);
    };
    x.onerror = x.ontimeout = function () { stale(true); };
    x.send();
  }
  setInterval(refresh, 10000);
})();
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** Allows the page's own style and script (by hash) and same-origin refreshes; nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface RenderOptions {
  lang: Lang;
  now: number;
}

/** The whole page for one snapshot. */
export function renderPage(s: AgentSnapshot, { lang, now }: RenderOptions): string {
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  const v = verdictOf(s);
  const down = s.services.filter((t) => !t.result.ok).length;
  const count = down > 0 ? `<small>${html(lang, 'verdict.count', { down, total: s.services.length })}</small>` : '';
  const services = [...s.services]
    .sort((a, b) => TONE_ORDER[toneOf(a)] - TONE_ORDER[toneOf(b)] || a.result.target.localeCompare(b.result.target))
    .map((t) => serviceRow(lang, t, now));
  const rank = (t: TargetStatus) =>
    (ROLE_ORDER.indexOf(t.result.role ?? '') + ROLE_ORDER.length + 1) % (ROLE_ORDER.length + 1);
  const path = [...s.path]
    .sort((a, b) => rank(a) - rank(b) || a.result.target.localeCompare(b.result.target))
    .map((t) => hopRow(lang, t, now));
  const footer = html(lang, 'footer', {
    version: s.version,
    started: s.startedAt > 0 ? formatTime(s.startedAt) : '—',
    now: formatTime(now),
  });
  const otherLanguage = `<a href="?lang=${other}" hreflang="${other}" lang="${other}">${html(lang, 'otherLanguage')}</a>`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>${html(lang, 'title')} — ${esc(s.commune)}</title>
<style>${STYLE}</style></head><body>
<header><h1>${html(lang, 'title')}</h1>${otherLanguage}</header>
<div class="wrap"><p id="offline" class="offline" role="alert">${html(lang, 'offline')}</p></div>
<main id="main">
<p class="sub">${html(lang, 'commune', { commune: s.commune })}</p>
<div class="verdict ${VERDICT_TONE[v]}" role="status">${html(lang, `verdict.${v}`)}${count}</div>
<h2>${html(lang, 'services')}</h2>
${table(lang, 'col.service', services, 'noServices')}
<h2>${html(lang, 'path')}</h2>
${table(lang, 'col.hop', path, 'noPath')}
<h2>${html(lang, 'outbox')}</h2>
${outboxSection(lang, s, now)}
<footer>${footer}</footer>
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
