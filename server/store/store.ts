/**
 * The Store seam: everything the server keeps, behind one narrow synchronous interface
 * (better-sqlite3 is synchronous, and a synchronous store keeps each batch in exactly one transaction).
 * Domain modules receive a Store; nothing outside server/store/ touches SQL. camelCase here, snake_case in SQL.
 *
 * The seam files hold interfaces and records only, never a database driver: this one (agents, ingest, reads,
 * retention) and the areas it composes — incident-store.ts, dossier-store.ts, auth-store.ts, rum-store.ts,
 * report-log.ts, calendar-store.ts, alert-store.ts — plus store-error.ts. The SQLite implementation is
 * sqlite-store.ts with its `sqlite-*.ts` parts; a second implementation is written against the seams alone
 * (tests/server/store/seams.test.ts keeps them free of the driver, and every method documented).
 */
import type { AgentStatus, HealthRecord, InventoryRecord, ProbeResult } from '../../protocol/wire.js';
import type { ApiTokenStore, SessionStore, UserStore } from './auth-store.js';
import type { CalendarStore } from './calendar-store.js';
import type { DossierStore } from './dossier-store.js';
import type { IncidentStore } from './incident-store.js';
import type { ReportLog } from './report-log.js';
import type { RumStore } from './rum-store.js';
import type { AlertStore } from './alert-store.js';

export type Resolution = 'minute' | 'hour' | 'day';

export interface AgentRecord {
  id: number;
  commune: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  /** The skew measured at its last push (receive time − its sentAt), ms; null before the first. */
  lastSkewMs?: number | null;
}

export interface AgentWithSecret extends AgentRecord {
  /** Hex SHA-256 of the token's secret part; compared in constant time by the caller. */
  tokenHash: string;
}

export interface AgentSummary extends AgentRecord {
  lastPushAt: number | null;
  lastSkewMs: number | null;
  lastStatus: AgentStatus | null;
  /** Highest result sequence number received from this agent. */
  maxSeq: number;
  /** Distinct results stored for this agent (duplicates excluded). */
  resultsReceived: number;
}

/** One result as it goes into storage: the wire result with the server's view of time added. */
export interface ResultToStore extends ProbeResult {
  /** The timestamp as the agent sent it (its own clock). `ts` holds the possibly skew-corrected time. */
  agentTs: number;
}

/** A PC health sample / inventory as stored: `ts` possibly skew-corrected, the agent's own in agentTs. */
export interface HealthToStore extends HealthRecord {
  agentTs: number;
}
export interface InventoryToStore extends InventoryRecord {
  agentTs: number;
}

export interface IngestInput {
  agentId: number;
  commune: string;
  batchId: string;
  receivedAt: number;
  skewMs: number;
  status?: AgentStatus;
  results: ResultToStore[];
  health?: HealthToStore[];
  inventory?: InventoryToStore[];
}

export interface AgentHealth {
  agentId: number;
  commune: string;
  agent: string;
  ts: number;
  receivedAt: number;
  sample: HealthToStore;
}

export interface AgentInventory {
  agentId: number;
  commune: string;
  agent: string;
  ts: number;
  receivedAt: number;
  doc: InventoryToStore;
}

export interface InventoryFilter {
  commune?: string;
  /** Only agents whose latest inventory has none of this equipment. */
  lacks?: 'smartcard-reader' | 'scanner' | 'printer';
  /** Only agents whose PC has less RAM than this. */
  maxMemBytes?: number;
}

export interface IngestOutcome {
  /** True when this batchId had already been acknowledged for this agent: nothing was written. */
  replay: boolean;
  /** Records newly stored: results plus health samples and inventories. */
  stored: number;
  duplicates: number;
  /** The newly stored results (not duplicates), for updating live metrics after commit. */
  storedResults: ResultToStore[];
  storedHealth: HealthToStore[];
  storedInventory: InventoryToStore[];
}

export interface StoredResult extends ProbeResult {
  commune: string;
  agentTs: number;
  receivedAt: number;
  agentId: number;
}

export interface ResultQuery {
  commune?: string;
  target?: string;
  /** Inclusive lower bound on (corrected) ts, epoch ms. */
  from?: number;
  /** Exclusive upper bound on (corrected) ts, epoch ms. */
  to?: number;
  /** Default 1000, newest first. */
  limit?: number;
}

export interface RollupQuery {
  resolution: Resolution;
  commune?: string;
  target?: string;
  from: number;
  to: number;
}

export interface RollupRow {
  commune: string;
  target: string;
  service: string;
  kind: string;
  /** Bucket start, epoch ms. Day buckets start at local midnight (see SqliteStoreOptions.dayOffsetMinutes). */
  bucket: number;
  count: number;
  okCount: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
  /** Sum and count of ICMP loss ratios, so the mean loss over any span is lossSum / lossCount. */
  lossSum: number;
  lossCount: number;
}

