/**
 * The incident record (biên bản sự cố): one incident as a document a vendor cannot dispute. What failed
 * (service, cause, severity, layer), where (each commune with its own start and end), from when to when
 * (down and degraded spans apart), the failing checks with their conditions, phases and first bytes
 * (incident-record-checks.ts), the control group of the same minutes (incident-record-control.ts), the
 * timeline in words with actors (incident-record-events.ts) and the vendor's acknowledgement and replies.
 *
 * A plain object, the same for the JSON API, the web page and the vendor bundle (E4 embeds it, rendered by
 * incident-record-html.ts). Sentences come in both languages, so a caller never needs the catalogues.
 * Scoping is the incident API's: a vendor gets nothing (undefined → 404) for other services' incidents.
 */
import type { ApiPrincipal } from '../auth/roles.js';
import { serviceName } from '../alerts/message.js';
import { counts, downSpansOf, type Incident, type IncidentCause } from '../outages/incident.js';
import type { Units } from '../org/units.js';
import type { IncidentReply } from '../store/incident-store.js';
import type { Store } from '../store/store.js';
import { formatter } from '../web/format.js';
import { translator, type Lang } from '../web/i18n.js';
import { recordResult, storedResultOf, type RecordResult } from './incident-record-checks.js';
import {
  CONTROL_COMMUNES,
  controlCommune,
  controlWindow,
  elsewhere,
  type ControlCommune,
  type ControlElsewhere,
} from './incident-record-control.js';
import { actorLabel, describeEvent } from './incident-record-events.js';

/** A sentence in both languages, so callers need no catalogue. */
export interface Bilingual {
  vi: string;
  en: string;
}

/** A down or degraded span of the incident. */
export interface RecordSpan {
  start: number;
  /** null while still going on. */
  end: number | null;
}

/** One commune of the incident with its own start and end. */
export interface RecordCommune {
  commune: string;
  name: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number;
}

/** One failing target with the evidence results kept for it. */
export interface FailingCheck {
  commune: string;
  target: string;
  kind: string | null;
  url: string | null;
  address: string | null;
  /** Evidence results that failed, of those kept. */
  failed: number;
  total: number;
  results: RecordResult[];
}

/** One timeline event in words, with who did it ("Hệ thống", a user). */
export interface RecordEvent {
  at: number;
  kind: string;
  actor: string;
  actorLabel: Bilingual;
  text: Bilingual;
}

/** The incident record (biên bản sự cố): see the module header. */
export interface IncidentRecord {
  generatedAt: number;
  /** The province the (first) commune belongs to, when the units file knows it. */
  province: string | null;
  incident: {
    id: number;
    scope: Incident['scope'];
    cause: IncidentCause;
    severity: Incident['severity'];
    service: string | null;
    serviceName: Bilingual | null;
    layer: string | null;
    target: string | null;
    flapping: boolean;
    manual: boolean;
    recordedBy: string | null;
    note: string | null;
    figures: Incident['figures'];
    startedAt: number;
    endedAt: number | null;
    durationMs: number;
    downMs: number;
    downSpans: RecordSpan[];
    degradedSpans: RecordSpan[];
    acknowledgedAt: number | null;
    acknowledgedBy: string | null;
    mergedInto: number | null;
    /** False when deleted, superseded or folded into a central incident: then it is not counted. */
    counted: boolean;
  };
  communes: RecordCommune[];
  checks: FailingCheck[];
  control: {
    communes: Array<ControlCommune & { name: string; summary: Bilingual }>;
    /** Communes of a central incident not compared one by one. */
    omitted: number;
    elsewhere: ControlElsewhere & { summary: Bilingual };
  };
  events: RecordEvent[];
  replies: IncidentReply[];
}

/** What building a record reads: the store, the units (commune names), the time and the server's offset. */
export interface IncidentRecordDeps {
  store: Store;
  units?: Pick<Units, 'commune'>;
  now: number;
  offsetMin: number;
}

/** Evidence results shown per failing target: the first failures tell the story, the recovery ends it. */
const RESULTS_PER_CHECK = 6;

