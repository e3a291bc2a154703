-- Commune PC health samples (every few minutes) and equipment inventories (daily). The full document is
-- kept as JSON; the figures that questions are asked about ("which communes lack a chip reader", "run
-- < 4 GB RAM", "low disk") are columns, so each is one indexed query.

CREATE TABLE health_samples (
  record_id           TEXT    PRIMARY KEY,
  agent_id            INTEGER NOT NULL REFERENCES agents (id),
  commune             TEXT    NOT NULL,
  seq                 INTEGER NOT NULL,
  ts                  INTEGER NOT NULL,
  agent_ts            INTEGER NOT NULL,
  received_at         INTEGER NOT NULL,
  cpu_load_pct        REAL,
  mem_total_bytes     INTEGER,
  mem_available_bytes INTEGER,
  uptime_sec          REAL,
  clock_offset_ms     INTEGER,
  -- The fullest disk: free / size of the mount with the least free share.
  min_disk_free_ratio REAL,
  doc                 TEXT    NOT NULL CHECK (json_valid(doc))
) STRICT;
CREATE INDEX health_agent_ts ON health_samples (agent_id, ts);
CREATE INDEX health_ts ON health_samples (ts);

CREATE TABLE inventory_docs (
  record_id         TEXT    PRIMARY KEY,
  agent_id          INTEGER NOT NULL REFERENCES agents (id),
  commune           TEXT    NOT NULL,
  seq               INTEGER NOT NULL,
  ts                INTEGER NOT NULL,
  agent_ts          INTEGER NOT NULL,
  received_at       INTEGER NOT NULL,
  hostname          TEXT,
  model             TEXT,
  os                TEXT,
  mem_total_bytes   INTEGER,
  smartcard_readers INTEGER NOT NULL,
  signing_tokens    INTEGER,
  scanners          INTEGER NOT NULL,
  printers          INTEGER NOT NULL,
  doc               TEXT    NOT NULL CHECK (json_valid(doc))
) STRICT;
CREATE INDEX inventory_agent_ts ON inventory_docs (agent_id, ts);

-- Each agent's newest inventory: the equipment questions are one query on this view, e.g.
--   SELECT commune FROM latest_inventory WHERE smartcard_readers = 0 OR mem_total_bytes < 4 * 1024 * 1024 * 1024;
CREATE VIEW latest_inventory AS
  SELECT i.* FROM inventory_docs i
  WHERE i.record_id = (SELECT record_id FROM inventory_docs WHERE agent_id = i.agent_id ORDER BY ts DESC, record_id DESC LIMIT 1);
