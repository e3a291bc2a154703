/**
 * What a vendor bundle says, gathered once from the store: the vendor's incidents (central-service and
 * local-service on its services), the commune-network and agent-silent incidents at the communes using its
 * services (listed apart, so the report is fair), the RUM error groups of its apps, the overdue dossiers whose
 * verdict involves its services, and the SLA table. Every format (bundle.json, CSV/XLSX, HTML, PDF) renders
 * this one model, so they cannot disagree.
 *
 * Only listed fields are copied from stored rows, and the whole model goes through scrubDeep at the end:
 * see bundle-sanitize.ts. Each incident carries the province's acknowledgement and the vendor's own
 * (acknowledgements and replies are kept apart in the store: incident-store.ts IncidentReply), and every reply. The SLA table comes through a parameter (`sla`), and the charged split from the
 * dossier attribution, so the bundle follows their definitions rather than repeating them.
 */
import type { Store } from '../store/store.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { Units } from '../org/units.js';
import type { DossierConfig } from '../dossiers/dossier-config.js';
import { attributeDossiers, type AttributedDossier } from '../dossiers/attribution-report.js';
import { counts, downSpansOf, type Incident } from '../outages/incident.js';
import type { Vendor } from './vendors.js';
import { isoLocal, minutes } from './bundle-text.js';
import { scrubDeep } from './bundle-sanitize.js';

/** One row of the SLA table: a service in a calendar month (sla.ts slaReport, adapted by the caller). */
export interface SlaLine {
  service: string;
  /** yyyy-MM, local. */
  month: string;
  /** Communes that monitored the service that month. */
  communes: number;
  /** Incidents that charged the service downtime that month. */
  incidents: number;
  /** 0–100, null when nothing was measured; maintenance excluded, network downtime not charged. */
  availabilityPct: number | null;
  workingHoursAvailabilityPct: number | null;
  targetPct: number | null;
  workingHoursTargetPct: number | null;
  /** Minutes during which at least one commune had the service down. */
  downMinutes: number;
  /** The sum over communes: what users lost. */
  downCommuneMinutes: number;
  workingHoursDownMinutes: number;
  /** Planned maintenance, commune-minutes, left out of the figures. */
  maintenanceMinutes: number;
  met: boolean | null;
  workingHoursMet: boolean | null;
}

/** What the bundle reads: the store and the server's calendars, units and dossier settings. */
export interface BundleSources {
  store: Store;
  calendars: CalendarBook;
  units: Units;
  dossiers: DossierConfig;
  offsetMin: number;
  /** The SLA table for the vendor and period; absent: the bundle says it has none. */
  sla?: (q: { vendor: Vendor; from: number; to: number; now: number }) => SlaLine[];
}

/** Whose bundle and for when. */
export interface BundleQuery {
  vendor: Vendor;
  /** [from, to), epoch ms. */
  from: number;
  to: number;
  now: number;
}

/** An acknowledgement or reply about an incident, as the bundle shows it. */
export interface ReplyEntry {
  at: string | null;
  /** The user or API key name that wrote it. */
  author: string;
  /** 'vendor': the vendor's account; 'admin': the province. */
  role: string;
  kind: 'ack' | 'reply';
  text: string;
}

/** One incident as the bundle's tables and bundle.json give it. */
export interface IncidentEntry {
  id: number;
  cause: string;
  severity: string;
  scope: string;
  service: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Down minutes inside the period (degraded time does not count). */
  downMinutes: number;
  communes: Array<{ code: string; name: string | null; startedAt: string | null; endedAt: string | null }>;
  manual: boolean;
  /** When the province acknowledged the incident (the incident page's "acknowledge"), not the vendor. */
  acknowledgedAt: string | null;
  /** The vendor's first acknowledgement (a reply of kind 'ack' by a vendor account); null when none. */
  vendorAcknowledgedAt: string | null;
  note: string | null;
  /** Acknowledgements and replies, oldest first: what the vendor answered and the province saw. */
  replies: ReplyEntry[];
}

