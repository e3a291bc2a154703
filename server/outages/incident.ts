/**
 * The incident record and the vocabulary shared by the engine, the store, the API and (later) alerts.
 */

export const INCIDENT_CAUSES = ['commune-network', 'central-service', 'local-service', 'agent-silent'] as const;
export type IncidentCause = (typeof INCIDENT_CAUSES)[number];
export type IncidentScope = 'local' | 'central';
export type IncidentSeverity = 'down' | 'degraded';

/** Fault layers that put a failure on the commune's own network rather than on the service. */
export const NETWORK_LAYERS = new Set(['lan', 'uplink', 'dns']);
/** Path roles: checks of the commune's own network path (gateway, resolvers, uplink, data centre). */
export const PATH_ROLES = new Set(['gateway', 'resolver', 'uplink', 'datacentre']);

/**
 * What made a degraded incident degraded: the link or service worked, but badly. Every field optional;
 * the engine fills what it measured. Shown as "Mạng chập chờn / chậm" with these figures, never as down.
 */
export interface DegradedFigures {
  /** Worst ICMP loss seen, percent. */
  lossPct?: number;
  /** Round-trip or response time over the degraded span, ms. */
  rttP50Ms?: number;
  rttP95Ms?: number;
  /** The commune's own usual figure for this hour of day, ms (what "far above" is measured against). */
  baselineMs?: number;
  /** The slowest check or step and how long it took (e.g. e-signing taking minutes). */
  slowestStep?: string;
  slowestMs?: number;
}

/** [start, end or null while still down], ms. */
export type DownSpan = [number, number | null];

export interface IncidentCommune {
  commune: string;
  startedAt: number;
  endedAt: number | null;
}

export interface Incident {
  id: number;
  scope: IncidentScope;
  cause: IncidentCause;
  severity: IncidentSeverity;
  service: string | null;
  commune: string | null;
  targetId: number | null;
  /** Target name, for local incidents of one target. */
  target: string | null;
  agentId: number | null;
  layer: string | null;
  startedAt: number;
  endedAt: number | null;
  flapping: boolean;
  /** Degraded incidents: the figures that made them so (null for down incidents). */
  figures: DegradedFigures | null;
  /**
   * The spans that were down, not degraded (the rest of the incident the link or service worked, badly).
   * Only these count as downtime. null for records from before they were kept: then the whole incident
   * counts if its severity is 'down' (see downSpansOf).
   */
  downSpans: DownSpan[] | null;
  manual: boolean;
  /** Manual incidents recorded while ongoing: page like a detected one (opt-in). */
  notify: boolean;
  recordedBy: string | null;
  note: string | null;
  mergedInto: number | null;
  statusNote: string | null;
  corrected: boolean;
  superseded: boolean;
  backfillUntil: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  deletedAt: number | null;
  deletedBy: string | null;
  createdAt: number;
  updatedAt: number;
  /** Central incidents: each affected commune with its own start and end. Local: the one commune. */
  communes: IncidentCommune[];
}

export interface EvidenceRow {
  resultId: string;
  commune: string;
  target: string;
  ts: number;
  ok: boolean;
  layer: string | null;
  errorCode: string | null;
  summary: string;
}

export interface IncidentEvent {
  at: number;
  kind: string;
  actor: string;
  detail: Record<string, unknown>;
}

/** Counts towards uptime and dossier attribution: not deleted, not superseded, not folded into a central one. */
export function counts(i: Pick<Incident, 'deletedAt' | 'superseded' | 'mergedInto'>): boolean {
  return i.deletedAt === null && !i.superseded && i.mergedInto === null;
}

/** One incident's span at one commune, as dossier attribution reads it (see downSpansOf for what counts). */
export interface SpanRow {
  incidentId: number;
  commune: string;
  cause: string;
  service: string | null;
  start: number;
  end: number | null;
  severity: IncidentSeverity;
  downSpans: DownSpan[] | null;
}

/** The down spans as recorded; for records from before they were kept, the whole incident if it was down. */
export function storedDownSpans(i: Pick<Incident, 'severity' | 'downSpans' | 'startedAt' | 'endedAt'>): DownSpan[] {
  return i.downSpans ?? (i.severity === 'down' ? [[i.startedAt, i.endedAt]] : []);
}

/** The spans of an incident that count as downtime, open ends at `to`. */
export function downSpansOf(
  i: Pick<Incident, 'severity' | 'downSpans' | 'startedAt' | 'endedAt'>,
  to: number,
): Array<{ start: number; end: number }> {
  const spans = storedDownSpans(i);
  const end = i.endedAt ?? to;
  return spans.map(([s, e]) => ({ start: s, end: Math.min(e ?? end, end) })).filter((x) => x.end > x.start);
}

/** Down at this moment (not merely degraded): open, and its latest down span still open. */
export function isDownNow(i: Pick<Incident, 'severity' | 'downSpans' | 'endedAt'>): boolean {
  if (i.endedAt !== null) return false;
  return i.downSpans ? i.downSpans.at(-1)?.[1] === null : i.severity === 'down';
}

const flakyNetwork = (i: Pick<Incident, 'cause' | 'severity'>) =>
  i.cause === 'commune-network' && i.severity === 'degraded';

/** The i18n key naming an incident's cause: a network that was never down is "flaky / slow", not "down". */
export function causeKey(
  i: Pick<Incident, 'cause' | 'severity'>,
): 'cause_flaky_commune-network' | `cause_${IncidentCause}` {
  return flakyNetwork(i) ? 'cause_flaky_commune-network' : `cause_${i.cause}`;
}

/** The i18n key explaining an incident's cause in a sentence. */
export function causeExplainedKey(
  i: Pick<Incident, 'cause' | 'severity'>,
): 'cause_explained_flaky_commune-network' | `cause_explained_${IncidentCause}` {
  return flakyNetwork(i) ? 'cause_explained_flaky_commune-network' : `cause_explained_${i.cause}`;
}
