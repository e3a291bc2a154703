-- Issue 12: after a cut shorter than the silence threshold there is no agent-silent incident, yet the
-- agent's first pushes after the heal carry results it buffered: the commune's story is still arriving.
-- A row here says so (since: when the first late batch came; last: the latest); the alerts hold the
-- commune's news until a batch arrives, with an empty outbox, carrying a check made after `last` — measured
-- with the link back — so what they say is the whole story.
CREATE TABLE commune_catchup (
  commune TEXT    PRIMARY KEY,
  since   INTEGER NOT NULL,
  last    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The severity a FIRING told (down, or degraded: the link works, badly): a change of it is told as an
-- update ("now down"), not kept quiet until the resolve.
ALTER TABLE alert_members ADD COLUMN told_severity TEXT CHECK (told_severity IN ('down', 'degraded'));
