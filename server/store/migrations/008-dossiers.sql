-- Dossiers (hồ sơ) imported from provincial systems (server/dossiers), upserted by (source, code): the same
-- file imported twice changes nothing. Imports are staged first, so a file with bad rows can be refused
-- whole without holding the write lock while it is read.

CREATE TABLE dossiers (
  source           TEXT    NOT NULL,
  code             TEXT    NOT NULL,
  procedure_code   TEXT,
  procedure_name   TEXT,
  field            TEXT,
  commune          TEXT    NOT NULL,
  channel          TEXT    CHECK (channel IS NULL OR channel IN ('online', 'direct', 'postal')),
  received_at      INTEGER NOT NULL,
  due_at           INTEGER NOT NULL,
  finished_at      INTEGER,
  first_handled_at INTEGER,
  status           TEXT,
  import_id        INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  PRIMARY KEY (source, code)
) STRICT, WITHOUT ROWID;
CREATE INDEX dossiers_commune_due ON dossiers (commune, due_at);
CREATE INDEX dossiers_due ON dossiers (due_at);

CREATE TABLE dossier_imports (
  id          INTEGER PRIMARY KEY,
  source      TEXT    NOT NULL,
  file_name   TEXT,
  actor       TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  status      TEXT    NOT NULL CHECK (status IN ('staging', 'imported', 'refused', 'failed')),
  rows        INTEGER NOT NULL DEFAULT 0,
  valid       INTEGER NOT NULL DEFAULT 0,
  invalid     INTEGER NOT NULL DEFAULT 0,
  inserted    INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  problems    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(problems))
) STRICT;

CREATE TABLE dossier_staging (
  import_id        INTEGER NOT NULL,
  code             TEXT    NOT NULL,
  row              INTEGER NOT NULL,
  procedure_code   TEXT,
  procedure_name   TEXT,
  field            TEXT,
  commune          TEXT    NOT NULL,
  channel          TEXT,
  received_at      INTEGER NOT NULL,
  due_at           INTEGER NOT NULL,
  finished_at      INTEGER,
  first_handled_at INTEGER,
  status           TEXT,
  PRIMARY KEY (import_id, code)
) STRICT, WITHOUT ROWID;
