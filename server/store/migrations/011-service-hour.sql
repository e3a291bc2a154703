-- Hour rollups per service class across all communes: the hour-of-day x weekday heatmap of a service
-- reads 24 x 30 rows for a month instead of aggregating every commune's targets (3,321 x 720 rows for
-- a province), so the service page answers in milliseconds. Folded at ingest like the other rollups.
CREATE TABLE rollup_service_hour (
  service       TEXT    NOT NULL,
  bucket        INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  ok_count      INTEGER NOT NULL,
  latency_count INTEGER NOT NULL,
  latency_sum   REAL    NOT NULL,
  latency_max   REAL,
  PRIMARY KEY (service, bucket)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollup_service_hour_bucket ON rollup_service_hour (bucket);

-- Existing history, once. The GROUP BY sorts every hour rollup (57 M rows for a province over 90 days):
-- with the connection's temp_store = MEMORY the sorter held 4.4 GB; spilled to temporary files it stays
-- under 100 MB at the same speed (bench/web-pages.ts). The connection setting is restored after.
PRAGMA temp_store = FILE;
INSERT INTO rollup_service_hour (service, bucket, count, ok_count, latency_count, latency_sum, latency_max)
  SELECT t.service, r.bucket, sum(r.count), sum(r.ok_count), sum(r.latency_count), sum(r.latency_sum), max(r.latency_max)
  FROM rollup_hour r JOIN targets t ON t.id = r.target_id
  GROUP BY t.service, r.bucket;
PRAGMA temp_store = MEMORY;
