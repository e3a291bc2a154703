/**
 * How report figures are written: catalogue texts (i18n/vi.json, i18n/en.json), numbers in the language's
 * format (vi-VN: "99,5 %", "1.234"), dates dd/MM/yyyy in local time, durations in words; and a small
 * document model (headings, paragraphs, tables) that renders to both plain text and e-mail-safe HTML
 * (tables with inline styles and bgcolor attributes only, which Outlook and Gmail both keep).
 */
import { formatLocalTime } from '../../common/local-time.js';
import { serviceName } from '../alerts/message.js';
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };
import { escapeHtml } from '../web/html.js';

export type Language = 'vi' | 'en';
export type Key = keyof typeof vi;
const CATALOGUES: Record<Language, Record<string, string>> = { vi, en };

/**
 * `key`'s text in `lang` from a pair of catalogues, `{name}` placeholders filled from `vars` (an unknown one is
 * left as it is); the Vietnamese text when `lang`'s catalogue lacks the key. The reports' and the vendor
 * bundle's (evidence/bundle-text.ts) catalogues both go through it.
 */
export function translate(
  catalogues: Record<Language, Record<string, string>>,
  lang: Language,
  key: string,
  vars: Record<string, string | number> = {},
): string {
  const template = catalogues[lang][key] ?? catalogues.vi[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** A report text (i18n/vi.json, i18n/en.json) in `lang`: see translate. */
export function t(lang: Language, key: Key, vars: Record<string, string | number> = {}): string {
  return translate(CATALOGUES, lang, key, vars);
}

export interface Formatter {
  lang: Language;
  /** "99,5 %"; truncated, never rounded up, so 100 % means no downtime at all. "—" for no figure. */
  pct(v: number | null): string;
  count(n: number): string;
  /** "4 giờ 30 phút". */
  duration(ms: number): string;
  /** "dd/MM/yyyy". */
  date(ms: number): string;
  /** "dd/MM/yyyy HH:mm". */
  dateTime(ms: number): string;
  service(s: string | null): string;
  commune(code: string, name: string | null): string;
}

export function formatter(lang: Language, offsetMin: number): Formatter {
  const numbers = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  const counts = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB');
  return {
    lang,
    pct: (v) => (v === null ? t(lang, 'none') : `${numbers.format(Math.floor(v * 1000 + 1e-9) / 10)} %`),
    count: (n) => counts.format(n),
    duration(ms) {
      const min = Math.max(0, Math.round(ms / 60_000));
      if (min < 60) return t(lang, 'duration.minutes', { m: min });
      if (min < 24 * 60)
        return min % 60 === 0
          ? t(lang, 'duration.hours', { h: min / 60 })
          : t(lang, 'duration.hoursMinutes', { h: Math.floor(min / 60), m: min % 60 });
      return t(lang, 'duration.days', { d: Math.floor(min / 1440), h: Math.floor((min % 1440) / 60) });
    },
    date: (ms) => formatLocalTime(ms, offsetMin).slice(0, 10),
    dateTime: (ms) => formatLocalTime(ms, offsetMin),
    service: (s) => (s ? serviceName(lang, s) || s : t(lang, 'none')),
    commune: (code, name) => (name ? `${name} (${code})` : code),
  };
}

/** A table cell: numbers are right-aligned; a tone colours a figure that needs attention. */
export interface Cell {
  text: string;
  right?: boolean;
  tone?: 'bad' | 'warn';
}

export type Block =
  | { kind: 'h1' | 'h2' | 'p' | 'note'; text: string }
  | { kind: 'table'; head: string[]; rows: Cell[][] }
  /** Plain text only: numbered entries, for tables too wide for a text e-mail. */
  | { kind: 'list'; items: string[][] }
  /** HTML only: the table the list above stands for. */
  | { kind: 'htmlTable'; head: string[]; rows: Cell[][] };

const TONE: Record<NonNullable<Cell['tone']>, string> = { bad: '#f8d7da', warn: '#fff3cd' };

/** Uptime below 95 % is bad, below 99 % a warning. */
export function uptimeTone(v: number | null): Cell['tone'] {
  if (v === null) return undefined;
  return v < 0.95 ? 'bad' : v < 0.99 ? 'warn' : undefined;
}

function textTable(head: string[], rows: Cell[][]): string {
  // Composed (NFC) text, so a name typed with combining diacritics takes the width it shows.
  const all = [head, ...rows.map((r) => r.map((c) => c.text))].map((r) => r.map((c) => c.normalize('NFC')));
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], right: boolean[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [
    line(all[0]!, []),
    rule,
    ...rows.map((r, i) =>
      line(
        all[i + 1]!,
        r.map((c) => !!c.right),
      ),
    ),
  ].join('\n');
}

export function renderText(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h1') out.push(b.text.toUpperCase(), '');
    else if (b.kind === 'h2') out.push('', b.text, '='.repeat(b.text.length));
    else if (b.kind === 'p') out.push(b.text);
    else if (b.kind === 'note') out.push('', b.text);
    else if (b.kind === 'table') out.push(textTable(b.head, b.rows));
    else if (b.kind === 'list')
      b.items.forEach((lines, i) => out.push(`${i + 1}. ${lines[0] ?? ''}`, ...lines.slice(1).map((l) => `   ${l}`)));
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

const FONT = 'font-family:Arial,Helvetica,sans-serif';

function htmlTable(head: string[], rows: Cell[][]): string {
  const th = head
    .map(
      (h) =>
        `<th align="left" bgcolor="#eef2f7" style="${FONT};font-size:13px;text-align:left;background:#eef2f7;` +
        `border:1px solid #c8d0da;padding:6px 8px">${escapeHtml(h)}</th>`,
    )
    .join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c) => {
            const bg = c.tone ? ` bgcolor="${TONE[c.tone]}"` : '';
            const align = c.right ? 'text-align:right;white-space:nowrap;' : '';
            const background = c.tone ? `background:${TONE[c.tone]};` : '';
            const style = `${FONT};font-size:13px;border:1px solid #c8d0da;padding:6px 8px;${align}${background}`;
            return `<td${c.right ? ' align="right"' : ''}${bg} style="${style}">${escapeHtml(c.text)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return (
    '<table border="1" cellpadding="0" cellspacing="0" style="border-collapse:collapse;border:1px solid #c8d0da;margin:0 0 8px 0">' +
    `\n<tr>${th}</tr>\n${tr}\n</table>`
  );
}

export function renderHtml(blocks: readonly Block[], lang: Language, title: string): string {
  const body = blocks
    .map((b) => {
      if (b.kind === 'h1')
        return `<h1 style="${FONT};font-size:20px;color:#1f3b5a;margin:0 0 8px 0">${escapeHtml(b.text)}</h1>`;
      if (b.kind === 'h2')
        return `<h2 style="${FONT};font-size:16px;color:#1f3b5a;margin:20px 0 8px 0">${escapeHtml(b.text)}</h2>`;
      if (b.kind === 'p') return `<p style="${FONT};font-size:14px;margin:0 0 6px 0">${escapeHtml(b.text)}</p>`;
      if (b.kind === 'note')
        return `<p style="${FONT};font-size:12px;color:#666666;margin:12px 0 0 0">${escapeHtml(b.text)}</p>`;
      if (b.kind === 'table' || b.kind === 'htmlTable') return htmlTable(b.head, b.rows);
      return '';
    })
    .filter(Boolean)
    .join('\n');
  return (
    `<!doctype html>\n<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title></head>\n` +
    `<body style="margin:0;padding:16px;background:#ffffff;color:#222222;${FONT}">\n${body}\n</body></html>\n`
  );
}
