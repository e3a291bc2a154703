/**
 * Store seam for outages (server/outages): each target's state machine, incidents with the communes they
 * cover, their evidence and event timeline, and the few reads over targets and results the incident engine
 * needs. Interfaces and records only; the SQLite implementation is sqlite-incidents.ts. The incident itself
 * (its fields and kinds) is a domain type, defined in outages/incident.ts.
 */
import type {
  DegradedFigures,
  DownSpan,
  EvidenceRow,
  SpanRow,
  Incident,
  IncidentCause,
  IncidentCommune,
  IncidentEvent,
  IncidentScope,
  IncidentSeverity,
} from '../outages/incident.js';
import type { Machine } from '../outages/target-machine.js';

/** What creating an incident needs; omitted optional fields are stored as null / false. */
export interface NewIncident {
  scope: IncidentScope;
  cause: IncidentCause;
  severity: IncidentSeverity;
  service?: string | null;
  commune?: string | null;
  targetId?: number | null;
  agentId?: number | null;
  layer?: string | null;
  startedAt: number;
  endedAt?: number | null;
  manual?: boolean;
  notify?: boolean;
  figures?: DegradedFigures | null;
  downSpans?: DownSpan[] | null;
  recordedBy?: string | null;
  note?: string | null;
  corrected?: boolean;
  statusNote?: string | null;
  now: number;
}

/** Fields an update may change; an omitted (undefined) field is left as it is, null clears it. */
export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'severity'
    | 'layer'
    | 'figures'
    | 'downSpans'
    | 'notify'
    | 'startedAt'
    | 'endedAt'
    | 'flapping'
    | 'note'
    | 'mergedInto'
    | 'statusNote'
    | 'corrected'
    | 'superseded'
    | 'backfillUntil'
    | 'acknowledgedAt'
    | 'acknowledgedBy'
    | 'deletedAt'
    | 'deletedBy'
    | 'cause'
    | 'service'
    | 'commune'
  >
>;

/** A filter for listing incidents; every given key must match. */
export interface IncidentQuery {
  /** Incidents still open, or ended after this time, epoch ms. */
  from?: number;
  /** Incidents started before this time, epoch ms. */
  to?: number;
  /** The incident's own commune, or one it lists (central incidents). */
  commune?: string;
  service?: string;
  cause?: IncidentCause;
  openOnly?: boolean;
  includeDeleted?: boolean;
  /** Vendor view: only these service classes. */
  services?: readonly string[];
  limit: number;
}

/** Who answered an incident: a vendor of its service, or a province admin. */
export type ReplyRole = 'admin' | 'vendor';

/**
 * An acknowledgement ('ack': seen, working on it) or a reply (free text) about an incident, as the province
 * sees it on the incident page and in its record. Never edited or deleted.
 */
export interface IncidentReply {
  id: number;
  incidentId: number;
  at: number;
  /** The user or API key name that wrote it. */
  author: string;
  role: ReplyRole;
  kind: 'ack' | 'reply';
  /** Empty for an acknowledgement without words; at most 2000 characters. */
  text: string;
}

/** A probed target as the store registered it on first result. */
export interface TargetRow {
  id: number;
  commune: string;
  name: string;
  kind: string;
  service: string;
}

/**
 * Target state machines and incidents (server/outages). Called inside the Store's ingest transaction: an
 * implementation must take part in `Store.transaction` so a batch and the incidents it causes commit together.
 */
export interface IncidentStore {
  /** The target of a commune with this name, once it has sent a result. */
  target(commune: string, name: string): TargetRow | undefined;
  /** The target with this id. */
  targetById(id: number): TargetRow | undefined;
  /** A target's saved state machine and the incident it feeds, if it was ever saved. */
  machine(targetId: number): { machine: Machine; incidentId: number | null } | undefined;
  /** Saves (inserts or replaces) a target's state machine and the incident it feeds (null: none). */
  saveMachine(targetId: number, machine: Machine, incidentId: number | null): void;
  /** The targets that are part of an incident now, with their machines (what each contributes). */
  members(incidentId: number): Array<{ targetId: number; machine: Machine }>;
  /** The commune's latest counted commune-network incident (open or ended). */
  latestNetwork(commune: string): Incident | undefined;
  /** Local incidents folded into a central one. */
  mergedLocals(centralId: number): Incident[];
  /** Marks a commune as catching up (its agent sent buffered results at `at`), or clears it (null). */
  setCatchingUp(commune: string, at: number | null): void;
  /** When a commune catching up last sent buffered results, if it is catching up. */
  catchingUpLast(commune: string): number | undefined;
  /** Every commune catching up, with since when. */
  catchingUp(): Array<{ commune: string; since: number }>;
  /** Creates an incident; returns its id. */
  create(input: NewIncident): number;
  /** Applies the given fields and stamps `updatedAt`; an empty patch writes nothing. */
  update(id: number, patch: IncidentPatch, now: number): void;
  /** The incident with this id (deleted ones too), with its communes. */
  get(id: number): Incident | undefined;
  /** The newest open incident, not deleted nor merged, matching all given keys. */
  findOpen(keys: {
    cause: IncidentCause;
    scope?: IncidentScope;
    commune?: string;
    service?: string;
    targetId?: number;
    agentId?: number;
  }): Incident | undefined;
  /** Open agent-silent incidents and those still waiting for backfill, of one agent. */
  silentFor(agentId: number): Incident[];
  /** Sets (inserts or replaces) one commune's span in an incident that lists communes. */
  setCommune(incidentId: number, c: IncidentCommune): void;
  /** Local-service and central incidents of a service overlapping [from, to), not deleted or superseded. */
  serviceIncidents(service: string, from: number, to: number): Incident[];
  /** Open local-service incidents of a service not yet merged into a central one. */
  openLocalService(service: string): Incident[];
  /** How many communes have such an incident (cheap: no records built). */
  openLocalCommunes(service: string): number;
  /** Communes that probed a service class since `since` (targets last seen then). */
  probingCommunes(service: string, since: number): number;
  /** Adds evidence rows (a result already kept is skipped) until the incident holds `cap` rows. */
  addEvidence(incidentId: number, rows: EvidenceRow[], cap: number): void;
  /** Up to `limit` evidence rows of an incident, oldest first. */
  evidence(incidentId: number, limit: number): EvidenceRow[];
  /** Appends one event to an incident's timeline. */
  addEvent(incidentId: number, e: IncidentEvent): void;
  /** An incident's timeline, in the order the events were added. */
  events(incidentId: number): IncidentEvent[];
  /** Adds an acknowledgement or reply; returns it with its id. */
  addReply(reply: Omit<IncidentReply, 'id'>): IncidentReply;
  /** An incident's acknowledgements and replies, oldest first. */
  replies(incidentId: number): IncidentReply[];
  /** Incidents matching the query (not deleted unless asked), open ones first, then newest start first. */
  list(q: IncidentQuery): Incident[];
  /** Result times of one agent in [from, to], ascending (backfill coverage). */
  agentResultTimes(agentId: number, commune: string, from: number, to: number): number[];
  /**
   * Where and when counted incidents overlapping [from, to) held, one row per commune (a central incident
   * gives one per commune it listed, with that commune's span): the cheap form dossier attribution needs.
   */
  outageSpans(from: number, to: number): SpanRow[];
  /** Each (commune, service class) probed, with its first result: what uptime is computed for. */
  communeServices(): Array<{ commune: string; service: string; firstSeen: number }>;
}
