/**
 * Store seam for which reports went out: one entry per (kind, period). A sender first claims the period
 * (atomically: two processes sharing the database cannot both send), then marks it sent or
 * failed. A claim left by a process that died mid-send expires after its lease and can be taken over:
 * delivery is at least once, and a duplicate needs a crash inside the few seconds of one SMTP exchange.
 * Interfaces and records only; the SQLite implementation is sqlite-report-log.ts.
 */
export type ReportKind = 'monthly';
export type ReportStatus = 'sending' | 'sent' | 'failed';

/** What happened to one period's report. */
export interface ReportLogEntry {
  kind: ReportKind;
  /** The period reported on, e.g. `2026-09` for a month. */
  period: string;
  status: ReportStatus;
  attempts: number;
  claimedAt: number | null;
  nextAttemptAt: number | null;
  sentAt: number | null;
  sentBy: string | null;
  recipients: string[];
  subject: string | null;
  lastError: string | null;
  updatedAt: number;
}

export interface ReportLog {
  /** The entry of one period, if any attempt or delivery was recorded. */
  get(kind: ReportKind, period: string): ReportLogEntry | undefined;
  /**
   * Takes the period for sending: true when nothing was sent yet, no live claim holds it (claims older than
   * `leaseMs` are dead) and any retry wait is over. Counts an attempt.
   */
  claim(kind: ReportKind, period: string, now: number, leaseMs: number): boolean;
  /** Records a delivery (also one made without a claim, e.g. from the command line). */
  markSent(
    kind: ReportKind,
    period: string,
    sent: { now: number; by: string; recipients: string[]; subject: string },
  ): void;
  /** Records a failed attempt; the period may be claimed again from `nextAttemptAt`. */
  markFailed(kind: ReportKind, period: string, failed: { now: number; error: string; nextAttemptAt: number }): void;
  /** Up to `limit` entries of a kind, newest period first. */
  list(kind: ReportKind, limit: number): ReportLogEntry[];
}
