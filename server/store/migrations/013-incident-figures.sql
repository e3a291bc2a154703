-- Issue 12: degraded links and manual incidents that page.
--
-- figures: what made a degraded incident degraded (loss %, RTT p50/p95 against the commune's own baseline,
-- the slowest step), as JSON (outages/incident.ts DegradedFigures), shown in messages and on the incident.
-- notify: a manual incident recorded while the outage is ongoing may page like a detected one (opt-in).
ALTER TABLE incidents ADD COLUMN figures TEXT CHECK (figures IS NULL OR json_valid(figures));
ALTER TABLE incidents ADD COLUMN notify INTEGER NOT NULL DEFAULT 0 CHECK (notify IN (0, 1));
