/**
 * Attribution of many dossiers at once, with summaries per commune, service and vendor: what
 * GET /api/v1/dossiers/attribution and the exports answer. Incidents are read once and grouped by commune;
 * calendars come from the CalendarBook's cache, so the cost per dossier is a few interval operations.
 *
 * Per service and per vendor the figures are the charged ones (attribution.ts `charged`): a dossier counts
 * for every service its field needs, but with only that service's share of its outage and the verdict that
 * share gives. So does the whole report when it is asked about some services (`service`, `services`).
 *
 * A vendor account reads the report through a `scope` (its services): the answer names no other vendor and no
 * other service — their summary rows are left out, their shares of a dossier's outage are folded into one
 * `other` share, and incidents of theirs are not listed. The commune network stays: it is no vendor's, and
 * it explains time the vendor is not charged for. Every figure the vendor does see is the same as unscoped.
 */
import type { Store } from '../store/store.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { StoredDossier } from '../store/dossier-store.js';
import {
  attribute,
  charged,
  chargedMs,
  chargedVerdict,
  groupSpans,
  type Attribution,
  type OutageSpan,
  type Charged,
  type Verdict,
} from './attribution.js';
import { servicesFor, type DossierConfig } from './dossier-config.js';
import { vendorIdOf } from '../evidence/vendors.js';

/** One dossier of the report: the stored record, its attribution, and the field that decided its services. */
export interface AttributedDossier extends StoredDossier, Attribution {
  fieldName: string;
  /** The services its field depends on; in a vendor's scope, only the vendor's own. */
  services: string[];
  /** Only when the query names services: the dossier as it concerns them (its own verdict is unchanged). */
  charged?: Charged;
}

/** A vendor as the per-vendor summaries need it: id, name and the services it answers for. */
export interface VendorRef {
  id: string;
  name: string;
  services: readonly string[];
}

/**
 * What a vendor account may read of the report (see the module header): its services, and which vendors'
 * summaries it may see (server/evidence/vendors.ts `canSeeVendor`, passed in by the route).
 */
export interface ReaderScope {
  services: readonly string[];
  seesVendor: (v: VendorRef) => boolean;
}

/** The key under which, in a vendor's scope, the other vendors' shares of a dossier's outage are summed. */
export const OTHER_SERVICES = 'other';

/** What to attribute and how to answer: the period, filters, the charged view, and who reads it. */
export interface AttributionQuery {
  /** Dossiers due in [from, to). */
  from: number;
  to: number;
  commune?: string;
  procedure?: string;
  service?: string;
  /**
   * Like `service`, for several (a vendor's): dossiers needing any of them, judged by their summed share.
   * Wins over `service`.
   */
  services?: readonly string[];
  /** Matched against the charged verdict when services are asked about. */
  verdict?: Verdict | 'idle-online' | 'late';
  now: number;
  /** Dossiers listed in the answer (the summaries always cover all of them). Default 1,000. */
  limit?: number;
  /** Like `verdict`, but for the list only: the summaries still count every dossier (the web page). */
  listVerdict?: Verdict | 'idle-online' | 'late';
  /** A vendor account's view: nothing of other vendors' services in the answer. Absent: everything. */
  scope?: ReaderScope;
}

/** Counts and charged hours of a set of dossiers: one commune's, service's, vendor's, or all. */
export interface Summary {
  key: string;
  /** byVendor only: the vendor's id (the key is its name). */
  vendorId?: string;
  dossiers: number;
  overdue: number;
  outage: number;
  partlyOutage: number;
  notOutage: number;
  idleOnline: number;
  /** Share of overdue dossiers with an outage verdict (outage or partly-outage). */
  outageShare: number | null;
  /**
   * Outage working hours behind overdue dossiers (sum over dossiers; an outage shared by two counts twice);
   * per service and vendor, their charged share only.
   */
  outageHours: number;
}

