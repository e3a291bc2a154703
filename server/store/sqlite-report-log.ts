/**
 * The report log seam (report-log.ts) on SQLite (migration 010): one row per (kind, period). The claim is
 * one INSERT … ON CONFLICT DO UPDATE … WHERE in an IMMEDIATE transaction, so two processes on one database
 * cannot both take a period.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ReportKind, ReportLog, ReportLogEntry } from './report-log.js';

interface Row extends Omit<ReportLogEntry, 'recipients'> {
  recipients: string;
}

const COLUMNS = `kind, period, status, attempts, claimed_at AS claimedAt, next_attempt_at AS nextAttemptAt, sent_at AS sentAt,
  sent_by AS sentBy, recipients, subject, last_error AS lastError, updated_at AS updatedAt`;

export function createReportLog(db: BetterSqlite3.Database): ReportLog {
  const stmt = {
    get: db.prepare(`SELECT ${COLUMNS} FROM report_log WHERE kind = ? AND period = ?`),
    list: db.prepare(`SELECT ${COLUMNS} FROM report_log WHERE kind = ? ORDER BY period DESC LIMIT ?`),
    claim: db.prepare(`INSERT INTO report_log (kind, period, status, attempts, claimed_at, updated_at)
      VALUES (@kind, @period, 'sending', 1, @now, @now)
      ON CONFLICT (kind, period) DO UPDATE SET status = 'sending', attempts = attempts + 1, claimed_at = @now, updated_at = @now
      WHERE status = 'failed' AND coalesce(next_attempt_at, 0) <= @now
         OR status = 'sending' AND coalesce(claimed_at, 0) + @leaseMs <= @now`),
    sent: db.prepare(`INSERT INTO report_log (kind, period, status, attempts, sent_at, sent_by, recipients, subject, updated_at)
      VALUES (@kind, @period, 'sent', 1, @now, @by, @recipients, @subject, @now)
      ON CONFLICT (kind, period) DO UPDATE SET status = 'sent', sent_at = @now, sent_by = @by, recipients = @recipients,
        subject = @subject, next_attempt_at = NULL, last_error = NULL, updated_at = @now`),
    failed:
      db.prepare(`UPDATE report_log SET status = 'failed', last_error = @error, next_attempt_at = @nextAttemptAt, updated_at = @now
      WHERE kind = @kind AND period = @period AND status <> 'sent'`),
  };
  const toEntry = (r: Row): ReportLogEntry => ({ ...r, recipients: JSON.parse(r.recipients) as string[] });
  // The INSERT … ON CONFLICT DO UPDATE … WHERE changes a row only when the claim is allowed: one statement,
  // so no read-then-write race; IMMEDIATE makes a second process wait for the first rather than fail.
  const claim = db.transaction(
    (p: { kind: ReportKind; period: string; now: number; leaseMs: number }) => stmt.claim.run(p).changes > 0,
  );
  return {
    get: (kind, period) => {
      const row = stmt.get.get(kind, period) as Row | undefined;
      return row && toEntry(row);
    },
    claim: (kind, period, now, leaseMs) => claim.immediate({ kind, period, now, leaseMs }),
    markSent: (kind, period, s) =>
      void stmt.sent.run({
        kind,
        period,
        now: s.now,
        by: s.by,
        recipients: JSON.stringify(s.recipients),
        subject: s.subject,
      }),
    markFailed: (kind, period, f) =>
      void stmt.failed.run({ kind, period, now: f.now, error: f.error.slice(0, 2000), nextAttemptAt: f.nextAttemptAt }),
    list: (kind, limit) => (stmt.list.all(kind, limit) as Row[]).map(toEntry),
  };
}
