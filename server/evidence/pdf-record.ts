/**
 * An incident record's essentials in report.pdf: the facts (service, cause, each commune with its times, the
 * duration), the failing checks as conditions (`[STATUS] == 200-399 ✗ 503`) with the status line and phases of
 * the first failure, the control-group verdict of the same minutes ("các kiểm tra mạng của xã đạt 30/30 lần,
 * trong khi … không đạt 10/10 lần"), the timeline and the replies. report.html carries the full record
 * (incident-record-html.ts); the PDF keeps what a reader needs to see the fault was on the vendor's side.
 *
 * It draws the record model (incident-record.ts) as the bundle passes it, already scrubbed of secrets, with
 * the web catalogue's record words (rec_*), so the PDF and the record page say the same sentences.
 */
import { causeExplainedKey, causeKey } from '../outages/incident.js';
import { formatter, type Formatter } from '../web/format.js';
import { translator, type Translate } from '../web/i18n.js';
import { conditionLine, type RecordResult } from './incident-record-checks.js';
import type { IncidentRecord } from './incident-record.js';

/** Communes, failing checks, events and replies listed per record; the rest are counted ("và 3 xã khác"). */
const LIMITS = { communes: 12, checks: 6, events: 10, replies: 20 };

/** Draws one record at the document's cursor, `width` points wide, times at `offsetMin` from UTC. */
export function drawRecordPdf(doc: PDFKit.PDFDocument, record: IncidentRecord, width: number, offsetMin: number): void {
  const t = translator('vi');
  const fmt = formatter('vi', offsetMin);
  const inc = record.incident;
  const body = (text: string, size = 8.5) => doc.font('body').fontSize(size).text(text, { width });
  const grey = (text: string) =>
    doc.font('body').fontSize(7.5).fillColor('#555').text(text, { width }).fillColor('#000');
  const section = (text: string) => doc.moveDown(0.2).font('bold').fontSize(9).text(text, { width });
  const field = (label: string, value: string) => {
    doc.font('bold').fontSize(8.5).text(`${label}: `, { continued: true, width });
    doc.font('body').text(value, { width });
  };

  if (doc.y > doc.page.height - 160) doc.addPage();
  const service = inc.serviceName ? `${inc.serviceName.vi} — ` : '';
  doc
    .moveDown(0.5)
    .font('bold')
    .fontSize(10.5)
    .text(`${t('rec_title')} #${inc.id}`, { width });

  section(t('rec_section_facts'));
  const severity = `${t('severity')}: ${t(`severity_${inc.severity}`)}${inc.flapping ? ` · ${t('flapping')}` : ''}`;
  const explained = t(causeExplainedKey(inc)).replace(/\.$/, '');
  field(t('rec_what'), `${service}${t(causeKey(inc))}: ${explained}. ${severity}`);
  field(t('rec_when'), when(inc.startedAt, inc.endedAt, inc.durationMs, t, fmt));
  const degradedMs = inc.degradedSpans.reduce((s, x) => s + (x.end ?? record.generatedAt) - x.start, 0);
  if (degradedMs > 0)
    body(t('rec_down_degraded', { down: fmt.duration(inc.downMs), degraded: fmt.duration(degradedMs) }));
  if (record.communes.length === 0) field(t('rec_where'), '—');
  else
    doc
      .font('bold')
      .fontSize(8.5)
      .text(`${t('rec_where')}:`, { width });
  for (const c of record.communes.slice(0, LIMITS.communes))
    body(`• ${c.name}: ${when(c.startedAt, c.endedAt, c.durationMs, t, fmt)}`);
  if (record.communes.length > LIMITS.communes)
    body(`• ${t('rec_communes_more', { n: record.communes.length - LIMITS.communes })}`);

  section(t('rec_section_checks'));
  if (record.checks.length === 0) body(t('rec_no_checks'));
  for (const c of record.checks.slice(0, LIMITS.checks)) {
    const commune = record.communes.find((x) => x.commune === c.commune)?.name ?? c.commune;
    doc
      .font('bold')
      .fontSize(8.5)
      .text(t('rec_check_head', { target: c.target, kind: c.kind ?? '—', commune, failed: c.failed, total: c.total }), {
        width,
      });
    const where = [c.url, c.address].filter(Boolean).join(' · ');
    if (where) grey(where);
    const failure = c.results.find((r) => !r.ok);
    if (failure) for (const line of failureLines(failure, t, fmt)) body(`   ${line}`);
  }
  if (record.checks.length > LIMITS.checks) body(`… +${record.checks.length - LIMITS.checks}`);

  section(t('rec_section_control'));
  for (const c of record.control.communes) {
    body(c.summary.vi);
    grey(c.summary.en);
  }
  if (record.control.omitted > 0) body(t('rec_control_omitted', { n: record.control.omitted }));
  body(record.control.elsewhere.summary.vi);
  grey(record.control.elsewhere.summary.en);

  section(t('rec_section_events'));
  for (const e of record.events.slice(0, LIMITS.events)) body(`• ${fmt.dateTime(e.at)}: ${e.text.vi}`);
  if (record.events.length > LIMITS.events) body(t('rec_events_more', { n: record.events.length - LIMITS.events }));

  section(t('rec_section_replies'));
  if (record.replies.length === 0) body(t('rec_no_replies'));
  for (const r of record.replies.slice(0, LIMITS.replies)) {
    const who = r.role === 'vendor' ? t('actor_vendor', { name: r.author }) : r.author;
    body(`• ${who} · ${fmt.dateTime(r.at)}: ${r.kind === 'ack' ? t('rec_reply_ack') : r.text}`);
  }
  if (record.replies.length > LIMITS.replies) body(`… +${record.replies.length - LIMITS.replies}`);
}

function when(start: number, end: number | null, ms: number, t: Translate, fmt: Formatter): string {
  return t('rec_when_value', {
    from: fmt.dateTime(start),
    to: end === null ? t('ongoing').toLowerCase() : fmt.dateTime(end),
    duration: fmt.duration(ms),
  });
}

/** The first failure of a check: when, its conditions, the status line, the step and the phases. */
function failureLines(r: RecordResult, t: Translate, fmt: Formatter): string[] {
  const ms = (v: number | undefined) => (v === undefined ? '—' : `${fmt.number(v)} ms`);
  const p = r.phases;
  return [
    `${fmt.dateTime(r.ts)}${r.conditions.length === 0 ? ` ${r.summary}` : ''}`,
    ...r.conditions.map(conditionLine),
    r.statusLine ?? '',
    r.failedStep ? `${t('rec_step')}: ${r.failedStep}` : '',
    p
      ? t('rec_phases', {
          resolve: ms(p.resolveMs),
          connect: ms(p.connectMs),
          tls: ms(p.tlsMs),
          firstByte: ms(p.firstByteMs ?? p.processingMs),
          total: ms(p.totalMs),
        })
      : '',
  ].filter(Boolean);
}
