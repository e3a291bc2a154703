-- Alerts (server/alerts): notification groups, the persisted delivery queue, silences and maintenance.
--
-- alert_members: which incidents are in which (route, receiver, group), their state and the state last
-- notified, so a flush sends exactly the changes. notifications: one row per message per channel target,
-- retried with backoff until sent or given up; a restart loses none.

CREATE TABLE alert_groups (
  route_path    TEXT    NOT NULL,
  receiver      TEXT    NOT NULL,
  group_key     TEXT    NOT NULL,
  labels        TEXT    NOT NULL CHECK (json_valid(labels)),
  next_flush_at INTEGER,
  last_sent_at  INTEGER,
  digest        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (route_path, receiver, group_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX alert_groups_due ON alert_groups (next_flush_at) WHERE next_flush_at IS NOT NULL;

CREATE TABLE alert_members (
  route_path  TEXT    NOT NULL,
  receiver    TEXT    NOT NULL,
  group_key   TEXT    NOT NULL,
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  state       TEXT    NOT NULL CHECK (state IN ('firing', 'resolved')),
  notified    TEXT             CHECK (notified IS NULL OR notified IN ('firing', 'resolved')),
  PRIMARY KEY (route_path, receiver, group_key, incident_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX alert_members_incident ON alert_members (incident_id);

CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  receiver        TEXT    NOT NULL,
  channel         TEXT    NOT NULL CHECK (channel IN ('email', 'webhook', 'telegram', 'zalo', 'alertmanager')),
  target_index    INTEGER NOT NULL,
  kind            TEXT    NOT NULL CHECK (kind IN ('firing', 'update', 'resolved', 'reminder', 'escalation', 'digest')),
  group_key       TEXT    NOT NULL,
  incident_ids    TEXT    NOT NULL CHECK (json_valid(incident_ids)),
  payload         TEXT    NOT NULL CHECK (json_valid(payload)),
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
) STRICT;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_created ON notifications (created_at);

-- Silences mute notifications; maintenance windows also mark the time as planned in uptime figures.
-- A recurring one repeats on `weekdays` between local times `from_min`..`to_min`, within starts_at..ends_at.
CREATE TABLE silences (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL CHECK (kind IN ('silence', 'maintenance')),
  matchers   TEXT    NOT NULL CHECK (json_valid(matchers)),
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  weekdays   TEXT    CHECK (weekdays IS NULL OR json_valid(weekdays)),
  from_min   INTEGER,
  to_min     INTEGER,
  comment    TEXT    NOT NULL,
  created_by TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER,
  deleted_by TEXT
) STRICT;
