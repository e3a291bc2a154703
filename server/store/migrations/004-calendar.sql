-- Working-time calendar (server/calendar): timetables and day rules per scope. Scope '' is national,
-- 'p:<province code>' a province, 'c:<commune code>' one commune; the more specific wins for a date.
-- Every change is kept in calendar_audit, since uptime and dossier verdicts depend on these rows.

CREATE TABLE work_schedules (
  scope          TEXT    NOT NULL,
  effective_from TEXT    NOT NULL,  -- YYYY-MM-DD, local
  seasons        TEXT    NOT NULL CHECK (json_valid(seasons)),
  updated_by     TEXT    NOT NULL,
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (scope, effective_from)
) STRICT, WITHOUT ROWID;

CREATE TABLE calendar_days (
  scope       TEXT    NOT NULL,
  date        TEXT    NOT NULL,      -- YYYY-MM-DD, local
  kind        TEXT    NOT NULL CHECK (kind IN ('off', 'work')),
  name        TEXT    NOT NULL,
  source      TEXT,
  provisional INTEGER NOT NULL DEFAULT 0 CHECK (provisional IN (0, 1)),
  updated_by  TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (scope, date)
) STRICT, WITHOUT ROWID;

CREATE TABLE calendar_audit (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT    NOT NULL,
  action TEXT    NOT NULL,  -- 'import', 'set-day', 'delete-day', 'set-schedule', 'delete-schedule'
  scope  TEXT    NOT NULL,
  detail TEXT    NOT NULL CHECK (json_valid(detail))
) STRICT;
