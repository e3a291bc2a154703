-- Real-user monitoring (issue 7): apps that may send, and what their users' browsers saw, aggregated.
-- No raw payload is stored: query strings, form values and free-text contexts never reach the disk.

CREATE TABLE rum_apps (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  origins      TEXT    NOT NULL CHECK (json_valid(origins)),   -- CORS allow-list: ["https://motcua.laocai.gov.vn"]
  services     TEXT    CHECK (services IS NULL OR json_valid(services)), -- service classes it belongs to (vendor scoping)
  sample_rate  REAL    NOT NULL DEFAULT 1 CHECK (sample_rate > 0 AND sample_rate <= 1),
  key_lookup   TEXT    NOT NULL UNIQUE,
  key_hash     TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER
) STRICT;

-- Idempotency-Key of accepted batches (SDK >= 2.12 retries with the same key): kept about an hour.
CREATE TABLE rum_batches (
  app_id  INTEGER NOT NULL,
  key     TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (app_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX rum_batches_at ON rum_batches (at);

-- Exceptions grouped by fingerprint (type + message template + top in-app frames).
CREATE TABLE rum_error_groups (
  id           INTEGER PRIMARY KEY,
  app_id       INTEGER NOT NULL REFERENCES rum_apps (id),
  fingerprint  TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  message      TEXT    NOT NULL,   -- the template: numbers, ids, e-mails and quoted values replaced
  frames       TEXT    NOT NULL CHECK (json_valid(frames)),   -- top frames used for the fingerprint
  count        INTEGER NOT NULL,
  first_seen   INTEGER NOT NULL,
  last_seen    INTEGER NOT NULL,
  sample_stack TEXT    CHECK (sample_stack IS NULL OR json_valid(sample_stack)),
  sample_page  TEXT,               -- path template, no query string
  UNIQUE (app_id, fingerprint)
) STRICT;
CREATE INDEX rum_error_groups_last ON rum_error_groups (last_seen);

-- Per group: counts by commune, browser, app version and page.
CREATE TABLE rum_error_dims (
  group_id  INTEGER NOT NULL REFERENCES rum_error_groups (id) ON DELETE CASCADE,
  dim       TEXT    NOT NULL CHECK (dim IN ('commune', 'browser', 'version', 'page')),
  value     TEXT    NOT NULL,
  count     INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (group_id, dim, value)
) STRICT, WITHOUT ROWID;

-- Web vitals as per-day histograms per app, page template and commune (fixed log-spaced buckets).
CREATE TABLE rum_vitals (
  app_id   INTEGER NOT NULL,
  day      INTEGER NOT NULL,   -- local midnight, epoch ms
  page     TEXT    NOT NULL,
  commune  TEXT    NOT NULL,   -- '' when unknown
  metric   TEXT    NOT NULL CHECK (metric IN ('lcp', 'inp', 'cls', 'ttfb', 'fcp')),
  count    INTEGER NOT NULL,
  sum      REAL    NOT NULL,
  buckets  TEXT    NOT NULL CHECK (json_valid(buckets)),   -- counts per upper bound, same bounds for a metric
  PRIMARY KEY (app_id, day, page, commune, metric)
) STRICT, WITHOUT ROWID;
CREATE INDEX rum_vitals_day ON rum_vitals (day);

-- Failed fetches seen by browsers (HTTP status >= 400, or 0 = network failure), per day.
CREATE TABLE rum_fetch_failures (
  app_id      INTEGER NOT NULL,
  day         INTEGER NOT NULL,
  commune     TEXT    NOT NULL,
  url         TEXT    NOT NULL,   -- origin + path template, no query string
  status      INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  duration_sum REAL   NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (app_id, day, commune, url, status)
) STRICT, WITHOUT ROWID;
CREATE INDEX rum_fetch_failures_day ON rum_fetch_failures (day);