class Tally {
  dossiers = 0;
  outage = 0;
  partly = 0;
  not = 0;
  idle = 0;
  outageMs = 0;

  add(verdict: Verdict, outageMs: number, idleOnline: boolean): void {
    this.dossiers++;
    if (verdict === 'outage') this.outage++;
    else if (verdict === 'partly-outage') this.partly++;
    else if (verdict === 'not-outage') this.not++;
    if (verdict !== 'on-time') this.outageMs += outageMs;
    if (idleOnline) this.idle++;
  }

  summary(key: string, vendorId?: string): Summary {
    const overdue = this.outage + this.partly + this.not;
    return {
      key,
      ...(vendorId !== undefined && { vendorId }),
      dossiers: this.dossiers,
      overdue,
      outage: this.outage,
      partlyOutage: this.partly,
      notOutage: this.not,
      idleOnline: this.idle,
      outageShare: overdue ? (this.outage + this.partly) / overdue : null,
      outageHours: this.outageMs / 3_600_000,
    };
  }
}

function matchesVerdict(v: Verdict, idleOnline: boolean, verdict: AttributionQuery['verdict']): boolean {
  if (verdict === undefined) return true;
  if (verdict === 'idle-online') return idleOnline;
  if (verdict === 'late') return v !== 'on-time';
  return v === verdict;
}

/** The vendors of a dossier config: ids kept when the loaded config has them, else derived from names. */
function vendorRefs(config: DossierConfig): VendorRef[] {
  return config.vendors.map((v) => ({ id: v.id ?? vendorIdOf(v.name), name: v.name, services: v.services }));
}

interface FieldEntry {
  fieldName: string;
  services: string[];
  /** The service and vendor tallies a dossier of this field adds to, with the services each is charged for. */
  tallies: Array<{ tally: Tally; services: readonly string[] }>;
}

/**
 * Streams the dossiers due in the period from the store, attributes each (attribution.ts `attribute`), keeps
 * `limit` of them for the list and the running summaries over all; with `q.scope`, answers a vendor's view.
 */
