/**
 * The incident record as an HTML fragment (no page chrome): the web page wraps it in the layout, the vendor
 * bundle (server/evidence/bundle*) embeds it as is, with RECORD_CSS. Laid out like a Vietnamese administrative
 * document (unit and national motto at the top, title, numbered sections, two signature blocks), and sized so a
 * typical incident prints on one A4 page: rows past the first few are marked `more` and left out of print,
 * with a line saying how many.
 */
import { causeExplainedKey, causeKey } from '../outages/incident.js';
import { formatter, type Formatter } from '../web/format.js';
import { html, raw, type Html } from '../web/html.js';
import { translator, type Lang, type MessageKey, type Translate } from '../web/i18n.js';
import { conditionLine, type RecordPhases, type RecordResult } from './incident-record-checks.js';
import type { ControlRow } from './incident-record-control.js';
import type { IncidentRecord } from './incident-record.js';

/** The record's language and the server's offset from UTC (times are shown local). */
export interface RecordHtmlOptions {
  lang: Lang;
  offsetMin: number;
}

/** What fits on the printed page; the screen shows everything. */
const PRINT_LIMITS = { communes: 6, results: 2, controlCommunes: 2, events: 10 };

/** The record as a fragment in `lang`. */
export function renderIncidentRecordHtml(record: IncidentRecord, opts: RecordHtmlOptions): Html {
  const t = translator(opts.lang);
  const fmt = formatter(opts.lang, opts.offsetMin);
  const { lang } = opts;
  const inc = record.incident;
  const unit = unitLine(record.province, t);
  return html`<article class="record" lang="${lang}">
<div class="record-head"><div><strong>${unit}</strong><span>${t('rec_system')}</span></div>
<div><strong>${t('rec_nation')}</strong><span class="motto">${t('rec_motto')}</span></div></div>
<h1 class="record-title">${t('rec_title')}</h1>
<p class="record-no">${t('rec_number', { id: inc.id, time: fmt.dateTime(record.generatedAt) })}</p>
<h2>${t('rec_section_facts')}</h2>
${facts(record, t, fmt, lang)}
<h2>${t('rec_section_checks')}</h2>
${record.checks.length === 0 ? html`<p>${t('rec_no_checks')}</p>` : record.checks.map((c) => check(c, t, fmt, record))}
<h2>${t('rec_section_control')}</h2>
<p class="record-legend">${t('rec_control_explained')}</p>
${record.control.communes.map((c, i) => {
  const notes = [
    c.clipped ? t('rec_control_clipped') : '',
    c.source === 'minute' || c.source === 'hour' ? t('rec_control_rollups', { resolution: t(`rec_${c.source}`) }) : '',
  ].filter(Boolean);
  return html`<div class="${i >= PRINT_LIMITS.controlCommunes ? 'record-control more' : 'record-control'}">
<p class="record-verdict">${c.summary[lang]}${notes.length ? html` <small>${notes.join(' ')}</small>` : ''}</p>
${c.rows.length > 0 ? controlTable(c.rows, t, fmt) : ''}</div>`;
})}
${record.control.omitted > 0 ? html`<p>${t('rec_control_omitted', { n: record.control.omitted })}</p>` : ''}
<p class="record-verdict">${record.control.elsewhere.summary[lang]}</p>
<h2>${t('rec_section_events')}</h2>
${events(record, t, fmt, lang)}
<h2>${t('rec_section_replies')}</h2>
${replies(record, t, fmt)}
<div class="record-signs"><div><strong>${t('rec_sign_operator')}</strong><em>${t('rec_sign_hint')}</em></div>
<div><strong>${t('rec_sign_vendor')}</strong><em>${t('rec_sign_hint')}</em></div></div>
</article>`;
}

/** "TỈNH LÀO CAI"; a name that already says what it is ("Thành phố Huế", "Tỉnh Thử") is kept as it is. */
function unitLine(province: string | null, t: Translate): string {
  if (!province) return t('rec_unit_default');
  const upper = province.toLocaleUpperCase('vi');
  return /^(TỈNH|THÀNH PHỐ|TP\.?)\s/.test(upper) ? upper : t('rec_province', { name: upper });
}

