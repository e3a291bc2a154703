-- Every ingest asks whether its agent has a silent incident open or awaiting backfill: index by agent so
-- that stays one lookup when years of incidents have piled up.
CREATE INDEX incidents_agent ON incidents (agent_id, cause) WHERE agent_id IS NOT NULL;
