-- Scheduled reports (server/reports): one row per report and period, so a report goes out once even across
-- restarts, a server that was down at the due time can catch up, and failed sends are retried with backoff.

CREATE TABLE report_log (
  kind            TEXT    NOT NULL,               -- 'monthly' (others may follow)
  period          TEXT    NOT NULL,               -- '2026-10', Vietnam time
  status          TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  claimed_at      INTEGER,                        -- when the current or last send began
  next_attempt_at INTEGER,                        -- after a failure
  sent_at         INTEGER,
  sent_by         TEXT,                           -- 'schedule' or 'cli:<user>'
  recipients      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(recipients)),
  subject         TEXT,
  last_error      TEXT,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (kind, period)
) STRICT, WITHOUT ROWID;
