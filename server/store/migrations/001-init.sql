-- Initial schema. Times are INTEGER epoch ms; latencies REAL ms. STRICT so a wrong type fails loudly
-- instead of being stored as text. Raw results are kept only for the raw retention window; every view
-- that must keep working past it reads the rollup tables (Uptime Kuma's one-row-per-beat table, read by
-- its UI, is what sank it at scale).

CREATE TABLE agents (
  id               INTEGER PRIMARY KEY,
  commune          TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  token_lookup     TEXT    NOT NULL UNIQUE,
  token_hash       TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  revoked_at       INTEGER,
  last_push_at     INTEGER,
  last_skew_ms     INTEGER,
  last_status      TEXT CHECK (last_status IS NULL OR json_valid(last_status)),
  max_seq          INTEGER NOT NULL DEFAULT 0,
  results_received INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A target is identified by (commune, name): two agents in one commune probing the same name share it.
CREATE TABLE targets (
  id         INTEGER PRIMARY KEY,
  commune    TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  service    TEXT    NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  UNIQUE (commune, name)
) STRICT;
CREATE INDEX targets_name ON targets (name);

-- One row per acknowledged batch, so a retried batch gets its original answer without touching results.
CREATE TABLE ingested_batches (
  agent_id    INTEGER NOT NULL REFERENCES agents (id),
  batch_id    TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  stored      INTEGER NOT NULL,
  duplicates  INTEGER NOT NULL,
  PRIMARY KEY (agent_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ingested_batches_received ON ingested_batches (received_at);

-- Raw results, clustered by (target, time) so a per-target time range is one b-tree range.
-- result_id is unique on its own (not only within the key) because a retried result can carry a
-- different skew-corrected ts. The ts index serves "newest across all targets" and retention; it is
-- appended to in time order, so it costs little on insert.
CREATE TABLE results (
  target_id     INTEGER NOT NULL REFERENCES targets (id),
  ts            INTEGER NOT NULL,
  result_id     TEXT    NOT NULL,
  seq           INTEGER NOT NULL,
  agent_id      INTEGER NOT NULL REFERENCES agents (id),
  agent_ts      INTEGER NOT NULL,
  received_at   INTEGER NOT NULL,
  ok            INTEGER NOT NULL CHECK (ok IN (0, 1)),
  duration_ms   REAL    NOT NULL,
  latency_ms    REAL,
  error_code    TEXT,
  error_message TEXT,
  detail        TEXT,  -- JSON object holding the per-kind objects (icmp/http/tcp/dns) that were present
  PRIMARY KEY (target_id, ts, result_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX results_result_id ON results (result_id);
CREATE INDEX results_ts ON results (ts);

-- Rollups: one row per target and bucket start. Sums and counts rather than means, so buckets merge
-- exactly and any span's mean is sum / count. The bucket index serves retention only.
CREATE TABLE rollup_minute (
  target_id     INTEGER NOT NULL REFERENCES targets (id),
  bucket        INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  ok_count      INTEGER NOT NULL,
  latency_count INTEGER NOT NULL,
  latency_sum   REAL    NOT NULL,
  latency_min   REAL,
  latency_max   REAL,
  loss_sum      REAL    NOT NULL,
  loss_count    INTEGER NOT NULL,
  PRIMARY KEY (target_id, bucket)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollup_minute_bucket ON rollup_minute (bucket);

CREATE TABLE rollup_hour (
  target_id     INTEGER NOT NULL REFERENCES targets (id),
  bucket        INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  ok_count      INTEGER NOT NULL,
  latency_count INTEGER NOT NULL,
  latency_sum   REAL    NOT NULL,
  latency_min   REAL,
  latency_max   REAL,
  loss_sum      REAL    NOT NULL,
  loss_count    INTEGER NOT NULL,
  PRIMARY KEY (target_id, bucket)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollup_hour_bucket ON rollup_hour (bucket);

CREATE TABLE rollup_day (
  target_id     INTEGER NOT NULL REFERENCES targets (id),
  bucket        INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  ok_count      INTEGER NOT NULL,
  latency_count INTEGER NOT NULL,
  latency_sum   REAL    NOT NULL,
  latency_min   REAL,
  latency_max   REAL,
  loss_sum      REAL    NOT NULL,
  loss_count    INTEGER NOT NULL,
  PRIMARY KEY (target_id, bucket)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollup_day_bucket ON rollup_day (bucket);
