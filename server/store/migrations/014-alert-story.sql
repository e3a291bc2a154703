-- Issue 12, alerts: one story per incident and receiver, whatever the order of events.
--
-- notifications.kind gains 'confirmed': an incident that was already over when its group flushed, never
-- announced on that route, gets one message with its real start and end instead of none. SQLite cannot
-- alter a CHECK constraint, so the table is rebuilt (same columns, same order, data kept, ids kept).
CREATE TABLE notifications_014 (
  id              INTEGER PRIMARY KEY,
  receiver        TEXT    NOT NULL,
  channel         TEXT    NOT NULL CHECK (channel IN ('email', 'webhook', 'telegram', 'zalo', 'alertmanager')),
  target_index    INTEGER NOT NULL,
  kind            TEXT    NOT NULL CHECK (kind IN ('firing', 'update', 'resolved', 'reminder', 'escalation', 'digest', 'confirmed')),
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
INSERT INTO notifications_014 (id, receiver, channel, target_index, kind, group_key, incident_ids, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at)
  SELECT id, receiver, channel, target_index, kind, group_key, incident_ids, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_014 RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_created ON notifications (created_at);

-- held_until: when a silence or maintenance window held the group back, its end. Deleting the window early
-- makes such groups flush at once (they would otherwise wait for the old end).
ALTER TABLE alert_groups ADD COLUMN held_until INTEGER;

-- A member is no longer deleted once its story is told: closed_at marks it done, so a later change to the
-- incident (a correction, an edit) can never start a second story on the same route. fired_at is when its
-- FIRING was first queued, from which escalation counts. Closed members are pruned after 30 days.
ALTER TABLE alert_members ADD COLUMN fired_at INTEGER;
ALTER TABLE alert_members ADD COLUMN closed_at INTEGER;

-- Members pruned before this migration: what was told is known only per receiver, from the notifications
-- sent. Recorded under the wildcard route '*' as closed, so an old incident changed later stays quiet.
INSERT OR IGNORE INTO alert_members (route_path, receiver, group_key, incident_id, state, notified, fired_at, closed_at)
  SELECT '*', n.receiver, '*', j.value, 'resolved', 'resolved', min(n.created_at), max(n.created_at)
  FROM notifications n, json_each(n.incident_ids) j
  WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.id = j.value)
    AND NOT EXISTS (SELECT 1 FROM alert_members m WHERE m.incident_id = j.value AND m.receiver = n.receiver)
  GROUP BY n.receiver, j.value;
CREATE INDEX alert_members_open ON alert_members (receiver, incident_id) WHERE closed_at IS NULL;
-- Members told FIRING before this migration: the group's last message is the best known time of it.
UPDATE alert_members SET fired_at = (SELECT g.last_sent_at FROM alert_groups g WHERE g.route_path = alert_members.route_path
    AND g.receiver = alert_members.receiver AND g.group_key = alert_members.group_key)
  WHERE notified = 'firing' AND fired_at IS NULL;
