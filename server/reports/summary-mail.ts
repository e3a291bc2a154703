/**
 * The monthly summary as an e-mail, Vietnamese first: a subject like "CommuneWatch — Báo cáo tháng 10/2026",
 * an HTML part of simple inline-styled tables and a plain-text part with the same content. Every text that
 * comes from data (commune names, services) is escaped in the HTML.
 */
import type { OutgoingMail } from '../alerts/notifiers/email.js';
import type { MonthlySummary, DossierFigures } from './monthly-summary.js';
import { monthLabel } from './report-month.js';
import {
  formatter,
  renderHtml,
  renderText,
  t,
  uptimeTone,
  type Block,
  type Cell,
  type Formatter,
  type Key,
  type Language,
} from './report-format.js';

export type RenderedReport = Omit<OutgoingMail, 'to'>;

export interface MailOptions {
  language: Language;
  /** Communes listed, lowest uptime first. */
  maxCommunes: number;
}

/** A downtime, or a dash when there was none. */
const downtime = (f: Formatter, ms: number) => (ms > 0 ? f.duration(ms) : t(f.lang, 'none'));

function scopeText(s: MonthlySummary): string | undefined {
  if (!s.scope) return undefined;
  return [...s.scope.provinces, ...s.scope.districts].map((u) => u.name).join(', ');
}

function header(s: MonthlySummary, f: Formatter, month: string): Block[] {
  const lang = f.lang;
  const scope = scopeText(s);
  const lastDay = f.date(Math.max(s.from, s.partial ? s.to : s.to - 1));
  return [
    { kind: 'h1', text: t(lang, 'title', { month }) },
    { kind: 'p', text: t(lang, 'intro') },
    {
      kind: 'p',
      text: s.partial
        ? t(lang, 'period.partial', { from: f.date(s.from), to: lastDay, asOf: f.dateTime(s.to) })
        : t(lang, 'period', { from: f.date(s.from), to: lastDay }),
    },
    { kind: 'p', text: scope ? t(lang, 'scope', { names: scope }) : t(lang, 'scope.all') },
    { kind: 'p', text: t(lang, 'workingHours') },
  ];
}

function overview(s: MonthlySummary, f: Formatter, month: string): Block[] {
  const lang = f.lang;
  const u = s.uptime.total;
  const p = s.previous;
  const overdue = (d: DossierFigures) => `${f.count(d.overdue)} / ${f.count(d.dossiers)}`;
  const pct = (v: number | null): Cell => ({ text: f.pct(v), right: true, tone: uptimeTone(v) });
  return [
    { kind: 'h2', text: t(lang, 'section.overview') },
    {
      kind: 'table',
      head: [
        t(lang, 'col.indicator'),
        t(lang, 'col.thisMonth', { month }),
        t(lang, 'col.previous', { month: monthLabel(p.month) }),
      ],
      rows: [
        [
          { text: t(lang, 'overview.service') },
          pct(u.serviceUptime),
          { text: f.pct(p.uptime.serviceUptime), right: true },
        ],
        [
          { text: t(lang, 'overview.network') },
          pct(u.networkUptime),
          { text: f.pct(p.uptime.networkUptime), right: true },
        ],
        [
          { text: t(lang, 'overview.incidents') },
          { text: f.count(s.incidents.total), right: true },
          { text: f.count(p.incidents), right: true },
        ],
        [
          { text: t(lang, 'overview.overdue') },
          { text: overdue(s.dossiers), right: true },
          { text: overdue(p.dossiers), right: true },
        ],
      ],
    },
  ];
}

function services(s: MonthlySummary, f: Formatter): Block[] {
  const lang = f.lang;
  const rows = s.uptime.byService.map((r): Cell[] => [
    { text: f.service(r.service) },
    { text: f.count(r.communes), right: true },
    { text: f.pct(r.serviceUptime), right: true, tone: uptimeTone(r.serviceUptime) },
    { text: downtime(f, r.serviceDownMs), right: true },
    { text: f.pct(r.previousServiceUptime), right: true },
  ]);
  return [
    { kind: 'h2', text: t(lang, 'section.services') },
    rows.length
      ? {
          kind: 'table',
          head: [
            t(lang, 'col.service'),
            t(lang, 'col.communes'),
            t(lang, 'col.uptime'),
            t(lang, 'col.downtimeTotal'),
            t(lang, 'col.previous', { month: monthLabel(s.previous.month) }),
          ],
          rows,
        }
      : { kind: 'p', text: t(lang, 'communes.none') },
  ];
}