function facts(record: IncidentRecord, t: Translate, fmt: Formatter, lang: Lang): Html {
  const inc = record.incident;
  const service = inc.serviceName ? html`<strong>${inc.serviceName[lang]}</strong> — ` : '';
  const layer = inc.layer ? html`; ${t('layer')}: ${t(`layer_${inc.layer}` as MessageKey)}` : '';
  const places = record.communes.map(
    (c, i) =>
      html`<li${moreClass(i >= PRINT_LIMITS.communes)}>${c.name}: ${span(c.startedAt, c.endedAt, c.durationMs, t, fmt)}</li>`,
  );
  const morePlaces =
    record.communes.length > PRINT_LIMITS.communes
      ? html`<li class="print-only">${t('rec_communes_more', { n: record.communes.length - PRINT_LIMITS.communes })}</li>`
      : '';
  const degradedMs = inc.degradedSpans.reduce((s, x) => s + (x.end ?? record.generatedAt) - x.start, 0);
  const split =
    degradedMs > 0
      ? html`<br>${t('rec_down_degraded', { down: fmt.duration(inc.downMs), degraded: fmt.duration(degradedMs) })}`
      : '';
  const severity = html`${t('severity')}: ${t(`severity_${inc.severity}`)}${inc.flapping ? html` · ${t('flapping')}` : ''}`;
  const acked = inc.acknowledgedBy
    ? html`<tr><th>${t('acknowledged')}</th><td>${inc.acknowledgedBy} · ${fmt.dateTime(inc.acknowledgedAt)}</td></tr>`
    : '';
  return html`<table class="record-facts">
<tr><th>${t('rec_what')}</th><td>${service}${t(causeKey(inc))}: ${t(causeExplainedKey(inc))}<br>${severity}${layer}</td></tr>
<tr><th>${t('rec_where')}</th><td><ul class="record-places">${places}${morePlaces}</ul></td></tr>
<tr><th>${t('rec_when')}</th><td>${span(inc.startedAt, inc.endedAt, inc.durationMs, t, fmt)}${split}</td></tr>
${inc.manual ? html`<tr><th>${t('note')}</th><td>${t('rec_manual', { who: inc.recordedBy ?? '', note: inc.note ?? '' })}</td></tr>` : ''}
${acked}
</table>`;
}

/** Rows past what fits on the printed page: on screen only. */
const moreClass = (more: boolean) => (more ? raw(' class="more"') : '');

function span(start: number, end: number | null, ms: number, t: Translate, fmt: Formatter): string {
  return t('rec_when_value', {
    from: fmt.dateTime(start),
    to: end === null ? t('ongoing').toLowerCase() : fmt.dateTime(end),
    duration: fmt.duration(ms),
  });
}

