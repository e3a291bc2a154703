-- Issue 13, notifiers registered once: the channels are the notifier registry's keys
-- (server/alerts/notifiers/index.ts), so the queue keeps a channel as a plain name. The CHECK listing the
-- five channels of 006/014 would make every new channel a migration too. A row whose channel is no longer
-- registered is given up by the delivery loop, with its reason. SQLite cannot drop a CHECK constraint, so
-- the table is rebuilt as in 014 (same columns, same order, data kept, ids kept); kind and status stay
-- checked: they are the store's own vocabulary.
CREATE TABLE notifications_016 (
  id              INTEGER PRIMARY KEY,
  receiver        TEXT    NOT NULL,
  channel         TEXT    NOT NULL CHECK (channel <> ''),
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
INSERT INTO notifications_016 (id, receiver, channel, target_index, kind, group_key, incident_ids, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at)
  SELECT id, receiver, channel, target_index, kind, group_key, incident_ids, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_016 RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_created ON notifications (created_at);
