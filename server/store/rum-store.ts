/**
 * Store seam for real-user monitoring (server/rum): registered apps and their keys, batch idempotency, and
 * the aggregates the collector folds each report into — exception groups with per-dimension counts, web-vital
 * histograms, failed fetches. Aggregates only: no raw payload is kept. Interfaces and records only; the
 * SQLite implementation is sqlite-rum.ts. App keys are `cwr_` tokens (server/auth/tokens.ts), kept hashed.
 */
import type { GroupKey } from '../rum/fingerprint.js';
import type { Vital } from '../rum/vitals.js';

/** A registered web app that may send reports (never its key). */
export interface RumApp {
  id: number;
  name: string;
  origins: string[];
  services?: string[];
  sampleRate: number;
  createdAt: number;
  revokedAt: number | null;
}

/** Every report of one exception fingerprint in one app. */
export interface ErrorGroup {
  id: number;
  app: string;
  fingerprint: string;
  type: string;
  message: string;
  frames: Array<{ function: string; file: string }>;
  count: number;
  firstSeen: number;
  lastSeen: number;
  sampleStack: Array<{ function: string; file: string; lineno?: number; colno?: number }> | null;
  samplePage: string | null;
}

/** How an error group's reports spread over each dimension: value → count. */
export interface ErrorDims {
  commune: Record<string, number>;
  browser: Record<string, number>;
  version: Record<string, number>;
  page: Record<string, number>;
}

/** One exception report, already scrubbed and fingerprinted (rum/fingerprint.ts). */
export interface ErrorOccurrence {
  appId: number;
  key: GroupKey;
  at: number;
  stack: ErrorGroup['sampleStack'];
  page: string;
  commune: string;
  browser: string;
  version: string;
}

/** One web-vital histogram: an app, local day, page, commune and metric (buckets per rum/vitals.ts bounds). */
export interface VitalRow {
  app: string;
  /** Start of the local day, epoch ms. */
  day: number;
  page: string;
  commune: string;
  metric: Vital;
  count: number;
  sum: number;
  buckets: number[];
}

/** Failed fetches of one URL template with one status, per app, local day and commune. */
export interface FetchFailureRow {
  app: string;
  day: number;
  commune: string;
  url: string;
  status: number;
  count: number;
  durationSum: number;
  lastSeen: number;
}

export interface RumStore {
  /** Registers an app; the returned `cwr_` key is shown once, only its lookup id and hash are kept. */
  createApp(input: { name: string; origins: string[]; services?: string[]; sampleRate?: number; now: number }): {
    app: RumApp;
    key: string;
  };
  /** Every app, revoked ones included, by name. */
  apps(): RumApp[];
  /** The live app of a key (constant-time secret check), or undefined. */
  verifyKey(key: string): RumApp | undefined;
  /** Revokes an app's key (its aggregates stay); false if no such app or already revoked. */
  revokeApp(id: number, now: number): boolean;
  /**
   * The built-in app of the server's own UI (origin "self"), created if missing, with a new key each call:
   * the key is written into every page, so the server keeps it in memory, never in clear on disk.
   */
  selfApp(name: string, now: number): { app: RumApp; key: string };
  /** True the first time this app sends this Idempotency-Key (within the kept window). */
  claimBatch(appId: number, key: string, now: number): boolean;
  /** Counts one exception in its group (created on first sight) and in each non-empty dimension. */
  recordError(o: ErrorOccurrence): void;
  /** Adds one measurement to the (app, day, page, commune, metric) histogram. */
  recordVital(v: { appId: number; day: number; page: string; commune: string; metric: Vital; value: number }): void;
  /** Counts one failed fetch in its (app, day, commune, url, status) row. */
  recordFetchFailure(f: {
    appId: number;
    day: number;
    commune: string;
    url: string;
    status: number;
    durationMs: number;
    at: number;
  }): void;
  /** Error groups last seen at or after `since` (default all), of the given apps (default all), most frequent first. */
  errorGroups(q: { appIds?: number[]; since?: number; limit: number }): ErrorGroup[];
  /** The per-dimension counts of one error group (empty records for an unknown group). */
  errorDims(groupId: number): ErrorDims;
  /** Histograms of days from `since` on, of the given apps (default all), by day, app, page, commune, metric. */
  vitals(q: { appIds?: number[]; since: number }): VitalRow[];
  /** Failed-fetch rows of days from `since` on, of the given apps (default all), most frequent first. */
  fetchFailures(q: { appIds?: number[]; since: number; limit: number }): FetchFailureRow[];
  /** Deletes aggregates older than `before` and idempotency keys older than `keysBefore`; returns rows deleted. */
  prune(before: number, keysBefore: number): number;
}
