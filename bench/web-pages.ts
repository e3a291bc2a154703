/**
 * Web pages at national scale (issue 6: "Uptime figures come from rollups so a page answers in ≤ 300 ms with
 * 3,321 communes × 90 days"). Builds a realistic database, builds the real app and times each page, the
 * pieces behind them, and — side by side in the same run — Prometheus answering the equivalent PromQL over
 * the same hourly figures.
 *
 * Data (a temporary SQLite file, schema from the store's own migrations; rows written with SQL in big
 * transactions, which is much faster than ingesting raw results):
 *   - 3,321 communes in 34 provinces (units file), one agent each with a health sample and an inventory;
 *   - 8 targets per commune: the path (path-gateway, path-dns-1, path-uplink, path-datacentre; service
 *     "network") and 4 services (one-stop-shop, civil-status, e-signing, payment); 3 % of communes joined
 *     during the period;
 *   - hour rollups for --hour-days (default 90, i.e. all of it: retention.hourDays defaults to 730) and day
 *     rollups for --days (default 90), 60 probes per hour, failures and latency higher at 8–11 h on working
 *     days (e-signing most), ICMP loss on the ICMP hops. Day rollups and per-service hour rollups are the
 *     sums of the hour rollups;
 *   - NOT generated: raw results beyond the latest one per target (the pages read none; LiveState is seeded
 *     from the latest one) and minute rollups (no page reads them). Both would only make the file bigger;
 *   - incidents: --incidents-per-month (default 5,000) — local-service and commune-network mostly, some
 *     agent-silent, ~20 central-service a month over 100–800 communes each (incident_communes rows) with
 *     local incidents merged into them, 50 still open; an "opened"/"resolved" event each; target states;
 *   - two maintenance windows; --dossiers (default 250,000 ≈ a national year of 1 M, over 90 days).
 *
 * Measured: buildApp (start-up), then each page through app.inject: the first request, then --warm requests
 * with the clock fixed (uptime figures come from WebData's one-minute cache: hits) and --warm with the clock
 * alternating between now and now + 61 s (every request recomputes them: misses) — median, p95, max, HTML
 * bytes; the same over a real HTTP listen on 127.0.0.1 with the browser's Accept-Encoding (brotli), plus raw /
 * gzip / brotli sizes; then the pieces the pages are made of, called directly (uncached).
 * Peer (unless --peer off, or Debian prometheus/promtool missing): the last --peer-days (30) of hour
 * rollups exported as a 1-hour recording-rule series per target (the Prometheus analogue of rollup_hour),
 * backfilled with `promtool tsdb create-blocks-from openmetrics`, queried with the PromQL the dashboards use
 * (avg_over_time … by commune, service) through the HTTP API.
 *
 * Run: npm run bench:web -- [--communes 3321] [--days 90] [--hour-days 90] [--warm 20] [--peer auto|off]
 * Bounded: every timing loop has a count and a time budget (--budget-sec per page), the run a hard deadline;
 * the temporary directory and any child process (promtool, prometheus) are removed in `finally`, also on
 * error or Ctrl+C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  accessSync,
  closeSync,
  constants as fsConstants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../server/config.js';
import { openSqliteStore, type SqliteStore } from '../server/store/sqlite-store.js';
import { LiveState } from '../server/metrics/live-state.js';
import { fleetState } from '../server/web/views/fleet.js';
import { uptimeWindows } from '../server/web/views/uptime-windows.js';
import { uptimeReport } from '../server/outages/uptime-report.js';
import { attributeDossiers } from '../server/dossiers/attribution-report.js';
import { procSample } from './lib/proc.js';

const { values: args } = parseArgs({
  options: {
    communes: { type: 'string', default: '3321' },
    days: { type: 'string', default: '90' },
    'hour-days': { type: 'string', default: '90' },
    'incidents-per-month': { type: 'string', default: '5000' },
    dossiers: { type: 'string', default: '250000' },
    warm: { type: 'string', default: '20' },
    'budget-sec': { type: 'string', default: '90' },
    peer: { type: 'string', default: 'auto' },
    'peer-days': { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const COMMUNES = Number(args.communes);
const DAYS = Number(args.days);
const HOUR_DAYS = Math.min(Number(args['hour-days']), DAYS);
const PER_MONTH = Number(args['incidents-per-month']);
const DOSSIERS = Number(args.dossiers);
const WARM = Number(args.warm);
const BUDGET_MS = Number(args['budget-sec']) * 1000;
const PEER_DAYS = Math.min(Number(args['peer-days']), DAYS);
if (
  !(COMMUNES >= 10 && COMMUNES <= 20_000) ||
  !(DAYS >= 1 && DAYS <= 400) ||
  !(HOUR_DAYS >= 1) ||
  !(WARM >= 1 && WARM <= 1000) ||
  !(PER_MONTH >= 0 && PER_MONTH <= 100_000) ||
  !(DOSSIERS >= 0 && DOSSIERS <= 5_000_000) ||
  !(BUDGET_MS >= 1000) ||
  !(PEER_DAYS >= 1) ||
  !['auto', 'off'].includes(args.peer!)
) {
  throw new Error(
    'bad arguments: --communes 10-20000, --days 1-400, --hour-days ≥ 1, --warm 1-1000, --budget-sec ≥ 1, --peer auto|off, --peer-days ≥ 1',
  );
}
/** Hard deadline for the whole run (data, pages, peer). */
const RUN_DEADLINE = Date.now() + 60 * 60_000;

const H = 3_600_000;
const DAY = 24 * H;
const OFFSET_MIN = 420;
/** A Wednesday, 10:00 in Vietnam: working hours, so "today" has working time in it. */
const NOW = Date.parse('2026-11-25T10:00:00+07:00');
const localMidnight = (t: number) => Math.floor((t + OFFSET_MIN * 60_000) / DAY) * DAY - OFFSET_MIN * 60_000;
const START = localMidnight(NOW) - DAYS * DAY;
const HOUR_FROM = Math.max(START, localMidnight(NOW) - HOUR_DAYS * DAY);

// Deterministic pseudo-random numbers, so two runs measure the same data.
let seed = 42;
const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
/** Log-normal duration with this median (minutes), clamped. */
const duration = (medianMin: number, spread: number, maxMin: number) =>
  Math.round(Math.min(maxMin, Math.max(2, Math.exp(Math.log(medianMin) + spread * gauss()))) * 60_000);

