-- Where a failure is (agent-side path localisation): the target's role (a path hop or a service), the
-- fault layer of a failure or slow success, the upstream link blamed, and the network link the probe
-- was pinned to. NULL for results from agents that predate them.
ALTER TABLE results ADD COLUMN role TEXT;
ALTER TABLE results ADD COLUMN layer TEXT;
ALTER TABLE results ADD COLUMN blame TEXT;
ALTER TABLE results ADD COLUMN link TEXT;