export interface HourOfDayQuery {
  commune?: string;
  target?: string;
  service?: string;
  from: number;
  to: number;
}

/** One cell of the local hour-of-day × weekday grid, summed over the span and the matching targets. */
export interface HourOfDayCell {
  /** 0 = Sunday … 6 = Saturday, local time. */
  weekday: number;
  /** 0–23, local time. */
  hour: number;
  count: number;
  okCount: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMaxMs: number | null;
}

export interface TargetState {
  commune: string;
  target: string;
  service: string;
  kind: string;
  lastResult: StoredResult;
}

export interface RetentionPolicy {
  /** Raw results older than this are deleted; rollups are unaffected. */
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  /** 0 keeps day rollups forever. */
  dayDays: number;
}

export interface RetentionReport {
  rawDeleted: number;
  minuteDeleted: number;
  hourDeleted: number;
  dayDeleted: number;
  /** Acknowledged-batch records pruned (kept max(rawDays, 7) days; forever when rawDays is 0). */
  batchesDeleted?: number;
  /** True when the per-call chunk budget ran out with rows still past the policy: call again soon. */
  more?: boolean;
  healthDeleted?: number;
}

export interface Store {
  /** Registers an agent for a commune; the token itself is never stored, only its lookup id and hash. */
  createAgent(input: {
    commune: string;
    name: string;
    tokenLookup: string;
    tokenHash: string;
    now: number;
  }): AgentRecord;
  /** The agent whose token has this lookup id, unless revoked. */
  findAgentByTokenLookup(tokenLookup: string): AgentWithSecret | undefined;
  /** Every agent, revoked ones included, by commune and name, with its last push and counters. */
  listAgents(): AgentSummary[];
  /** Revokes an agent's token (its results stay); false if no such agent or already revoked. */
  revokeAgent(agentId: number, now: number): boolean;

  /**
   * Stores a batch in ONE transaction: records the batchId, inserts results not seen before (dedup on
   * result id), folds each new result into the minute/hour/day rollups (late results included), and
   * updates the agent's last push, skew, status and sequence counters. A batchId already recorded for the
   * agent makes it a replay: no results are written (only the agent's last push, skew and status) and
   * `replay: true` is returned with the original counts.
   */
  ingestBatch(input: IngestInput): IngestOutcome;

  /** Raw results, newest first. Only covers the raw retention window. */
  listResults(query: ResultQuery): StoredResult[];
  /** How many raw results match the query (no limit). */
  countResults(query: Omit<ResultQuery, 'limit'>): number;
  /** Rollup buckets in [from, to), oldest first. Cost depends on the span, never on raw-table size. */
  rollups(query: RollupQuery): RollupRow[];
  /** Latency and failures by local hour of day and weekday over [from, to), from hour rollups. */
  hourOfDayProfile(query: HourOfDayQuery): HourOfDayCell[];
  /** Each active agent's newest PC health sample. */
  latestHealth(): AgentHealth[];
  /** Each active agent's newest inventory, optionally only those lacking equipment or RAM. */
  latestInventory(filter?: InventoryFilter): AgentInventory[];
  /** The latest stored result of every target, to seed live metrics at start-up. */
  latestPerTarget(): TargetState[];

  /** Working-time calendar rows (server/calendar). */
  readonly calendar: CalendarStore;
  /** Target state machines and incidents (server/outages). */
  readonly incidents: IncidentStore;
  /** API keys with roles (auth-store.ts). */
  readonly apiTokens: ApiTokenStore;
  /** Web UI logins (auth-store.ts). */
  readonly users: UserStore;
  /** Web UI sessions of those logins (auth-store.ts). */
  readonly sessions: SessionStore;
  /** Alert groups, the notification queue, silences (server/alerts). */
  readonly alerts: AlertStore;
  /** Imported dossiers (server/dossiers). */
  readonly dossiers: DossierStore;
  /** Which scheduled reports went out (server/reports). */
  readonly reports: ReportLog;
  /** Real-user monitoring aggregates (server/rum). */
  readonly rum: RumStore;
  /**
   * Runs fn in one write transaction (nested store calls become savepoints): e.g. a batch and the incidents
   * it causes commit together or not at all.
   */
  transaction<T>(fn: () => T): T;

  /** Deletes data past the policy in bounded chunks; safe to call repeatedly. */
  applyRetention(policy: RetentionPolicy, now: number): RetentionReport;
  /** Throws if the database cannot answer a trivial query (readiness). */
  ping(): void;
  /** Checkpoints the WAL and closes the database. */
  close(): void;
}