const log = (msg: string) => process.stderr.write(`[bench:web ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });

// ---------------------------------------------------------------------------------------------- the data

interface TargetDef {
  name: string;
  kind: string;
  service: string;
  role: string;
  failPerMille: number;
  latencyMs: number;
  peak: number;
}
const TARGETS: TargetDef[] = [
  { name: 'path-gateway', kind: 'icmp', service: 'network', role: 'gateway', failPerMille: 2, latencyMs: 2, peak: 0 },
  { name: 'path-dns-1', kind: 'dns', service: 'network', role: 'resolver', failPerMille: 4, latencyMs: 25, peak: 0.2 },
  { name: 'path-uplink', kind: 'icmp', service: 'network', role: 'uplink', failPerMille: 6, latencyMs: 18, peak: 0.5 },
  {
    name: 'path-datacentre',
    kind: 'tcp',
    service: 'network',
    role: 'datacentre',
    failPerMille: 5,
    latencyMs: 35,
    peak: 0.5,
  },
  {
    name: 'one-stop-shop',
    kind: 'http',
    service: 'one-stop-shop',
    role: 'service',
    failPerMille: 8,
    latencyMs: 450,
    peak: 0.4,
  },
  {
    name: 'civil-status',
    kind: 'http',
    service: 'civil-status',
    role: 'service',
    failPerMille: 10,
    latencyMs: 650,
    peak: 0.3,
  },
  { name: 'e-signing', kind: 'http', service: 'e-signing', role: 'service', failPerMille: 12, latencyMs: 900, peak: 1 },
  { name: 'payment', kind: 'http', service: 'payment', role: 'service', failPerMille: 6, latencyMs: 500, peak: 0.2 },
];
const PER_COMMUNE = TARGETS.length;
const targetId = (c: number, k: number) => c * PER_COMMUNE + k + 1;
const serviceIndex = (s: string) => TARGETS.findIndex((t) => t.name === s);

const PROVINCES = [
  'Hà Nội',
  'Huế',
  'Lai Châu',
  'Điện Biên',
  'Sơn La',
  'Lạng Sơn',
  'Quảng Ninh',
  'Thanh Hóa',
  'Nghệ An',
  'Hà Tĩnh',
  'Cao Bằng',
  'Tuyên Quang',
  'Lào Cai',
  'Thái Nguyên',
  'Phú Thọ',
  'Bắc Ninh',
  'Hưng Yên',
  'Hải Phòng',
  'Ninh Bình',
  'Quảng Trị',
  'Đà Nẵng',
  'Quảng Ngãi',
  'Gia Lai',
  'Khánh Hòa',
  'Lâm Đồng',
  'Đắk Lắk',
  'Hồ Chí Minh',
  'Đồng Nai',
  'Tây Ninh',
  'Cần Thơ',
  'Vĩnh Long',
  'Đồng Tháp',
  'Cà Mau',
  'An Giang',
];
const SYLLABLES = [
  'An',
  'Bình',
  'Phú',
  'Tân',
  'Hòa',
  'Long',
  'Thạnh',
  'Mỹ',
  'Đông',
  'Tây',
  'Bảo',
  'Hà',
  'Sơn',
  'Lâm',
  'Phước',
  'Thuận',
  'Hưng',
  'Quang',
  'Minh',
  'Trung',
  'Nghĩa',
  'Xuân',
];
const communeCode = (i: number) => String(10_001 + i);
const provinceOf = (i: number) => Math.floor((i * PROVINCES.length) / COMMUNES);

interface Dataset {
  file: string;
  unitsFile: string;
  rows: Record<string, number>;
  phases: Array<[string, number]>;
  /** The commune with the most incidents in the last 30 days (the heaviest commune page). */
  busyCommune: string;
  openIncidents: number;
}

function buildDatabase(dir: string): Dataset {
  const file = join(dir, 'cw.db');
  const phases: Array<[string, number]> = [];
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push([name, (now - t) / 1000]);
    log(`${name}: ${((now - t) / 1000).toFixed(1)} s`);
    t = now;
  };
  // The schema, exactly as the server creates it.
  openSqliteStore({ file, dayOffsetMinutes: OFFSET_MIN }).close();

  // Units: 34 provinces, communes directly under them (two-tier government since 1 July 2025).
  const unitsFile = join(dir, 'units.yaml');
  const provinces = PROVINCES.map((name, p) => ({
    code: String(p + 1).padStart(2, '0'),
    name: `Tỉnh ${name}`,
    communes: [] as Array<{ code: string; name: string }>,
  }));
  for (let c = 0; c < COMMUNES; c++)
    provinces[provinceOf(c)]!.communes.push({ code: communeCode(c), name: `Xã ${pick(SYLLABLES)} ${pick(SYLLABLES)}` });
  writeFileSync(unitsFile, JSON.stringify({ provinces }, null, 1)); // JSON is YAML

  const db = new Database(file);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    db.pragma('temp_store = MEMORY');
    // Rows are written in whatever order is convenient (incidents name agents written later); the
    // references are checked once at the end instead.
    db.pragma('foreign_keys = OFF');
    const rows: Record<string, number> = {};

    // Targets and their generator parameters; 10 % of communes are "bad" (3 × the failures), 3 % joined late.
    const firstSeen: number[] = [];
    const bad: boolean[] = [];
    const insTarget = db.prepare(
      'INSERT INTO targets (id, commune, name, kind, service, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    db.exec(
      `CREATE TEMP TABLE tparams (id INTEGER PRIMARY KEY, first INTEGER NOT NULL, fail INTEGER NOT NULL,
        lat REAL NOT NULL, peak REAL NOT NULL, icmp INTEGER NOT NULL)`,
    );
    const insParams = db.prepare('INSERT INTO temp.tparams VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let c = 0; c < COMMUNES; c++) {
        firstSeen[c] = rnd() < 0.03 ? Math.floor((START + rnd() * 60 * DAY) / H) * H : START;
        bad[c] = rnd() < 0.1;
        TARGETS.forEach((d, k) => {
          insTarget.run(targetId(c, k), communeCode(c), d.name, d.kind, d.service, firstSeen[c]!, NOW - 30_000);
          insParams.run(
            targetId(c, k),
            firstSeen[c]!,
            d.failPerMille * (bad[c] ? 3 : 1),
            d.latencyMs * (0.7 + rnd() * 0.6),
            d.peak,
            d.kind === 'icmp' ? 1 : 0,
          );
        });
      }
    })();
    rows.targets = COMMUNES * PER_COMMUNE;
    phase('targets');

    // Hour rollups, generated inside SQLite in primary-key order (target, bucket); the bucket indexes are
    // dropped first and rebuilt after (a sort instead of 57 M random inserts), with the server's own SQL.
    const indexSql = (name: string) =>
      db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(name) as string;
    const hourIndex = indexSql('rollup_hour_bucket');
    const dayIndex = indexSql('rollup_day_bucket');
    db.exec('DROP INDEX rollup_hour_bucket; DROP INDEX rollup_day_bucket');
    db.exec('CREATE TEMP TABLE hrs (value INTEGER PRIMARY KEY, bucket INTEGER NOT NULL, peak INTEGER NOT NULL)');
    const insHour = db.prepare('INSERT INTO temp.hrs VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let b = HOUR_FROM, i = 0; b < NOW; b += H, i++) {
        const local = new Date(b + OFFSET_MIN * 60_000);
        const working = local.getUTCDay() >= 1 && local.getUTCDay() <= 5;
        insHour.run(i, b, working && local.getUTCHours() >= 8 && local.getUTCHours() < 11 ? 1 : 0);
      }
    })();
    // Pseudo-random per (target, hour) from a hash (not random(): SQLite may evaluate a flattened
    // subquery's column more than once, and ok_count must equal latency_count).
    db.exec(`INSERT INTO rollup_hour
        (target_id, bucket, count, ok_count, latency_count, latency_sum, latency_min, latency_max, loss_sum, loss_count)
      SELECT id, bucket, 60, ok, ok, ok * lat, lat * 0.55, lat * (2 + 2 * pk),
        CASE WHEN icmp = 1 THEN 60 * (r3 % 25) / 1000.0 ELSE 0.0 END, CASE WHEN icmp = 1 THEN 60 ELSE 0 END
      FROM (SELECT id, bucket, icmp, pk, r3, 60 - CASE WHEN r1 < fail * (1 + 3 * pk) THEN 1 + r2 % 12 ELSE 0 END AS ok,
          lat0 * (1 + 2 * pk) * (0.8 + r3 / 2500.0) AS lat
        FROM (SELECT id, bucket, icmp, pk, fail, lat0, x % 1000 AS r1, (x / 1000) % 1000 AS r2, (x / 1000000) % 1000 AS r3
          FROM (SELECT p.id AS id, h.bucket AS bucket, p.icmp AS icmp, h.peak * p.peak AS pk, p.fail AS fail, p.lat AS lat0,
              ((p.id * 73856093) | (h.value * 19349663 + 7)) - ((p.id * 73856093) & (h.value * 19349663 + 7)) AS x
            FROM temp.tparams p CROSS JOIN temp.hrs h WHERE h.bucket >= p.first)))`);
    rows.rollup_hour = db.prepare('SELECT count(*) FROM rollup_hour').pluck().get() as number;
    phase(`hour rollups (${fmt(rows.rollup_hour)} rows)`);

    // Day rollups: sums of the hour rollups where those exist, generated before that.
    db.exec('CREATE TEMP TABLE dys (value INTEGER PRIMARY KEY)');
    const insDay = db.prepare('INSERT INTO temp.dys VALUES (?)');
    db.transaction(() => {
      for (let d = START; d < NOW; d += DAY) insDay.run(d);
    })();
    db.exec(`INSERT INTO rollup_day
        (target_id, bucket, count, ok_count, latency_count, latency_sum, latency_min, latency_max, loss_sum, loss_count)
      SELECT p.id, d.value, sum(r.count), sum(r.ok_count), sum(r.latency_count), sum(r.latency_sum),
        min(r.latency_min), max(r.latency_max), sum(r.loss_sum), sum(r.loss_count)
      FROM temp.tparams p CROSS JOIN temp.dys d CROSS JOIN rollup_hour r
      WHERE d.value >= ${HOUR_FROM} AND r.target_id = p.id AND r.bucket >= d.value AND r.bucket < d.value + ${DAY}
      GROUP BY p.id, d.value`);
    if (HOUR_FROM > START) {
      db.exec(`INSERT INTO rollup_day
          (target_id, bucket, count, ok_count, latency_count, latency_sum, latency_min, latency_max, loss_sum, loss_count)
        SELECT id, bucket, 1440, ok, ok, ok * lat, lat * 0.5, lat * 4,
          CASE WHEN icmp = 1 THEN 1440 * (r3 % 25) / 1000.0 ELSE 0.0 END, CASE WHEN icmp = 1 THEN 1440 ELSE 0 END
        FROM (SELECT id, bucket, icmp, r3, 1440 - CASE WHEN r1 < fail * 12 THEN r2 % 60 ELSE 0 END AS ok, lat0 * (1.1 + r3 / 2500.0) AS lat
          FROM (SELECT id, bucket, icmp, fail, lat0, x % 1000 AS r1, (x / 1000) % 1000 AS r2, (x / 1000000) % 1000 AS r3
            FROM (SELECT p.id AS id, d.value AS bucket, p.icmp AS icmp, p.fail AS fail, p.lat AS lat0,
                ((p.id * 73856093) | (d.value / ${H} * 19349663 + 7)) - ((p.id * 73856093) & (d.value / ${H} * 19349663 + 7)) AS x
              FROM temp.tparams p CROSS JOIN temp.dys d WHERE d.value < ${HOUR_FROM} AND d.value + ${DAY} > p.first)))`);
    }
    rows.rollup_day = db.prepare('SELECT count(*) FROM rollup_day').pluck().get() as number;
    phase(`day rollups (${fmt(rows.rollup_day)} rows)`);
    db.exec(hourIndex);
    db.exec(dayIndex);
    phase('rollup bucket indexes rebuilt');
    // Per-service hour rollups (migration 011): the sums of the hour rollups, as that migration backfills them
    // and ingest folds them (the schema was created before the hour rollups existed, so it is empty). Summed
    // 1,000 targets at a time: one GROUP BY over all 57 M rows sorts them all at once (≈ 200 s here).
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rollup_service_hour'").get()) {
      const fold =
        db.prepare(`INSERT INTO rollup_service_hour (service, bucket, count, ok_count, latency_count, latency_sum, latency_max)
        SELECT t.service, r.bucket, sum(r.count), sum(r.ok_count), sum(r.latency_count), sum(r.latency_sum), max(r.latency_max)
        FROM targets t CROSS JOIN rollup_hour r ON r.target_id = t.id WHERE t.id >= ? AND t.id < ? GROUP BY t.service, r.bucket
        ON CONFLICT (service, bucket) DO UPDATE SET count = count + excluded.count, ok_count = ok_count + excluded.ok_count,
          latency_count = latency_count + excluded.latency_count, latency_sum = latency_sum + excluded.latency_sum,
          latency_max = coalesce(max(latency_max, excluded.latency_max), latency_max, excluded.latency_max)`);
      db.transaction(() => {
        for (let first = 1; first <= COMMUNES * PER_COMMUNE; first += 1000) fold.run(first, first + 1000);
      })();
      rows.rollup_service_hour = db.prepare('SELECT count(*) FROM rollup_service_hour').pluck().get() as number;
      phase(`per-service hour rollups (${fmt(rows.rollup_service_hour)} rows)`);
    }

    // Incidents.
    const incidents = generateIncidents(db, firstSeen, bad);
    Object.assign(rows, incidents.rows);
    phase(`incidents (${fmt(incidents.rows.incidents!)}, ${incidents.open} open)`);

    // Agents, their PC health and inventory, the latest result per target, target states.
    generateFleet(db, incidents.openByTarget, incidents.openNetwork, incidents.openSilent);
    rows.agents = COMMUNES;
    rows.results = COMMUNES * PER_COMMUNE;
    rows.health_samples = COMMUNES;
    rows.inventory_docs = COMMUNES;
    rows.target_states = COMMUNES * PER_COMMUNE;
    phase('agents, health, inventory, latest results, target states');

    // Maintenance windows: weekly payment maintenance (Sunday 22–24 h), one afternoon of civil status in a province.
    const insSilence =
      db.prepare(`INSERT INTO silences (kind, matchers, starts_at, ends_at, weekdays, from_min, to_min, comment, created_by, created_at)
      VALUES ('maintenance', ?, ?, ?, ?, ?, ?, ?, 'it-lead', ?)`);
    insSilence.run(
      JSON.stringify({ service: ['payment'] }),
      START,
      NOW + 365 * DAY,
      JSON.stringify([7]),
      22 * 60,
      24 * 60,
      'Bảo trì cổng thanh toán hằng tuần',
      START,
    );
    const civil = localMidnight(NOW) - 12 * DAY + 13 * H;
    insSilence.run(
      JSON.stringify({ service: ['civil-status'], province: ['05'] }),
      civil,
      civil + 4 * H,
      null,
      null,
      null,
      'Nâng cấp phần mềm hộ tịch',
      civil - DAY,
    );
    rows.silences = 2;

    rows.dossiers = generateDossiers(db);
    phase(`dossiers (${fmt(rows.dossiers)})`);

    for (const table of [
      'incidents',
      'incident_communes',
      'incident_events',
      'results',
      'target_states',
      'health_samples',
      'inventory_docs',
    ]) {
      const broken = db.prepare(`PRAGMA foreign_key_check(${table})`).all();
      if (broken.length > 0)
        throw new Error(
          `generated ${table} rows break ${broken.length} foreign keys, e.g. ${JSON.stringify(broken[0])}`,
        );
    }
    // What the server's periodic `PRAGMA optimize` (hourly, after retention) leaves: planner statistics.
    db.exec('PRAGMA analysis_limit = 1000; ANALYZE;');
    phase('ANALYZE (as the hourly PRAGMA optimize would)');
    return { file, unitsFile, rows, phases, busyCommune: incidents.busyCommune, openIncidents: incidents.open };
  } finally {
    db.close();
  }
}

interface IncidentData {
  rows: Record<string, number>;
  open: number;
  /** Open local-service incidents by target id. */
  openByTarget: Map<number, number>;
  /** Communes (index) with an open commune-network incident → incident id. */
  openNetwork: Map<number, number>;
  /** Communes (index) with an open agent-silent incident → start. */
  openSilent: Map<number, number>;
  busyCommune: string;
}

function generateIncidents(db: Database.Database, firstSeen: number[], bad: boolean[]): IncidentData {
  const insInc =
    db.prepare(`INSERT INTO incidents (id, scope, cause, severity, service, commune, target_id, agent_id, layer,
      started_at, ended_at, merged_into, acknowledged_at, acknowledged_by, created_at, updated_at)
    VALUES (@id, @scope, @cause, @severity, @service, @commune, @targetId, @agentId, @layer,
      @start, @end, @mergedInto, @ackAt, @ackBy, @start, @updated)`);
  const insComm = db.prepare(
    'INSERT INTO incident_communes (incident_id, commune, started_at, ended_at) VALUES (?, ?, ?, ?)',
  );
  const insEvent = db.prepare(
    "INSERT INTO incident_events (incident_id, at, kind, actor, detail) VALUES (?, ?, ?, 'engine', '{}')",
  );
  let id = 0;
  let events = 0;
  let communeRows = 0;
  const recent = new Map<number, number>();
  const openByTarget = new Map<number, number>();
  const openNetwork = new Map<number, number>();
  const openSilent = new Map<number, number>();
  // Incident-prone communes: the "bad" tenth gets 3 × the share.
  const weighted: number[] = [];
  for (let c = 0; c < COMMUNES; c++) for (let k = 0; k < (bad[c] ? 3 : 1); k++) weighted.push(c);
  const serviceWeights = [
    'one-stop-shop',
    'one-stop-shop',
    'one-stop-shop',
    'civil-status',
    'civil-status',
    'civil-status',
    'e-signing',
    'e-signing',
    'payment',
    'payment',
  ] as const;
  /** A start time in [from, NOW − margin): working hours with probability `office`. */
  const startIn = (from: number, office: number, margin: number) => {
    for (let tries = 0; tries < 20; tries++) {
      const day = localMidnight(from) + Math.floor(rnd() * Math.ceil((NOW - from) / DAY)) * DAY;
      const s = Math.round(day + (rnd() < office ? 7.5 + rnd() * 9.5 : rnd() * 24) * H);
      if (s >= from && s < NOW - margin) return s;
    }
    return NOW - margin - H;
  };
  const add = (i: {
    scope: 'local' | 'central';
    cause: string;
    severity: string;
    service: string | null;
    c: number | null;
    targetId: number | null;
    layer: string | null;
    start: number;
    end: number | null;
    mergedInto?: number;
  }) => {
    id++;
    const ack = i.end !== null && rnd() < 0.3;
    insInc.run({
      id,
      scope: i.scope,
      cause: i.cause,
      severity: i.severity,
      service: i.service,
      commune: i.c === null ? null : communeCode(i.c),
      targetId: i.targetId,
      agentId: i.cause === 'agent-silent' && i.c !== null ? i.c + 1 : null,
      layer: i.layer,
      start: i.start,
      end: i.end,
      mergedInto: i.mergedInto ?? null,
      ackAt: ack ? i.start + 20 * 60_000 : null,
      ackBy: ack ? 'it-lead' : null,
      updated: i.end ?? i.start,
    });
    insEvent.run(id, i.start, 'opened');
    events++;
    if (i.end !== null) {
      insEvent.run(id, i.end, 'resolved');
      events++;
    }
    if (i.c !== null && i.start >= NOW - 30 * DAY) recent.set(i.c, (recent.get(i.c) ?? 0) + 1);
    return id;
  };
  const total = Math.round((PER_MONTH * DAYS) / 30);
  const centralCount = Math.round((20 * DAYS) / 30);
  const local = (
    c: number,
    cause: string,
    start: number,
    end: number | null,
    service?: string,
    mergedInto?: number,
  ) => {
    if (cause === 'local-service') {
      const s = service ?? pick(serviceWeights);
      const degraded = rnd() < 0.2;
      return add({
        scope: 'local',
        cause,
        severity: degraded ? 'degraded' : 'down',
        service: s,
        c,
        targetId: targetId(c, serviceIndex(s)),
        layer: degraded ? 'slow' : pick(['service', 'service', 'service', 'tls']),
        start,
        end,
        mergedInto,
      });
    }
    if (cause === 'commune-network') {
      return add({
        scope: 'local',
        cause,
        severity: rnd() < 0.9 ? 'down' : 'degraded',
        service: null,
        c,
        targetId: targetId(c, pick([0, 2, 2, 2, 1])),
        layer: pick(['uplink', 'uplink', 'lan', 'dns']),
        start,
        end,
      });
    }
    return add({ scope: 'local', cause, severity: 'down', service: null, c, targetId: null, layer: null, start, end });
  };
  let n = 0;
  db.transaction(() => {
    // Central incidents over a run of communes (a province or a few), each commune with its own span, and
    // some of the communes' own local incidents merged into them.
    for (let k = 0; k < centralCount; k++) {
      const start = startIn(START, 0.7, 6 * H);
      const end = Math.min(NOW - 10 * 60_000, start + duration(90, 0.9, 2 * DAY));
      const service = pick(serviceWeights);
      const cid = add({
        scope: 'central',
        cause: 'central-service',
        severity: 'down',
        service,
        c: null,
        targetId: null,
        layer: 'service',
        start,
        end,
      });
      const size = Math.min(COMMUNES, 100 + Math.floor(rnd() * 700));
      const first = Math.floor(rnd() * COMMUNES);
      for (let j = 0; j < size; j++) {
        const c = (first + j) % COMMUNES;
        if (firstSeen[c]! > start) continue;
        const cs = start + Math.floor(rnd() * 5 * 60_000);
        const ce = Math.max(cs + 60_000, end - Math.floor(rnd() * 10 * 60_000));
        insComm.run(cid, communeCode(c), cs, ce);
        communeRows++;
        recent.set(c, (recent.get(c) ?? 0) + (start >= NOW - 30 * DAY ? 1 : 0));
        if (rnd() < 0.05) {
          local(c, 'local-service', cs, ce, service, cid);
          n++;
        }
      }
      n++;
    }
    // Local incidents.
    while (n < total) {
      const c = pick(weighted);
      const r = rnd();
      const cause = r < 0.56 ? 'local-service' : r < 0.88 ? 'commune-network' : 'agent-silent';
      const from = Math.max(firstSeen[c]!, START);
      const start = startIn(
        from,
        cause === 'local-service' ? 0.7 : cause === 'commune-network' ? 0.5 : 0.2,
        30 * 60_000,
      );
      const len =
        cause === 'local-service'
          ? duration(15, 1.3, 3 * DAY)
          : cause === 'commune-network'
            ? duration(40, 1.2, 2 * DAY)
            : duration(180, 0.8, 3 * DAY);
      local(c, cause, start, Math.min(NOW - 5 * 60_000, start + len));
      n++;
    }
    // Open now: 30 local-service, 12 commune-network, 6 agent-silent, 2 central over ~200 communes each.
    const used = new Set<number>();
    const freshCommune = () => {
      for (;;) {
        const c = Math.floor(rnd() * COMMUNES);
        if (!used.has(c)) {
          used.add(c);
          return c;
        }
      }
    };
    for (let k = 0; k < 30; k++) {
      const c = freshCommune();
      const s = pick(serviceWeights);
      openByTarget.set(
        targetId(c, serviceIndex(s)),
        local(c, 'local-service', NOW - duration(60, 1, 30 * 60), null, s),
      );
    }
    for (let k = 0; k < 12; k++) {
      const c = freshCommune();
      openNetwork.set(c, local(c, 'commune-network', NOW - duration(90, 1, 30 * 60), null));
    }
    for (let k = 0; k < 6; k++) {
      const c = freshCommune();
      const start = NOW - duration(600, 0.5, 30 * 60);
      local(c, 'agent-silent', start, null);
      openSilent.set(c, start);
    }
    for (let k = 0; k < 2; k++) {
      const start = NOW - duration(45, 0.5, 5 * 60);
      const service = k === 0 ? 'e-signing' : 'civil-status';
      const cid = add({
        scope: 'central',
        cause: 'central-service',
        severity: 'down',
        service,
        c: null,
        targetId: null,
        layer: 'service',
        start,
        end: null,
      });
      const first = Math.floor(rnd() * COMMUNES);
      for (let j = 0; j < Math.min(200, COMMUNES); j++) {
        const c = (first + j) % COMMUNES;
        insComm.run(cid, communeCode(c), start + Math.floor(rnd() * 3 * 60_000), null);
        communeRows++;
      }
    }
  })();
  let busy = 0;
  for (const [c, count] of recent) if (count > (recent.get(busy) ?? 0)) busy = c;
  return {
    rows: { incidents: id, incident_communes: communeRows, incident_events: events },
    open: 50,
    openByTarget,
    openNetwork,
    openSilent,
    busyCommune: communeCode(busy),
  };
}

function generateFleet(
  db: Database.Database,
  openByTarget: Map<number, number>,
  openNetwork: Map<number, number>,
  openSilent: Map<number, number>,
): void {
  const insAgent =
    db.prepare(`INSERT INTO agents (id, commune, name, token_lookup, token_hash, created_at, last_push_at, last_skew_ms,
      last_status, max_seq, results_received)
    VALUES (?, ?, 'may-mot-cua', ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insResult =
    db.prepare(`INSERT INTO results (target_id, ts, result_id, seq, agent_id, agent_ts, received_at, ok, duration_ms, latency_ms,
      error_code, error_message, detail, role, layer, blame, link)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`);
  const insState = db.prepare(
    `INSERT INTO target_states (target_id, state, since, last_ts, incident_id, machine) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insHealth =
    db.prepare(`INSERT INTO health_samples (record_id, agent_id, commune, seq, ts, agent_ts, received_at, cpu_load_pct,
      mem_total_bytes, mem_available_bytes, uptime_sec, clock_offset_ms, min_disk_free_ratio, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insInventory =
    db.prepare(`INSERT INTO inventory_docs (record_id, agent_id, commune, seq, ts, agent_ts, received_at, hostname, model, os,
      mem_total_bytes, smartcard_readers, signing_tokens, scanners, printers, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const GIB = 1024 ** 3;
  const models = [
    ['Dell Inc.', 'OptiPlex 3020'],
    ['HP', 'ProDesk 400 G4'],
    ['Lenovo', 'ThinkCentre M710s'],
    ['FPT Elead', 'T7600'],
    ['Dell Inc.', 'Vostro 3670'],
  ] as const;
  const oses = [
    ['Microsoft Windows 10 Pro', '10.0.19045'],
    ['Microsoft Windows 11 Pro', '10.0.22631'],
    ['Microsoft Windows 7 Professional', '6.1.7601'],
    ['Microsoft Windows 10 Pro', '10.0.19045'],
  ] as const;
  db.transaction(() => {
    for (let c = 0; c < COMMUNES; c++) {
      const code = communeCode(c);
      const agentId = c + 1;
      const silentSince = openSilent.get(c);
      const pushAt = silentSince ?? NOW - Math.floor(rnd() * 30_000);
      const seq = 200_000 + Math.floor(rnd() * 50_000);
      insAgent.run(
        agentId,
        code,
        `lk${String(agentId).padStart(10, '0')}`,
        'f'.repeat(64),
        START - 30 * DAY,
        pushAt,
        Math.round(gauss() * 400),
        JSON.stringify({
          version: '0.1.0',
          hostname: `MOTCUA-${code}`,
          outboxPending: silentSince ? 0 : Math.floor(rnd() * 3),
          outboxDroppedTotal: 0,
          probeIntervalSec: 60,
        }),
        seq,
        seq,
      );
      const network = openNetwork.get(c);
      TARGETS.forEach((d, k) => {
        const tid = targetId(c, k);
        const ts = silentSince !== undefined ? silentSince - 60_000 : NOW - Math.floor(rnd() * 60_000);
        const localIncident = openByTarget.get(tid);
        const netDown = network !== undefined && k >= 1;
        const ok = localIncident === undefined && !netDown;
        const latency = ok ? d.latencyMs * (0.7 + rnd() * 0.6) : null;
        const detail =
          d.kind === 'http'
            ? {
                http: {
                  statusCode: ok ? 200 : 503,
                  phases: { totalMs: latency ?? 10_000 },
                  certExpiresAt: NOW + (20 + Math.floor(rnd() * 300)) * DAY,
                  tlsVersion: 'TLSv1.3',
                },
              }
            : d.kind === 'icmp'
              ? {
                  icmp: {
                    sent: 5,
                    received: ok ? 5 : 0,
                    lossRatio: ok ? 0 : 1,
                    ...(latency !== null && { rttAvgMs: latency, rttMinMs: latency * 0.8, rttMaxMs: latency * 1.5 }),
                  },
                }
              : d.kind === 'dns'
                ? { dns: { answers: ok ? ['10.0.0.1'] : [], ...(latency !== null && { resolveMs: latency }) } }
                : { tcp: { ...(latency !== null && { connectMs: latency }) } };
        insResult.run(
          tid,
          ts,
          `r-${tid}-${seq}`,
          seq - k,
          agentId,
          ts,
          ts + 300,
          ok ? 1 : 0,
          latency ?? 10_000,
          latency,
          ok ? null : netDown ? 'ETIMEDOUT' : 'HTTP_STATUS',
          ok ? null : netDown ? 'timeout' : 'status 503',
          JSON.stringify(detail),
          d.role,
          ok ? null : netDown ? 'uplink' : 'service',
        );
        const incident = localIncident ?? (netDown && k === 2 ? network : undefined);
        insState.run(
          tid,
          ok ? 'up' : 'down',
          ok ? START : ts - 5 * 60_000,
          ts,
          incident ?? null,
          JSON.stringify({ state: ok ? 'up' : 'down', since: ok ? START : ts - 5 * 60_000, lastTs: ts }),
        );
      });
      const mem = pick([2, 4, 4, 8, 8, 8, 16]) * GIB;
      const disk = 256 * 1e9;
      const free = disk * (rnd() < 0.08 ? rnd() * 0.08 : 0.1 + rnd() * 0.6);
      const healthTs = pushAt - Math.floor(rnd() * 300_000);
      const health = {
        id: `h-${agentId}-${seq}`,
        seq,
        ts: healthTs,
        agentTs: healthTs,
        cpuLoadPct: Math.round(rnd() * 60),
        memTotalBytes: mem,
        memAvailableBytes: Math.round(mem * (0.1 + rnd() * 0.5)),
        disks: [{ mount: 'C:', fsType: 'NTFS', sizeBytes: disk, freeBytes: Math.round(free) }],
        uptimeSec: Math.round(rnd() * 9 * 3600),
        clockOffsetMs: Math.round(gauss() * 400),
        ifaces: [
          {
            iface: 'Ethernet',
            rxErrors: 0,
            txErrors: 0,
            rxDropped: Math.floor(rnd() * 20),
            txDropped: 0,
            operstate: 'up',
          },
        ],
      };
      insHealth.run(
        health.id,
        agentId,
        code,
        seq,
        healthTs,
        healthTs,
        healthTs + 300,
        health.cpuLoadPct,
        mem,
        health.memAvailableBytes,
        health.uptimeSec,
        health.clockOffsetMs,
        free / disk,
        JSON.stringify(health),
      );
      const [manufacturer, model] = pick(models);
      const [distro, release] = pick(oses);
      const readers = rnd() < 0.15 ? 0 : 1;
      const scanners = rnd() < 0.2 ? 0 : 1;
      const invTs = NOW - Math.floor(rnd() * DAY);
      const inventory = {
        id: `i-${agentId}-${seq}`,
        seq: seq - 10,
        ts: invTs,
        agentTs: invTs,
        hostname: `MOTCUA-${code}`,
        system: { manufacturer, model },
        cpu: { brand: 'Intel(R) Core(TM) i3-4150 CPU @ 3.50GHz', cores: 4, physicalCores: 2, speedGHz: 3.5 },
        memTotalBytes: mem,
        disks: [{ type: 'HD', sizeBytes: disk, name: 'ST500DM002' }],
        os: { platform: 'win32', distro, release, arch: 'x64' },
        usb: [
          ...(readers
            ? [{ name: 'ACS ACR39U ICC Reader', class: 'smartcard-reader', vendorId: '072f', productId: 'b100' }]
            : []),
          { name: 'ePass2003', class: 'signing-token', vendorId: '096e', productId: '0807' },
          ...(scanners ? [{ name: 'Canon LiDE 300', class: 'scanner' }] : []),
        ],
        printers: [{ name: 'Canon LBP2900', local: true, default: true }],
        counts: { smartcardReaders: readers, signingTokens: 1, scanners, printers: 1 },
      };
      insInventory.run(
        inventory.id,
        agentId,
        code,
        inventory.seq,
        invTs,
        invTs,
        invTs + 300,
        inventory.hostname,
        `${manufacturer} ${model}`,
        `${distro} ${release}`,
        mem,
        readers,
        1,
        scanners,
        1,
        JSON.stringify(inventory),
      );
    }
  })();
}

function generateDossiers(db: Database.Database): number {
  if (DOSSIERS === 0) return 0;
  const insert =
    db.prepare(`INSERT INTO dossiers (source, code, procedure_code, procedure_name, field, commune, channel,
      received_at, due_at, finished_at, first_handled_at, status, import_id, updated_at)
    VALUES ('bench', ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0)`);
  const fields = [
    ['Hộ tịch', 'Đăng ký khai sinh'],
    ['Chứng thực', 'Chứng thực bản sao'],
    ['Đất đai', 'Đăng ký biến động'],
    ['Tư pháp', 'Cấp phiếu lý lịch'],
  ] as const;
  db.transaction(() => {
    for (let i = 0; i < DOSSIERS; i++) {
      const received = Math.round(START + Math.floor(rnd() * DAYS) * DAY + (7.5 + rnd() * 9) * H);
      const due = received + (1 + Math.floor(rnd() * 10)) * DAY;
      const r = rnd();
      let finished: number | null =
        r < 0.03 ? null : Math.round(r < 0.11 ? due + rnd() * 3 * DAY : received + rnd() * (due - received));
      if (finished !== null && finished > NOW) finished = null;
      const [field, name] = pick(fields);
      insert.run(
        `HS${i}`,
        name,
        field,
        communeCode(i % COMMUNES),
        rnd() < 0.4 ? 'online' : 'direct',
        received,
        due,
        finished,
        rnd() < 0.3 ? Math.round(received + rnd() * DAY) : null,
      );
    }
  })();
  return DOSSIERS;
}

// ---------------------------------------------------------------------------------------------- timing

interface Timed<T> {
  first: number;
  warm: number[];
  last: T;
}

/** The first call, then up to `n` more within the time budget. */
async function timeIt<T>(fn: () => T | Promise<T>, n = WARM, budgetMs = BUDGET_MS): Promise<Timed<T>> {
  let t = performance.now();
  let last = await fn();
  const first = performance.now() - t;
  const warm: number[] = [];
  const began = performance.now();
  for (let i = 0; i < n; i++) {
    if (performance.now() - began > budgetMs || Date.now() > RUN_DEADLINE) break;
    t = performance.now();
    last = await fn();
    warm.push(performance.now() - t);
  }
  return { first, warm, last };
}

function stats(xs: number[]): { median: number; p95: number; max: number } {
  if (xs.length === 0) return { median: NaN, p95: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return {
    median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2,
    p95: s[Math.ceil(0.95 * s.length) - 1]!,
    max: s[s.length - 1]!,
  };
}

const ms = (x: number) => (Number.isNaN(x) ? '–' : x >= 100 ? fmt(x) : x >= 10 ? fmt(x, 1) : fmt(x, 2));
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
/** All the samples of a series whose every request was a cache miss (its first included). */
const allOf = (t: Timed<unknown>) => [t.first, ...t.warm];
/** Against the issue's goal, by the median of the slower of the two warm series. */
const goal = (hit: Timed<unknown>, miss: Timed<unknown>) => {
  const m = Math.max(stats(hit.warm).median, stats(allOf(miss)).median);
  return m <= 300 ? 'yes' : `no (${fmt(m / 300, 1)} ×)`;
};
const missCells = (t: Timed<unknown>) => {
  const s = stats(allOf(t));
  return `**${ms(s.median)}** | ${ms(s.p95)} | ${ms(s.max)} | ${allOf(t).length}`;
};
const timingCells = (t: Timed<unknown>) => {
  const s = stats(t.warm);
  return `${ms(t.first)} | **${ms(s.median)}** | ${ms(s.p95)} | ${ms(s.max)} | ${t.warm.length}`;
};

interface HttpAnswer {
  status: number;
  bytes: number;
  encoding: string;
  ms: number;
  body: Buffer;
}

const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });

function httpGet(
  port: number,
  path: string,
  headers: Record<string, string>,
  timeoutMs = 120_000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: keepAlive, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          bytes: body.length,
          encoding: String(res.headers['content-encoding'] ?? 'identity'),
          ms: performance.now() - t0,
          body,
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

// ---------------------------------------------------------------------------------------------- the peer

const children = new Set<ChildProcess>();

function startChild(file: string, argv: string[], name: string): { child: ChildProcess; tail: () => string } {
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.on('error', (err) => log(`${name}: ${err.message}`));
  return { child, tail: () => tail };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), fsConstants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

const PEER_METRIC = 'communewatch:probe_success:avg_over_time_1h';

interface PeerResult {
  version: string;
  samples: number;
  series: number;
  exportSec: number;
  backfillSec: number;
  omBytes: number;
  tsdbBytes: number;
  startSec: number;
  queries: Array<{ label: string; promql: string; timed: Timed<HttpAnswer>; series: number }>;
  maxAbsDiff: number;
  rssMiB: number;
}

function dirBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

async function runPeer(store: SqliteStore, dir: string, ours: Map<string, number>): Promise<PeerResult | string> {
  const prometheus = onPath('prometheus');
  const promtool = onPath('promtool');
  if (!prometheus || !promtool) return 'Debian prometheus/promtool not found on PATH';
  const from = NOW - PEER_DAYS * DAY;
  // 1. Export: one sample per target and hour, the hour's success ratio at the hour's end — what a recording
  //    rule `avg_over_time(communewatch_probe_success[1h])` evaluated hourly would hold. Labels as /metrics
  //    gives them, plus the job and instance Prometheus adds.
  let t = performance.now();
  const omFile = join(dir, 'peer.om');
  const fd = openSync(omFile, 'w');
  let samples = 0;
  let series = 0;
  try {
    writeSync(
      fd,
      `# HELP ${PEER_METRIC} Share of successful probe rounds over the hour\n# TYPE ${PEER_METRIC} gauge\n`,
    );
    const rows = store.db
      .prepare(`SELECT t.id, t.commune, t.name, t.kind, t.service, r.bucket, r.count, r.ok_count FROM targets t CROSS JOIN rollup_hour r
      WHERE r.target_id = t.id AND r.bucket >= ? AND r.bucket < ? ORDER BY t.id, r.bucket`)
      .raw()
      .iterate(from, NOW) as IterableIterator<[number, string, string, string, string, number, number, number]>;
    let chunk = '';
    let lastId = -1;
    let labels = '';
    for (const [id, commune, name, kind, service, bucket, count, ok] of rows) {
      if (id !== lastId) {
        labels =
          `${PEER_METRIC}{job="communewatch",instance="cw-server:8080",` +
          `commune="${commune}",service="${service}",target="${name}",kind="${kind}"}`;
        lastId = id;
        series++;
      }
      chunk += `${labels} ${count > 0 ? ok / count : 0} ${(bucket + H) / 1000}\n`;
      samples++;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, `${chunk}# EOF\n`);
  } finally {
    closeSync(fd);
  }
  const omBytes = statSync(omFile).size;
  const exportSec = (performance.now() - t) / 1000;
  log(
    `peer: exported ${fmt(samples)} samples of ${fmt(series)} series (${fmt(omBytes / 1e6)} MB) in ${exportSec.toFixed(1)} s`,
  );

  // 2. Backfill. Blocks up to 31 days, so promtool reads the input once per block rather than once per 2 h.
  t = performance.now();
  const tsdb = join(dir, 'prometheus-data');
  mkdirSync(tsdb);
  const backfill = startChild(
    promtool,
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=744h', '-q', omFile, tsdb],
    'promtool',
  );
  const backfillDeadline = setTimeout(
    () => backfill.child.kill('SIGKILL'),
    Math.max(1000, Math.min(20 * 60_000, RUN_DEADLINE - Date.now())),
  );
  const [code] = (await once(backfill.child, 'exit')) as [number | null];
  clearTimeout(backfillDeadline);
  if (code !== 0) return `promtool failed (${code}): ${backfill.tail()}`;
  const backfillSec = (performance.now() - t) / 1000;
  rmSync(omFile, { force: true });
  const tsdbBytes = dirBytes(tsdb);
  log(`peer: promtool backfill ${backfillSec.toFixed(1)} s, TSDB ${fmt(tsdbBytes / 1e6)} MB`);

  // 3. Prometheus on the backfilled TSDB, nothing to scrape.
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await unusedPort();
  t = performance.now();
  const prom = startChild(
    prometheus,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${tsdb}`,
      '--storage.tsdb.retention.time=3650d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    'prometheus',
  );
  try {
    const readyBy = Date.now() + 120_000;
    for (;;) {
      const ready = await httpGet(port, '/-/ready', {}, 5000).catch(() => undefined);
      if (ready?.status === 200) break;
      if (prom.child.exitCode !== null) return `prometheus exited: ${prom.tail()}`;
      if (Date.now() > readyBy) return `prometheus not ready after 120 s: ${prom.tail()}`;
      await sleep(200);
    }
    const startSec = (performance.now() - t) / 1000;
    // Wait (bounded) until start-up work such as compaction is over: < 20 ms of CPU in 2 s.
    const pid = prom.child.pid!;
    const idleBy = Date.now() + 120_000;
    for (let prev = procSample(pid).cpuSec; Date.now() < idleBy; ) {
      await sleep(2000);
      const cpu = procSample(pid).cpuSec;
      if (cpu - prev < 0.02) break;
      prev = cpu;
    }
    const version =
      (await httpGet(port, '/api/v1/status/buildinfo', {})).body.toString().match(/"version":"([^"]+)"/)?.[1] ?? '?';
    const time = NOW / 1000;
    const headers = { 'accept-encoding': 'gzip' };
    const queries: PeerResult['queries'] = [];
    let maxAbsDiff = NaN;
    for (const [label, promql] of [
      [
        `uptime per commune × service, ${PEER_DAYS} d (overview grid)`,
        `avg by (commune, service) (avg_over_time(${PEER_METRIC}[${PEER_DAYS}d]))`,
      ],
      [
        `uptime per commune for one service, ${PEER_DAYS} d (service page)`,
        `avg by (commune) (avg_over_time(${PEER_METRIC}{service="one-stop-shop"}[${PEER_DAYS}d]))`,
      ],
      [
        `uptime per service, ${PEER_DAYS} d (overview service table)`,
        `avg by (service) (avg_over_time(${PEER_METRIC}[${PEER_DAYS}d]))`,
      ],
    ] as const) {
      const path = `/api/v1/query?${new URLSearchParams({ query: promql, time: String(time) }).toString()}`;
      const timed = await timeIt(async () => {
        const a = await httpGet(port, path, headers);
        if (a.status !== 200) throw new Error(`prometheus answered ${a.status} to ${promql}`);
        return a;
      });
      const body = await httpGet(port, path, {});
      const parsed = JSON.parse(body.body.toString()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      queries.push({ label, promql, timed, series: parsed.data.result.length });
      if (queries.length === 1) {
        // The same numbers as ours from the same hour rollups?
        maxAbsDiff = parsed.data.result.length === ours.size ? 0 : Infinity;
        for (const r of parsed.data.result) {
          const mine = ours.get(`${r.metric.commune}\u0000${r.metric.service}`);
          maxAbsDiff = Math.max(maxAbsDiff, mine === undefined ? Infinity : Math.abs(mine - Number(r.value[1])));
        }
      }
    }
    const rssMiB = procSample(pid).rssMiB;
    return {
      version,
      samples,
      series,
      exportSec,
      backfillSec,
      omBytes,
      tsdbBytes,
      startSec,
      queries,
      maxAbsDiff,
      rssMiB,
    };
  } finally {
    await stopChild(prom.child);
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main(dir: string): Promise<void> {
  const out: string[] = [];
  const t0 = performance.now();
  const data = buildDatabase(dir);
  const buildSec = (performance.now() - t0) / 1000;
  const dbBytes = statSync(data.file).size;
  log(`database ready: ${fmt(dbBytes / 1e9, 2)} GB in ${buildSec.toFixed(0)} s`);

  const store = openSqliteStore({ file: data.file, dayOffsetMinutes: OFFSET_MIN });
  let built: App | undefined;
  try {
    const admin = store.apiTokens.create({ name: 'bench-admin', role: 'admin', now: NOW }).token;
    const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    config.units = data.unitsFile;
    const t = performance.now();
    // The clock pages see. Uptime figures are cached for a minute per question (WebData.uptime): a fixed clock
    // measures cache hits; alternating between NOW and NOW + 61 s makes every request a miss (each finds an
    // entry from the other time: too old, or from its future) while the data's "now" moves by a minute only.
    let clock = NOW;
    let tick = 0;
    const hitClock = () => (clock = NOW);
    const missClock = () => (clock = tick++ % 2 === 0 ? NOW + 61_000 : NOW);
    /** Right after a series at NOW (which leaves the cache entry at NOW), every call of this one is a miss. */
    const missSeries = <T>(fn: () => Promise<T>) => {
      tick = 0;
      return timeIt(() => {
        missClock();
        return fn();
      }, WARM - 1);
    };
    built = await buildApp({ store, config, now: () => clock, timers: false });
    const startupMs = performance.now() - t;
    const app = built.app;
    const auth = { authorization: `Bearer ${admin}` };

    const pages: Array<[string, string]> = [
      ['overview', '/'],
      ['service: one-stop-shop (incl. heatmap)', '/services/one-stop-shop'],
      [`commune ${data.busyCommune} (most incidents in 30 d)`, `/communes/${data.busyCommune}`],
      ['incidents (30 d)', '/incidents'],
      ['dossiers (30 d)', '/dossiers'],
      ['equipment', '/equipment'],
    ];

    // 1. Pages through inject: the first request (nothing cached), cache hits, cache misses.
    const injected: Array<{ label: string; path: string; timed: Timed<number>; miss: Timed<number> }> = [];
    for (const [label, path] of pages) {
      log(`inject ${path}`);
      const get = async () => {
        const res = await app.inject({ method: 'GET', url: path, headers: auth });
        if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
        return res.rawPayload.length;
      };
      hitClock();
      const timed = await timeIt(get);
      const miss = await missSeries(get);
      injected.push({ label, path, timed, miss });
    }
    hitClock();

    // 2. The same pages over HTTP on 127.0.0.1, with compression.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const overHttp: Array<{
      label: string;
      raw: number;
      gzip: number;
      br: number;
      timed: Timed<HttpAnswer>;
      miss: Timed<HttpAnswer>;
    }> = [];
    for (const [label, path] of pages) {
      log(`http ${path}`);
      const sizes: Record<string, number> = {};
      for (const enc of ['identity', 'gzip', 'br']) {
        const a = await httpGet(port, path, { ...auth, 'accept-encoding': enc });
        if (a.status !== 200 || a.encoding !== enc)
          throw new Error(`${path} over HTTP (${enc}): ${a.status} ${a.encoding}`);
        sizes[enc] = a.bytes;
      }
      const get = async () => {
        const a = await httpGet(port, path, { ...auth, 'accept-encoding': 'gzip, deflate, br, zstd' });
        if (a.status !== 200) throw new Error(`${path} over HTTP: ${a.status}`);
        return a;
      };
      hitClock();
      const timed = await timeIt(get);
      const miss = await missSeries(get);
      overHttp.push({ label, raw: sizes.identity!, gzip: sizes.gzip!, br: sizes.br!, timed, miss });
    }
    hitClock();

    // 3. The pieces.
    log('pieces');
    const deps = { store, units: built.units, calendars: built.calendars, offsetMin: OFFSET_MIN };
    const all = () => true;
    const d30 = { from: NOW - 30 * DAY, to: NOW };
    const pieces: Array<{ label: string; timed: Timed<string> }> = [];
    const piece = async (label: string, fn: () => string) => {
      log(`piece: ${label}`);
      pieces.push({ label, timed: await timeIt(fn, Math.min(WARM, 10)) });
    };
    const communeCodes = built.units.all().map((u) => u.code);
    await piece('LiveState.fromStore (start-up)', () => `${fmt(LiveState.fromStore(store).size)} targets`);
    await piece(
      'fleetState (overview grid state)',
      () => `${fmt(fleetState({ live: built!.live, store, communes: communeCodes }, all).communes.length)} communes`,
    );
    await piece(
      'uptimeWindows, all communes, uncached (overview on a cache miss)',
      () => `${fmt(uptimeWindows(deps, { now: NOW }).byCommune.size)} communes`,
    );
    await piece(
      'uptimeWindows, one commune, uncached (commune page on a miss)',
      () => `${fmt(uptimeWindows(deps, { now: NOW, commune: data.busyCommune }).byService.size)} services`,
    );
    await piece(
      'uptimeReport 30 d, 24×7, all pairs',
      () => `${fmt(uptimeReport(deps, { ...d30, workingHours: false }).rows.length)} rows`,
    );
    await piece(
      'uptimeReport 30 d, working hours, all pairs',
      () => `${fmt(uptimeReport(deps, { ...d30, workingHours: true }).rows.length)} rows`,
    );
    await piece(
      'uptimeReport 30 d, 24×7, one service (service page: 2 of these)',
      () => `${fmt(uptimeReport(deps, { ...d30, service: 'one-stop-shop', workingHours: false }).rows.length)} rows`,
    );
    await piece(
      'store.incidents.list 30 d, all communes (uptime sources)',
      () => `${fmt(store.incidents.list({ ...d30, limit: 1_000_000 }).length)} incidents`,
    );
    await piece(
      'store.incidents.list 1 d',
      () => `${fmt(store.incidents.list({ from: NOW - DAY, to: NOW, limit: 1_000_000 }).length)} incidents`,
    );
    await piece(
      'store.incidents.communeServices (uptime sources, fleetState)',
      () => `${fmt(store.incidents.communeServices().length)} pairs`,
    );
    await piece(
      'store.incidents.list open (fleetState)',
      () => `${fmt(store.incidents.list({ openOnly: true, limit: 100_000 }).length)} incidents`,
    );
    await piece(
      'store.incidents.list 30 d, one service, limit 2000 (service page)',
      () => `${fmt(store.incidents.list({ ...d30, service: 'one-stop-shop', limit: 2000 }).length)} incidents`,
    );
    await piece(
      'store.hourOfDayProfile, one service, 30 d (service heatmap)',
      () => `${fmt(store.hourOfDayProfile({ service: 'one-stop-shop', ...d30 }).length)} cells`,
    );
    await piece(
      'store.rollups hour, one commune, 7 d (commune timeline)',
      () =>
        `${fmt(store.rollups({ resolution: 'hour', commune: data.busyCommune, from: NOW - 7 * DAY, to: NOW }).length)} rows`,
    );
    const byPairDay = store.db.prepare(`SELECT t.commune, t.service, CAST(sum(r.ok_count) AS REAL) / sum(r.count) AS up
      FROM targets t CROSS JOIN rollup_day r
      WHERE r.target_id = t.id AND r.bucket >= ? AND r.bucket < ? GROUP BY t.commune, t.service`);
    const byPairHour =
      store.db.prepare(`SELECT t.commune, t.service, avg(CAST(r.ok_count AS REAL) / r.count) AS up FROM targets t CROSS JOIN rollup_hour r
      WHERE r.target_id = t.id AND r.bucket >= ? AND r.bucket < ? GROUP BY t.commune, t.service`);
    await piece(
      'SQL: success ratio per commune × service, 30 d, from rollup_day',
      () => `${fmt(byPairDay.all(localMidnight(NOW) - 30 * DAY, NOW).length)} rows`,
    );
    await piece(
      'SQL: the same from rollup_hour (what the PromQL peer computes)',
      () => `${fmt(byPairHour.all(NOW - PEER_DAYS * DAY, NOW).length)} rows`,
    );
    await piece('attributeDossiers 30 d (dossiers page)', () => {
      const deps = { store, calendars: built!.calendars, config: config.dossiers };
      return `${fmt(attributeDossiers(deps, { ...d30, verdict: 'late', now: NOW, limit: 5000 }).total.dossiers)} dossiers`;
    });
    const rss = procSample(process.pid);

    // 4. The peer.
    let peer: PeerResult | string = 'not run (--peer off)';
    if (args.peer !== 'off') {
      await app.close();
      built = undefined;
      const ours = new Map<string, number>();
      for (const r of byPairHour.all(NOW - PEER_DAYS * DAY, NOW) as Array<{
        commune: string;
        service: string;
        up: number;
      }>)
        ours.set(`${r.commune}\u0000${r.service}`, r.up);
      log('peer: Prometheus');
      peer = await runPeer(store, dir, ours);
    }

    // ------------------------------------------------------------------------------------------ report
    const r = data.rows;
    out.push(
      `Web pages at national scale: ${fmt(COMMUNES)} communes × ${PER_COMMUNE} targets, ${DAYS} days ` +
        `to ${new Date(NOW + OFFSET_MIN * 60_000).toISOString().slice(0, 16).replace('T', ' ')} (UTC+7) ` +
        `(Node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model.trim() ?? ''})`,
      '',
      `Dataset, built in ${buildSec.toFixed(0)} s (${data.phases.map(([n, s]) => `${n} ${s.toFixed(0)} s`).join('; ')}); ` +
        `SQLite file ${fmt(dbBytes / 1e9, 2)} GB:`,
      '',
      '| table | rows | note |',
      '|---|---|---|',
      `| targets | ${fmt(r.targets!)} | 4 path hops (service "network") + 4 services per commune |`,
      `| rollup_hour | ${fmt(r.rollup_hour!)} | ` +
        `${HOUR_DAYS === DAYS ? `all ${DAYS} days` : `last ${HOUR_DAYS} days only (--hour-days)`} (retention.hourDays default 730) |`,
      `| rollup_day | ${fmt(r.rollup_day!)} | ${DAYS} days |`,
      ...(r.rollup_service_hour === undefined
        ? []
        : [
            `| rollup_service_hour | ${fmt(r.rollup_service_hour)} | ` +
              'sums of rollup_hour per service class, as migration 011 backfills them |',
          ]),
      '| rollup_minute | 0 | not generated: no page reads it |',
      `| results | ${fmt(r.results!)} | the latest per target only (seeds LiveState; no page reads raw results) |`,
      `| incidents | ${fmt(r.incidents!)} | ≈ ${fmt(PER_MONTH)} a month; ${data.openIncidents} open |`,
      `| incident_communes | ${fmt(r.incident_communes!)} | central incidents over 100–800 communes |`,
      `| incident_events | ${fmt(r.incident_events!)} | |`,
      `| agents, health_samples, inventory_docs | ${fmt(r.agents!)} each | |`,
      `| dossiers | ${fmt(r.dossiers!)} | |`,
      '',
      `buildApp (start-up incl. LiveState.fromStore): ${ms(startupMs)} ms.`,
      '',
      `Pages through app.inject (admin API key), ms: the first request (nothing cached), then up to ${WARM} with the clock fixed ` +
        `(uptime figures served from the one-minute cache: "hit"), then up to ${WARM} with the clock alternating NOW / NOW + 61 s ` +
        `(every request recomputes them: "miss"); budget ${BUDGET_MS / 1000} s a series. Goal: ≤ 300 ms.`,
      '',
      '| page | first | hit median | p95 | max | n | miss median | p95 | max | n | HTML | median ≤ 300 ms (hit and miss) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...injected.map(
        (p) =>
          `| ${p.label} \`${p.path}\` | ${timingCells(p.timed)} | ${missCells(p.miss)} | ${kb(p.timed.last)} | ${goal(p.timed, p.miss)} |`,
      ),
      '',
      'The same pages over HTTP on 127.0.0.1 (Accept-Encoding: gzip, deflate, br, zstd → brotli q5), ' +
        'ms to the last byte, after the runs above:',
      '',
      '| page | first | hit median | p95 | max | n | miss median | p95 | max | n | raw | gzip | brotli | median ≤ 300 ms (hit and miss) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...overHttp.map(
        (p) =>
          `| ${p.label} | ${timingCells(p.timed)} | ${missCells(p.miss)} | ` +
          `${kb(p.raw)} | ${kb(p.gzip)} | ${kb(p.br)} | ${goal(p.timed, p.miss)} |`,
      ),
      '',
      'Pieces, called directly, ms:',
      '',
      '| piece | first | median | p95 | max | n | answer |',
      '|---|---|---|---|---|---|---|',
      ...pieces.map((p) => `| ${p.label} | ${timingCells(p.timed)} | ${p.timed.last} |`),
      '',
      `Bench process: VmRSS ${fmt(rss.rssMiB)} MiB, VmHWM ${fmt(rss.hwmMiB)} MiB after the pieces.`,
      '',
    );
    if (typeof peer === 'string') {
      out.push(
        `Peer: ${peer}. Anchor instead (peers.md): Uptime Kuma, 882 monitors, ≈ 15 s to load the dashboard (louislam/uptime-kuma#6181).`,
        '',
      );
    } else {
      out.push(
        `Peer, same run: Prometheus ${peer.version} over the same last ${PEER_DAYS} days of hour rollups ` +
          'as a 1-hour recording-rule series per target ' +
          `(\`${PEER_METRIC}\`, ${fmt(peer.series)} series, ${fmt(peer.samples)} samples; ` +
          `exported in ${peer.exportSec.toFixed(0)} s, ${fmt(peer.omBytes / 1e6)} MB OpenMetrics; ` +
          `promtool backfill ${peer.backfillSec.toFixed(0)} s; TSDB ${fmt(peer.tsdbBytes / 1e6, 1)} MB; ` +
          `ready in ${peer.startSec.toFixed(1)} s; VmRSS ${fmt(peer.rssMiB)} MiB after the queries). ` +
          `HTTP API /api/v1/query, gzip, ms:`,
        '',
        '| query | first | median | p95 | max | n | series |',
        '|---|---|---|---|---|---|---|',
        ...peer.queries.map((q) => `| ${q.label}: \`${q.promql}\` | ${timingCells(q.timed)} | ${fmt(q.series)} |`),
        '',
        "Check: Prometheus' per commune × service figures vs the rollup_hour SQL above, " +
          `largest difference ${peer.maxAbsDiff.toExponential(2)}.`,
        'For scale: Uptime Kuma, 882 monitors, ≈ 15 s to load the dashboard (louislam/uptime-kuma#6181, peers.md).',
        '',
      );
    }
  } finally {
    if (built) await built.app.close();
    store.close();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

let dir: string | undefined;
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const child of [...children]) await stopChild(child).catch(() => undefined);
  keepAlive.destroy();
  if (dir && !args.keep) rmSync(dir, { recursive: true, force: true });
  else if (dir) log(`kept ${dir}`);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
const hardStop = setTimeout(
  () => {
    log('run deadline passed: stopping');
    void cleanup().finally(() => process.exit(2));
  },
  RUN_DEADLINE - Date.now() + 5 * 60_000,
);
hardStop.unref();

try {
  dir = mkdtempSync(join(tmpdir(), 'cw-bench-web-'));
  await main(dir);
} finally {
  await cleanup();
}