/** A RUM error group of one of the vendor's apps; `count` is the group's total, all time. */
export interface RumEntry {
  app: string;
  type: string;
  message: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  versions: Record<string, number>;
  browsers: Record<string, number>;
  communes: Record<string, number>;
  sampleStack: string;
  samplePage: string | null;
}

/** A late dossier whose outage time charges the vendor's services. */
export interface DossierEntry {
  code: string;
  procedureCode: string | null;
  procedureName: string | null;
  field: string | null;
  commune: string;
  communeName: string | null;
  receivedAt: string | null;
  dueAt: string | null;
  finishedAt: string | null;
  /** The dossier's own verdict (all services and the network together). */
  verdict: string;
  /** The verdict as it concerns this vendor: its services' share of the outage against the lateness. */
  chargedVerdict: string;
  lateMinutes: number;
  outageMinutes: number;
  /** The vendor's share of the outage (each moment split among the services down then), working minutes. */
  chargedMinutes: number;
  incidentIds: number[];
}

/** Everything the bundle says: one model, rendered to every format. */
export interface BundleData {
  vendor: { id: string; name: string; services: string[] };
  period: { from: string; to: string; timezoneOffsetMinutes: number };
  generatedAt: string;
  /** null: no SLA table was available to the builder. */
  sla: SlaLine[] | null;
  incidents: IncidentEntry[];
  notTheirs: IncidentEntry[];
  rumErrors: RumEntry[];
  dossiers: DossierEntry[];
}

const VENDOR_CAUSES = new Set(['central-service', 'local-service']);
const NETWORK_CAUSES = new Set(['commune-network', 'agent-silent']);
const LIMIT = 100_000;

/** The bundle's model for the vendor and period, read from the store and scrubbed of secrets. */
export function gatherBundleData(src: BundleSources, q: BundleQuery): BundleData {
  const { store, offsetMin } = src;
  const iso = (ms: number | null) => isoLocal(ms, offsetMin);
  const services = new Set(q.vendor.services);
  const entry = (i: Incident): IncidentEntry => {
    let down = 0;
    for (const s of downSpansOf(i, q.now)) down += Math.max(0, Math.min(s.end, q.to) - Math.max(s.start, q.from));
    const replies = store.incidents.replies(i.id);
    const vendorAck = replies.find((r) => r.kind === 'ack' && r.role === 'vendor');
    const communes = i.communes.length
      ? i.communes
      : [{ commune: i.commune ?? '', startedAt: i.startedAt, endedAt: i.endedAt }];
    return {
      id: i.id,
      cause: i.cause,
      severity: i.severity,
      scope: i.scope,
      service: i.service,
      startedAt: iso(i.startedAt),
      endedAt: iso(i.endedAt),
      downMinutes: minutes(down),
      communes: communes
        .filter((c) => c.commune !== '')
        .map((c) => ({
          code: c.commune,
          name: src.units.commune(c.commune)?.name ?? null,
          startedAt: iso(c.startedAt),
          endedAt: iso(c.endedAt),
        })),
      manual: i.manual,
      acknowledgedAt: iso(i.acknowledgedAt),
      vendorAcknowledgedAt: iso(vendorAck?.at ?? null),
      note: i.note,
      replies: replies.map((r) => ({ at: iso(r.at), author: r.author, role: r.role, kind: r.kind, text: r.text })),
    };
  };
  const byStart = (a: Incident, b: Incident) => a.startedAt - b.startedAt || a.id - b.id;

  const vendorIncidents = store.incidents
    .list({ from: q.from, to: q.to, services: q.vendor.services, limit: LIMIT })
    .filter((i) => counts(i) && VENDOR_CAUSES.has(i.cause) && i.service !== null && services.has(i.service))
    .sort(byStart);

  // The communes that use the vendor's services: where its users were, and so where a network outage matters.
  const communes = new Set(
    store.incidents
      .communeServices()
      .filter((c) => services.has(c.service))
      .map((c) => c.commune),
  );
  for (const i of vendorIncidents)
    for (const c of i.communes.length ? i.communes : [{ commune: i.commune }]) {
      if (c.commune) communes.add(c.commune);
    }
  const notTheirs = store.incidents
    .list({ from: q.from, to: q.to, limit: LIMIT })
    .filter((i) => counts(i) && NETWORK_CAUSES.has(i.cause) && i.commune !== null && communes.has(i.commune))
    .sort(byStart);

  const data: BundleData = {
    vendor: { id: q.vendor.id, name: q.vendor.name, services: [...q.vendor.services] },
    period: { from: iso(q.from)!, to: iso(q.to)!, timezoneOffsetMinutes: offsetMin },
    generatedAt: iso(q.now)!,
    sla: src.sla ? src.sla({ vendor: q.vendor, from: q.from, to: q.to, now: q.now }) : null,
    incidents: vendorIncidents.map(entry),
    notTheirs: notTheirs.map(entry),
    rumErrors: rumEntries(src, q, iso),
    dossiers: dossierEntries(src, q, iso),
  };
  return scrubDeep(data);
}