function check(c: IncidentRecord['checks'][number], t: Translate, fmt: Formatter, record: IncidentRecord): Html {
  const commune = record.communes.find((x) => x.commune === c.commune)?.name ?? c.commune;
  const where = [c.url, c.address].filter(Boolean).join(' · ');
  const rows = c.results.map((r, i) => resultRow(r, i, t, fmt));
  const head = t('rec_check_head', {
    target: c.target,
    kind: c.kind ?? '—',
    commune,
    failed: c.failed,
    total: c.total,
  });
  const columns = html`<tr><th>${t('time')}</th><th>${t('result')}</th><th>${t('detail')}</th></tr>`;
  return html`<div class="record-check"><p><strong>${head}</strong>${where ? html`<br><code>${where}</code>` : ''}</p>
<table class="record-results"><thead>${columns}</thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * One evidence result. Printed, only the first rows show, the first with its body preview; the error message,
 * which says again what the conditions say, is for the screen.
 */
function resultRow(r: RecordResult, i: number, t: Translate, fmt: Formatter): Html {
  const conditions = r.conditions.map(
    (c) => html`<div class="${c.ok ? 'cond c-ok' : 'cond c-bad'}">${conditionLine(c)}</div>`,
  );
  const previewClass = i === 0 ? 'preview' : 'preview screen-only';
  const detail = [
    r.statusLine ? html`<div><code>${r.statusLine}</code></div>` : '',
    r.phases ? html`<div>${phases(r.phases, t, fmt)}</div>` : '',
    r.failedStep ? html`<div>${t('rec_step')}: ${r.failedStep}</div>` : '',
    r.errorMessage ? html`<div class="screen-only">${r.errorCode}: ${r.errorMessage}</div>` : '',
    r.bodyPreview
      ? html`<div class="${previewClass}" title="${t('rec_body_preview')}"><code>${r.bodyPreview}</code></div>`
      : '',
    r.stored ? '' : html`<div>${r.summary} <small>(${t('rec_result_gone')})</small></div>`,
    html`<div class="rid">${r.resultId}</div>`,
  ];
  const outcome = conditions.length ? conditions : r.ok ? '✓' : '✗';
  const when = html`<td class="when">${fmt.dateTime(r.ts)}</td>`;
  return html`<tr${moreClass(i >= PRINT_LIMITS.results)}>${when}<td>${outcome}</td><td>${detail}</td></tr>`;
}

function phases(p: RecordPhases, t: Translate, fmt: Formatter): string {
  const ms = (v: number | undefined) => (v === undefined ? '—' : `${fmt.number(v)} ms`);
  return t('rec_phases', {
    resolve: ms(p.resolveMs),
    connect: ms(p.connectMs),
    tls: ms(p.tlsMs),
    firstByte: ms(p.firstByteMs ?? p.processingMs),
    total: ms(p.totalMs),
  });
}

function controlTable(rows: ControlRow[], t: Translate, fmt: Formatter): Html {
  const body = rows.map((r) => {
    const worst = [
      r.worstLatencyMs !== null ? `${fmt.number(r.worstLatencyMs)} ms` : '',
      r.maxLossPct !== null ? `${fmt.number(r.maxLossPct)} %` : '',
    ].filter(Boolean);
    const cls = r.ok === r.checks ? 'c-ok' : r.ok === 0 ? 'c-bad' : 'c-part';
    const what = html`${r.target} <small>(${r.kind}${r.role && r.role !== 'service' ? `, ${r.role}` : ''})</small>`;
    return html`<tr class="${`g-${r.group}`}"><td>${t(`rec_group_${r.group}`)}</td><td>${what}</td>
<td class="num ${cls}">${r.ok}/${r.checks}</td><td class="num">${worst.join(' · ') || '—'}</td></tr>`;
  });
  const columns = html`<tr><th></th><th>${t('target')}</th><th class="num">${t('rec_checks_ok')}</th>
<th class="num">${t('rec_worst')}</th></tr>`;
  return html`<table class="record-control-table"><thead>${columns}</thead><tbody>${body}</tbody></table>`;
}

function events(record: IncidentRecord, t: Translate, fmt: Formatter, lang: Lang): Html {
  const rows = record.events.map(
    (e, i) =>
      html`<tr${moreClass(i >= PRINT_LIMITS.events)}><td class="when">${fmt.dateTime(e.at)}</td><td>${e.text[lang]}</td></tr>`,
  );
  const more =
    record.events.length > PRINT_LIMITS.events
      ? html`<tr class="print-only"><td></td><td>${t('rec_events_more', { n: record.events.length - PRINT_LIMITS.events })}</td>
</tr>`
      : '';
  return html`<table class="record-events"><tbody>${rows}${more}</tbody></table>`;
}

function replies(record: IncidentRecord, t: Translate, fmt: Formatter): Html {
  if (record.replies.length === 0) return html`<p>${t('rec_no_replies')}</p>`;
  return html`<ul class="record-replies">${record.replies.map((r) => {
    const who = r.role === 'vendor' ? t('actor_vendor', { name: r.author }) : r.author;
    return html`<li><strong>${who}</strong> · ${fmt.dateTime(r.at)}: ${r.kind === 'ack' ? t('rec_reply_ack') : r.text}</li>`;
  })}</ul>`;
}

/**
 * The record's own styles, screen and print: inlined by the page (the CSP allows inline styles) and by the
 * vendor bundle's HTML. Print: A4 with 12 mm margins, 9.5 pt type, `more` rows left out.
 */
export const RECORD_CSS = `
.record{background:#fff;color:#111;max-width:210mm;margin:0 auto;padding:10mm 12mm;border:1px solid #d0d5dc;font-size:13px;line-height:1.35}
.record h1.record-title{text-align:center;font-size:1.35rem;margin:.6rem 0 .1rem;letter-spacing:.03em}
.record h2{font-size:1rem;margin:.7rem 0 .25rem;border-bottom:1px solid #999}
.record-head{display:flex;justify-content:space-between;gap:1rem;text-align:center}
.record-head div{display:flex;flex-direction:column}
.record-head .motto{text-decoration:underline;font-weight:600}
.record-no{text-align:center;margin:0 0 .4rem;font-style:italic}
.record table{border-collapse:collapse;width:100%;margin:.15rem 0}
.record th,.record td{border:1px solid #bbb;padding:2px 5px;vertical-align:top;text-align:left}
.record th{background:#f1f3f5;font-weight:600}
.record .record-facts th{width:18%}
.record td.num,.record th.num{text-align:right;white-space:nowrap}
.record .c-ok{color:#146c2e}
.record .c-bad{color:#b3261e;font-weight:600}
.record .c-part{color:#8a5a00}
.record td.when{white-space:nowrap}
.record .cond{font-family:ui-monospace,Consolas,monospace;font-size:.92em;white-space:nowrap}
.record .preview code{white-space:pre-wrap;word-break:break-all;font-size:.85em;color:#444}
.record .rid{color:#777;font-size:.8em}
.record-places{margin:0;padding-left:1.1rem}
.record-verdict{margin:.3rem 0 .15rem;font-weight:600}
.record-verdict small{font-weight:400}
.record-legend{margin:.1rem 0;color:#444}
.record-replies{margin:0;padding-left:1.1rem}
.record-signs{display:flex;justify-content:space-around;margin-top:1rem;text-align:center;min-height:30mm}
.record-signs div{display:flex;flex-direction:column;gap:.2rem}
.record .print-only{display:none}
@media print{
  @page{size:A4;margin:12mm}
  .record{border:0;padding:0;max-width:none;font-size:9pt;line-height:1.22}
  .record th,.record td{padding:1px 4px}
  .record .more{display:none}
  .record .print-only{display:list-item}
  .record tr.print-only{display:table-row}
  .record .rid,.record .screen-only{display:none}
  .record h2{margin:.45rem 0 .15rem;break-after:avoid}
  .record tr,.record-check,.record-signs{break-inside:avoid}
  .record-signs{min-height:28mm;margin-top:.6rem}
}
`;
