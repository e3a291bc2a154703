-- Issue 12: degraded links and manual incidents that page.
--
-- figures: what made a degraded incident degraded (loss %, RTT p50/p95 against the commune's own baseline,
-- the slowest step), as JSON (outages/incident.ts DegradedFigures), shown in messages and on the incident.
-- notify: a manual incident recorded while the outage is ongoing may page like a detected one (opt-in).
ALTER TABLE incidents ADD COLUMN figures TEXT CHECK (figures IS NULL OR json_valid(figures));
ALTER TABLE incidents ADD COLUMN notify INTEGER NOT NULL DEFAULT 0 CHECK (notify IN (0, 1));
-- down_spans: the parts of an incident that were down rather than degraded, as JSON [[start, end|null], …].
-- One fault is one incident even when a congested link is cut for a while; only these spans count as
-- downtime in uptime and dossier attribution. NULL (rows from before): the whole incident if severity='down'.
ALTER TABLE incidents ADD COLUMN down_spans TEXT CHECK (down_spans IS NULL OR json_valid(down_spans));