function communes(s: MonthlySummary, f: Formatter, max: number): Block[] {
  const lang = f.lang;
  const all = s.uptime.byCommune;
  const shown = all.slice(0, max);
  const rows = shown.map((c): Cell[] => [
    { text: f.commune(c.commune, c.name) },
    { text: f.pct(c.networkUptime), right: true, tone: uptimeTone(c.networkUptime) },
    { text: downtime(f, c.networkOutageMs), right: true },
    { text: f.pct(c.serviceUptime), right: true, tone: uptimeTone(c.serviceUptime) },
    {
      text:
        c.worst && c.worst.serviceDownMs > 0
          ? `${f.service(c.worst.service)}: ${f.pct(c.worst.serviceUptime)} (${f.duration(c.worst.serviceDownMs)})`
          : t(lang, 'none'),
    },
  ]);
  const blocks: Block[] = [{ kind: 'h2', text: t(lang, 'section.communes') }];
  if (rows.length === 0) return [...blocks, { kind: 'p', text: t(lang, 'communes.none') }];
  blocks.push({
    kind: 'table',
    head: [
      t(lang, 'col.commune'),
      t(lang, 'col.network'),
      t(lang, 'col.networkDown'),
      t(lang, 'col.services'),
      t(lang, 'col.worst'),
    ],
    rows,
  });
  const next = all[max];
  if (next)
    blocks.push({
      kind: 'p',
      text: t(lang, 'communes.more', {
        count: f.count(all.length - max),
        floor: f.pct(Math.min(next.networkUptime ?? 1, next.serviceUptime ?? 1)),
      }),
    });
  return blocks;
}

function incidents(s: MonthlySummary, f: Formatter): Block[] {
  const lang = f.lang;
  const byCause = Object.entries(s.incidents.byCause)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${t(lang, `cause.${c}` as Key)}: ${f.count(n)}`);
  const blocks: Block[] = [{ kind: 'h2', text: t(lang, 'section.incidents') }];
  if (s.incidents.total > 0)
    blocks.push({
      kind: 'p',
      text: t(lang, 'incidents.byCause', { total: f.count(s.incidents.total), list: byCause.join('; ') }),
    });
  if (s.incidents.top.length === 0) return [...blocks, { kind: 'p', text: t(lang, 'incidents.none') }];
  const rows = s.incidents.top.map((i) => {
    const names = i.communes.map((c) => f.commune(c.code, c.name));
    const listed = `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
    const where =
      i.communes.length > 1
        ? `${t(lang, 'communes.count', { count: f.count(i.communes.length) })}: ${listed}`
        : (names[0] ?? '');
    const cause = `${t(lang, `cause.${i.cause}` as Key)}${i.manual ? ` (${t(lang, 'manual')})` : ''}`;
    const time = `${f.dateTime(i.startedAt)} – ${i.endedAt === null ? t(lang, 'ongoing') : f.dateTime(i.endedAt)}`;
    return {
      cause,
      service: i.service ? f.service(i.service) : '',
      where,
      time,
      duration: f.duration(i.durationMs),
      working: f.duration(i.workingMs),
    };
  });
  blocks.push({
    kind: 'htmlTable',
    head: [
      t(lang, 'col.cause'),
      t(lang, 'col.service'),
      t(lang, 'col.where'),
      t(lang, 'col.time'),
      t(lang, 'col.duration'),
      t(lang, 'col.working'),
    ],
    rows: rows.map((r) => [
      { text: r.cause },
      { text: r.service || t(lang, 'none') },
      { text: r.where },
      { text: r.time },
      { text: r.duration, right: true },
      { text: r.working, right: true },
    ]),
  });
  blocks.push({
    kind: 'list',
    items: rows.map((r) => [
      [r.cause, r.service, r.where].filter(Boolean).join(' — '),
      `${r.time} (${r.duration}); ${t(lang, 'col.working').toLowerCase()}: ${r.working}`,
    ]),
  });
  return blocks;
}

function dossiers(s: MonthlySummary, f: Formatter): Block[] {
  const lang = f.lang;
  const d = s.dossiers;
  const p = s.previous.dossiers;
  const row = (key: Key, now: number, before: number, tone?: Cell['tone']): Cell[] => [
    { text: t(lang, key) },
    { text: f.count(now), right: true, ...(tone && now > 0 && { tone }) },
    { text: f.count(before), right: true },
  ];
  return [
    { kind: 'h2', text: t(lang, 'section.dossiers') },
    { kind: 'p', text: t(lang, 'dossiers.intro', { dossiers: f.count(d.dossiers), overdue: f.count(d.overdue) }) },
    {
      kind: 'table',
      head: [
        t(lang, 'col.verdict'),
        t(lang, 'col.count'),
        t(lang, 'col.previous', { month: monthLabel(s.previous.month) }),
      ],
      rows: [
        row('verdict.outage', d.outage, p.outage, 'bad'),
        row('verdict.partly-outage', d.partlyOutage, p.partlyOutage, 'warn'),
        row('verdict.not-outage', d.notOutage, p.notOutage),
        row('verdict.total', d.overdue, p.overdue),
        row('verdict.idle-online', d.idleOnline, p.idleOnline, 'warn'),
      ],
    },
  ];
}

/** Subject, plain text and HTML of the monthly report. */
export function renderMonthlyMail(s: MonthlySummary, opts: MailOptions): RenderedReport {
  const f = formatter(opts.language, s.offsetMin);
  const month = monthLabel(s.month);
  const scope = scopeText(s);
  const subject = scope ? t(opts.language, 'subject.scope', { month, scope }) : t(opts.language, 'subject', { month });
  const blocks: Block[] = [
    ...header(s, f, month),
    ...overview(s, f, month),
    ...services(s, f),
    ...communes(s, f, opts.maxCommunes),
    ...incidents(s, f),
    ...dossiers(s, f),
    { kind: 'note', text: t(opts.language, 'footer', { at: f.dateTime(s.generatedAt) }) },
  ];
  return { subject, text: renderText(blocks), html: renderHtml(blocks, opts.language, subject) };
}