/** The record, or undefined when there is no such incident for this principal (a vendor's other services). */
export function buildIncidentRecord(
  deps: IncidentRecordDeps,
  incidentId: number,
  principal: Pick<ApiPrincipal, 'role' | 'services'>,
): IncidentRecord | undefined {
  const { store, now } = deps;
  const inc = store.incidents.get(incidentId);
  if (
    !inc ||
    (inc.deletedAt !== null && principal.role !== 'admin') ||
    (principal.services && !principal.services.includes(inc.service ?? ''))
  )
    return undefined;
  const name = (code: string) => {
    const u = deps.units?.commune(code);
    return u ? `${u.name} (${code})` : code;
  };
  const end = inc.endedAt ?? now;
  const down = downSpansOf(inc, now);
  const downMs = down.reduce((s, x) => s + x.end - x.start, 0);
  const places = inc.communes.length > 0 ? inc.communes : [];
  const communes = places.map((c) => ({
    commune: c.commune,
    name: name(c.commune),
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    durationMs: (c.endedAt ?? now) - c.startedAt,
  }));
  const control = controlGroup(deps, inc, name);
  return {
    generatedAt: now,
    province: places[0] ? (deps.units?.commune(places[0].commune)?.province.name ?? null) : null,
    incident: {
      id: inc.id,
      scope: inc.scope,
      cause: inc.cause,
      severity: inc.severity,
      service: inc.service,
      serviceName: inc.service ? { vi: serviceName('vi', inc.service), en: serviceName('en', inc.service) } : null,
      layer: inc.layer,
      target: inc.target,
      flapping: inc.flapping,
      manual: inc.manual,
      recordedBy: inc.recordedBy,
      note: inc.note,
      figures: inc.figures,
      startedAt: inc.startedAt,
      endedAt: inc.endedAt,
      durationMs: end - inc.startedAt,
      downMs,
      downSpans: down.map((x) => ({ start: x.start, end: x.end === end && inc.endedAt === null ? null : x.end })),
      degradedSpans: gaps(inc.startedAt, end, down).map((x) => ({
        start: x.start,
        end: x.end === end && inc.endedAt === null ? null : x.end,
      })),
      acknowledgedAt: inc.acknowledgedAt,
      acknowledgedBy: inc.acknowledgedBy,
      mergedInto: inc.mergedInto,
      counted: counts(inc),
    },
    communes,
    checks: failingChecks(store, inc.id),
    control,
    events: store.incidents.events(inc.id).map((e) => {
      const naming = { communeName: name, offsetMin: deps.offsetMin };
      return {
        at: e.at,
        kind: e.kind,
        actor: e.actor,
        actorLabel: { vi: actorLabel(e, translator('vi')), en: actorLabel(e, translator('en')) },
        text: { vi: describeEvent(e, 'vi', naming), en: describeEvent(e, 'en', naming) },
      };
    }),
    replies: store.incidents.replies(inc.id),
  };
}

/** The parts of [from, to) not covered by the (sorted, disjoint) down spans: the degraded time. */
function gaps(
  from: number,
  to: number,
  down: Array<{ start: number; end: number }>,
): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let at = from;
  for (const d of [...down].sort((a, b) => a.start - b.start)) {
    if (d.start > at) out.push({ start: at, end: d.start });
    at = Math.max(at, d.end);
  }
  if (to > at) out.push({ start: at, end: to });
  return out;
}

function failingChecks(store: Store, incidentId: number): FailingCheck[] {
  const byTarget = new Map<string, FailingCheck>();
  for (const e of store.incidents.evidence(incidentId, 500)) {
    const key = `${e.commune}\u0000${e.target}`;
    let check = byTarget.get(key);
    if (!check) {
      check = {
        commune: e.commune,
        target: e.target,
        kind: null,
        url: null,
        address: null,
        failed: 0,
        total: 0,
        results: [],
      };
      byTarget.set(key, check);
    }
    check.total += 1;
    if (!e.ok) check.failed += 1;
    // The first failures and the recovery: what a reader checks; the rest are counted, not repeated.
    const keep = check.results.length < RESULTS_PER_CHECK - 1 || (e.ok && check.results.length < RESULTS_PER_CHECK + 1);
    if (!keep) continue;
    const r = recordResult(
      e,
      storedResultOf((q) => store.listResults(q), e),
    );
    check.results.push(r);
    check.kind ??= r.kind;
    check.url ??= r.url;
    check.address ??= r.address;
  }
  return [...byTarget.values()];
}

