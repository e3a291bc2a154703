/**
 * report.html: the bundle as one self-contained, print-ready page (A4, inline stylesheet, no script, no
 * external resource), Vietnamese first with English beneath each heading. The same tables as the CSV files,
 * then each vendor-side incident's record (biên bản) as the incident-record module renders it, and how to
 * check the signature. Every data text is escaped (server/web/html.ts escapeHtml, the web pages' own); record
 * fragments arrive rendered from scrubbed data (bundle.ts).
 */
import type { Tabular } from '../export/tabular.js';
import type { BundleData } from './bundle-data.js';
import { bundleTables } from './bundle-tables.js';
import { escapeHtml } from '../web/html.js';
import { bundleMeta } from './bundle-meta.js';
import { both, bt, type BundleKey } from './bundle-text.js';

const STYLE = `
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; margin: 0 auto; max-width: 1100px; }
h1 { font-size: 16pt; margin: 0 0 4px; } h2 { font-size: 12.5pt; margin: 18px 0 4px; break-after: avoid; }
.en { color: #555; font-weight: normal; font-size: 0.85em; display: block; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background: #eee; font-size: 8.5pt; } td { font-size: 8.5pt; white-space: pre-wrap; }
tr { break-inside: avoid; } dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; }
dl.meta dt { font-weight: bold; } .record { border-top: 1px solid #666; margin-top: 12px; break-inside: avoid-page; }
.note { color: #333; font-style: italic; } code { font-size: 8pt; word-break: break-all; }
@media print { a { color: inherit; text-decoration: none; } }`;

function heading(tag: 'h1' | 'h2' | 'h3', key: BundleKey): string {
  return `<${tag}>${escapeHtml(bt('vi', key))}<span class="en" lang="en">${escapeHtml(bt('en', key))}</span></${tag}>`;
}

function table(t: Tabular): string {
  const rows = [...t.rows];
  if (rows.length === 0) return `<p class="note">${escapeHtml(both('none'))}</p>`;
  const head = t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${c === null ? '' : escapeHtml(String(c))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** What report.html shows besides the model. */
export interface ReportHtmlOptions {
  serverVersion: string;
  keyId: string;
  /** Each vendor-side incident's record as an HTML fragment, in incident order; absent ones get a pointer. */
  records: Map<number, string>;
  /** The stylesheet the record fragments need (the incident-record module's). */
  recordCss?: string;
}

/** report.html: the whole bundle as one self-contained, print-ready page (see the module header). */
export function reportHtml(d: BundleData, o: ReportHtmlOptions): string {
  const t = bundleTables(d);
  const meta = bundleMeta(d, o);
  const records = d.incidents
    .map((i) => {
      const fragment =
        o.records.get(i.id) ??
        `<p class="note">${escapeHtml(bt('vi', 'record_missing', { id: i.id }))}<br>${escapeHtml(
          bt('en', 'record_missing', { id: i.id }),
        )}</p>`;
      return `<section class="record" id="incident-${i.id}"><h3>#${i.id}</h3>${fragment}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(both('title'))} — ${escapeHtml(d.vendor.name)}</title>
<style>${STYLE}${o.recordCss ?? ''}</style></head>
<body>
${heading('h1', 'title')}
<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(both(k))}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<p>${escapeHtml(bt('vi', 'intro'))}<br><span class="en" lang="en">${escapeHtml(bt('en', 'intro'))}</span></p>
${heading('h2', 'sec_sla')}
${d.sla === null ? `<p class="note">${escapeHtml(both('sla_missing'))}</p>` : table(t.sla)}
${heading('h2', 'sec_incidents')}
${table(t.incidents)}
${heading('h2', 'sec_not_theirs')}
<p class="note">${escapeHtml(bt('vi', 'sec_not_theirs_note'))}<br>${escapeHtml(bt('en', 'sec_not_theirs_note'))}</p>
${table(t.notTheirs)}
${heading('h2', 'sec_rum')}
<p class="note">${escapeHtml(bt('vi', 'sec_rum_note'))}<br>${escapeHtml(bt('en', 'sec_rum_note'))}</p>
${table(t.rumErrors)}
${heading('h2', 'sec_dossiers')}
${table(t.dossiers)}
${d.incidents.length ? `${heading('h2', 'sec_records')}\n${records}` : ''}
${heading('h2', 'sec_verify')}
<p>${escapeHtml(bt('vi', 'verify_text'))}<br><span class="en" lang="en">${escapeHtml(bt('en', 'verify_text'))}</span></p>
<p><code>${escapeHtml(o.keyId)}</code></p>
</body></html>
`;
}
