-- Incidents (server/outages): what broke, where, whose side, from when to when, with the evidence.
--
-- target_states holds each (commune, target) state machine, so a restart resumes it exactly.
-- incidents are local (one commune) or central (one service, many communes: incident_communes lists
-- each commune's own start and end). A local incident absorbed by a central one keeps its row with
-- merged_into set, so history shows both and no time is counted twice. Nothing is ever deleted outright:
-- an admin's delete sets deleted_at, and incident_events keeps the timeline and the audit trail.

CREATE TABLE target_states (
  target_id   INTEGER PRIMARY KEY REFERENCES targets (id),
  state       TEXT    NOT NULL CHECK (state IN ('up', 'down', 'degraded')),
  since       INTEGER NOT NULL,  -- event time the current state began
  last_ts     INTEGER NOT NULL,  -- newest result evaluated
  incident_id INTEGER REFERENCES incidents (id),
  machine     TEXT    NOT NULL CHECK (json_valid(machine))  -- streaks, recent failures, flips (outages/target-machine.ts)
) STRICT;
CREATE INDEX target_states_incident ON target_states (incident_id) WHERE incident_id IS NOT NULL;

CREATE TABLE incidents (
  id              INTEGER PRIMARY KEY,
  scope           TEXT    NOT NULL CHECK (scope IN ('local', 'central')),
  cause           TEXT    NOT NULL CHECK (cause IN ('commune-network', 'central-service', 'local-service', 'agent-silent')),
  severity        TEXT    NOT NULL CHECK (severity IN ('down', 'degraded')),
  service         TEXT,              -- service class; NULL for a commune's network or a silent agent
  commune         TEXT,              -- NULL for a central incident (see incident_communes)
  target_id       INTEGER REFERENCES targets (id),
  agent_id        INTEGER REFERENCES agents (id),
  layer           TEXT,
  started_at      INTEGER NOT NULL,
  ended_at        INTEGER,
  flapping        INTEGER NOT NULL DEFAULT 0 CHECK (flapping IN (0, 1)),
  manual          INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
  recorded_by     TEXT,
  note            TEXT,
  merged_into     INTEGER REFERENCES incidents (id),
  -- 'superseded': an agent-silent incident whose backfilled results showed what really happened.
  status_note     TEXT,
  corrected       INTEGER NOT NULL DEFAULT 0 CHECK (corrected IN (0, 1)),
  superseded      INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
  backfill_until  INTEGER,           -- agent-silent: reconnect time, while buffered results still arrive
  acknowledged_at INTEGER,
  acknowledged_by TEXT,
  deleted_at      INTEGER,
  deleted_by      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX incidents_open ON incidents (ended_at) WHERE ended_at IS NULL AND deleted_at IS NULL;
CREATE INDEX incidents_service_time ON incidents (service, started_at);
CREATE INDEX incidents_commune_time ON incidents (commune, started_at);
CREATE INDEX incidents_started ON incidents (started_at);

CREATE TABLE incident_communes (
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  commune     TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  PRIMARY KEY (incident_id, commune)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_communes_commune ON incident_communes (commune, started_at);

-- The results that opened, extended and closed an incident (capped per incident), so the evidence
-- outlives raw-result retention.
CREATE TABLE incident_evidence (
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  result_id   TEXT    NOT NULL,
  commune     TEXT    NOT NULL,
  target      TEXT    NOT NULL,
  ts          INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  layer       TEXT,
  error_code  TEXT,
  summary     TEXT    NOT NULL,
  PRIMARY KEY (incident_id, result_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE incident_events (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  at          INTEGER NOT NULL,  -- event time (for detected changes) or wall time (for admin actions)
  kind        TEXT    NOT NULL,  -- opened, commune-added, commune-recovered, resolved, merged, corrected, acknowledged, edited, deleted, reopened
  actor       TEXT    NOT NULL,  -- 'engine' or who did it
  detail      TEXT    NOT NULL CHECK (json_valid(detail))
) STRICT;
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

-- API tokens for people and systems (admin, viewer, vendor), hashed like agent tokens.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  role         TEXT    NOT NULL CHECK (role IN ('admin', 'viewer', 'vendor')),
  services     TEXT    CHECK (services IS NULL OR json_valid(services)),  -- vendor: the service classes it may see
  token_lookup TEXT    NOT NULL UNIQUE,
  token_hash   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
) STRICT;