export function attributeDossiers(
  deps: {
    store: Store;
    calendars: CalendarBook;
    config: DossierConfig;
    /** Default: the config's vendors (after loading, every vendor of the top-level `vendors:` section). */
    vendors?: readonly VendorRef[];
  },
  q: AttributionQuery,
): {
  dossiers: AttributedDossier[];
  byCommune: Summary[];
  byService: Summary[];
  byVendor: Summary[];
  total: Summary;
} {
  // Incidents that could overlap a dossier due in the period: from the earliest receipt among them on.
  const dueRange = { dueFrom: q.from, dueTo: q.to, commune: q.commune };
  const earliest = deps.store.dossiers.earliestReceived(dueRange) ?? q.from;
  const spans = groupSpans(deps.store.incidents.outageSpans(Math.min(earliest, q.from), q.now), q.now);
  const idleOnlineMs = deps.config.idleOnlineHours * 3_600_000;
  const limit = q.limit ?? 1000;
  const fieldCache = new Map<string, FieldEntry>();
  const vendors = deps.vendors ?? vendorRefs(deps.config);
  const focus = q.services ?? (q.service ? [q.service] : undefined);
  const total = new Tally();
  const byCommune = new Map<string, Tally>();
  const byService = new Map<string, Tally>();
  const byVendor = new Map<string, Tally>();
  const tally = (m: Map<string, Tally>, key: string) => m.get(key) ?? m.set(key, new Tally()).get(key)!;
  const out: AttributedDossier[] = [];
  let serviceOf: Map<number, string> | undefined;
  const calendars = new Map<string, ReturnType<CalendarBook['forCommune']>>();
  const calendarOf = (commune: string) =>
    calendars.get(commune) ?? calendars.set(commune, deps.calendars.forCommune(commune)).get(commune)!;
  for (const d of deps.store.dossiers.iterate(dueRange)) {
    if (q.procedure && d.procedureCode !== q.procedure) continue;
    const fieldKey = `${d.field ?? ''}\u0000${d.procedureName ?? ''}`;
    let field = fieldCache.get(fieldKey);
    if (!field) {
      const f = servicesFor(deps.config, d);
      // Looked up once per field, not per dossier. A vendor counts a dossier needing any of its services.
      const tallies: FieldEntry['tallies'] = [...f.services, 'network'].map((s) => ({
        tally: tally(byService, s),
        services: [s],
      }));
      for (const v of vendors)
        if (v.services.some((s) => f.services.includes(s)))
          tallies.push({ tally: tally(byVendor, v.id), services: v.services });
      fieldCache.set(fieldKey, (field = { ...f, tallies }));
    }
    const { fieldName, services } = field;
    if (focus && !focus.some((s) => s === 'network' || services.includes(s))) continue;
    const a = attribute(d, {
      now: q.now,
      calendar: calendarOf(d.commune),
      services,
      spans: spans.get(d.commune) ?? [],
      idleOnlineMs,
    });
    const view = focus ? charged(a, focus) : undefined;
    const verdict = view?.verdict ?? a.verdict;
    const outageMs = view?.chargedMs ?? a.outageMs;
    if (!matchesVerdict(verdict, a.idleOnline, q.verdict)) continue;
    total.add(verdict, outageMs, a.idleOnline);
    tally(byCommune, d.commune).add(verdict, outageMs, a.idleOnline);
    for (const t of field.tallies) {
      const ms = chargedMs(a, t.services);
      t.tally.add(chargedVerdict(a, ms), ms, a.idleOnline);
    }
    if (out.length < limit && matchesVerdict(verdict, a.idleOnline, q.listVerdict)) {
      const listed: AttributedDossier = { ...d, ...a, fieldName, services, ...(view && { charged: view }) };
      out.push(q.scope ? scoped(listed, q.scope, (serviceOf ??= incidentServices(spans))) : listed);
    }
  }
  const summaries = (m: Map<string, Tally>) =>
    [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => t.summary(k));
  const scope = q.scope;
  return {
    dossiers: out,
    byCommune: summaries(byCommune),
    byService: summaries(byService).filter((s) => !scope || s.key === 'network' || scope.services.includes(s.key)),
    byVendor: vendors
      .filter((v) => byVendor.has(v.id) && (!scope || scope.seesVendor(v)))
      .map((v) => byVendor.get(v.id)!.summary(v.name, v.id))
      .sort((a, b) => a.key.localeCompare(b.key)),
    total: total.summary('total'),
  };
}

/** Incident id → the service it hit ('network' for the commune's link): built once per scoped report. */
function incidentServices(spans: ReadonlyMap<string, readonly OutageSpan[]>): Map<number, string> {
  const out = new Map<number, string>();
  for (const list of spans.values()) for (const s of list) out.set(s.incidentId, s.service);
  return out;
}

/**
 * A listed dossier as a vendor may read it: its own services' and the network's shares as they are, the
 * others' summed under `other` (so the shares still sum to the outage), only incidents of its services or
 * of the commune network (those it can open), and only its own services among the dossier's.
 */
function scoped(d: AttributedDossier, scope: ReaderScope, serviceOf: Map<number, string>): AttributedDossier {
  const own = (service: string) => service === 'network' || scope.services.includes(service);
  const outageByService: Record<string, number> = {};
  for (const [service, ms] of Object.entries(d.outageByService)) {
    const key = own(service) ? service : OTHER_SERVICES;
    outageByService[key] = (outageByService[key] ?? 0) + ms;
  }
  return {
    ...d,
    services: d.services.filter((s) => scope.services.includes(s)),
    outageByService,
    incidentIds: d.incidentIds.filter((id) => own(serviceOf.get(id) ?? '')),
  };
}