function controlGroup(
  deps: IncidentRecordDeps,
  inc: Incident,
  name: (code: string) => string,
): IncidentRecord['control'] {
  const firstDown = downSpansOf(inc, deps.now)[0]?.start ?? null;
  const places = [...inc.communes].sort((a, b) => a.startedAt - b.startedAt);
  const compared = places.slice(0, CONTROL_COMMUNES).map((c) => {
    const w = controlWindow(c, firstDown !== null && firstDown >= c.startedAt ? firstDown : null, deps.now);
    const group = controlCommune(deps.store, { commune: c.commune, ...w, subject: inc.service });
    return {
      ...group,
      name: name(c.commune),
      summary: both((lang) => controlSentence(group, inc, name, lang, deps.offsetMin)),
    };
  });
  const window = compared[0] ?? { from: inc.startedAt, to: Math.max(inc.startedAt + 60_000, inc.endedAt ?? deps.now) };
  const other = elsewhere(deps.store, inc, new Set(places.map((p) => p.commune)), window, deps.now);
  return {
    communes: compared,
    omitted: Math.max(0, places.length - CONTROL_COMMUNES),
    elsewhere: { ...other, summary: both((lang) => elsewhereSentence(other, inc, name, lang)) },
  };
}

const both = (f: (lang: Lang) => string): Bilingual => ({ vi: f('vi'), en: f('en') });

/** "the share of path checks that passed" at which the commune's network counts as working (a lost echo is not an outage). */
const PATH_FINE_SHARE = 0.9;

function controlSentence(
  g: ControlCommune,
  inc: Incident,
  name: (code: string) => string,
  lang: Lang,
  offsetMin: number,
): string {
  const t = translator(lang);
  const fmt = formatter(lang, offsetMin);
  const [from, to] = [fmt.dateTime(g.from), fmt.dateTime(g.to)];
  // "25/11/2026 09:00 – 10:00": the date once when the window stays within a day.
  const base = { commune: name(g.commune), from, to: from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to };
  if (g.source === 'none') return t('rec_control_none', base);
  const service = inc.service ? serviceName(lang, inc.service) : '';
  const subject = { service, bad: g.subject.total - g.subject.ok, total: g.subject.total };
  const path = { pathOk: g.path.ok, pathTotal: g.path.total };
  let text: string;
  if (g.path.total === 0) text = t('rec_control_no_path', { ...base, ...subject });
  else if (g.path.ok >= PATH_FINE_SHARE * g.path.total && inc.service !== null && g.subject.total > 0)
    text = t('rec_control_fine', { ...base, ...path, ...subject });
  else if (g.path.ok >= PATH_FINE_SHARE * g.path.total) text = t('rec_control_path_fine', { ...base, ...path });
  else text = t('rec_control_network', { ...base, ...path });
  if (g.others.total > 0) text += t('rec_control_others', { ok: g.others.ok, total: g.others.total });
  return text;
}

function elsewhereSentence(e: ControlElsewhere, inc: Incident, name: (code: string) => string, lang: Lang): string {
  const t = translator(lang);
  const shown = e.communes.slice(0, 8).map(name);
  const list = shown.length > 0 ? ` (${shown.join(', ')}${e.communes.length > 8 ? ', …' : ''})` : '';
  const probing = e.probing ?? '—';
  if (inc.service === null)
    return e.communes.length > 0
      ? t('rec_elsewhere_network', { count: e.communes.length, list })
      : t('rec_elsewhere_network_none', { probing });
  const service = serviceName(lang, inc.service);
  return e.communes.length > 0
    ? t('rec_elsewhere_service', { count: e.communes.length, service, list, probing })
    : t('rec_elsewhere_service_none', { service, probing });
}