function rumEntries(src: BundleSources, q: BundleQuery, iso: (ms: number | null) => string | null): RumEntry[] {
  const appIds = src.store.rum
    .apps()
    .filter((a) => a.services?.some((s) => q.vendor.services.includes(s)))
    .map((a) => a.id);
  if (appIds.length === 0) return [];
  return src.store.rum
    .errorGroups({ appIds, since: q.from, limit: 1000 })
    .filter((g) => g.firstSeen < q.to)
    .map((g) => {
      const dims = src.store.rum.errorDims(g.id);
      const frames: NonNullable<typeof g.sampleStack> = g.sampleStack ?? g.frames;
      return {
        app: g.app,
        type: g.type,
        message: g.message,
        count: g.count,
        firstSeen: iso(g.firstSeen),
        lastSeen: iso(g.lastSeen),
        versions: { ...dims.version },
        browsers: { ...dims.browser },
        communes: { ...dims.commune },
        sampleStack: frames
          .map((f) => {
            const at = f.lineno !== undefined ? `:${f.lineno}${f.colno !== undefined ? `:${f.colno}` : ''}` : '';
            return `at ${f.function || '?'} (${f.file}${at})`;
          })
          .join('\n'),
        samplePage: g.samplePage,
      };
    });
}

function dossierEntries(src: BundleSources, q: BundleQuery, iso: (ms: number | null) => string | null): DossierEntry[] {
  // Judged by the vendor's share (dossiers/attribution.ts `charged`): a dossier counts here only when the
  // vendor's own services were down while it was handled, never for another vendor's or the network's outage.
  const report = attributeDossiers(
    { store: src.store, calendars: src.calendars, config: src.dossiers },
    { from: q.from, to: q.to, now: q.now, services: q.vendor.services, verdict: 'late', limit: LIMIT },
  );
  const involved = (d: AttributedDossier) => d.charged !== undefined && d.charged.chargedMs > 0;
  return report.dossiers
    .filter((d) => d.verdict !== 'on-time' && involved(d))
    .map((d) => ({
      code: d.code,
      procedureCode: d.procedureCode,
      procedureName: d.procedureName,
      field: d.field,
      commune: d.commune,
      communeName: src.units.commune(d.commune)?.name ?? null,
      receivedAt: iso(d.receivedAt),
      dueAt: iso(d.dueAt),
      finishedAt: iso(d.finishedAt),
      verdict: d.verdict,
      chargedVerdict: d.charged?.verdict ?? d.verdict,
      lateMinutes: minutes(d.lateMs),
      outageMinutes: minutes(d.outageMs),
      chargedMinutes: minutes(d.charged?.chargedMs ?? 0),
      incidentIds: d.incidentIds,
    }));
}
