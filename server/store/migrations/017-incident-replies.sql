-- Issue 14: a vendor answers the province about an incident of its own service.
--
-- incident_replies keeps each acknowledgement ('ack': "we have seen it and are on it") and each reply
-- (free text, ≤ 2000 characters) with who wrote it and when, shown on the incident page and in its record
-- (biên bản sự cố). A vendor's acknowledgement is kept here rather than in incidents.acknowledged_at, which
-- is the province's own acknowledgement and stops its escalation: a vendor saying "seen" must not silence
-- the province's on-call chain. Rows are never edited or deleted; incident_events records each one too.
CREATE TABLE incident_replies (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  at          INTEGER NOT NULL,
  author      TEXT    NOT NULL,
  role        TEXT    NOT NULL CHECK (role IN ('admin', 'vendor')),
  kind        TEXT    NOT NULL CHECK (kind IN ('ack', 'reply')),
  text        TEXT    NOT NULL CHECK (length(text) <= 2000)
) STRICT;
CREATE INDEX incident_replies_incident ON incident_replies (incident_id, id);
