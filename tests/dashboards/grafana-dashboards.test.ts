/**
 * The Grafana dashboards in dashboards/. First the JSON itself: `id: null`, stable unique uids, the
 * datasource chosen by the `datasource` variable everywhere, every variable that is referenced defined,
 * the provisioning files well-formed. Then every panel query, run for real: a test server ingests results
 * of every probe kind, path hops, PC health and inventory, opens an incident, sends a notification and
 * holds an overdue dossier; Debian's `prometheus` scrapes it every second; each query, with the dashboard
 * variables substituted as Grafana would, must parse and return at least one series with a finite value.
 *
 * Each query runs twice: with every multi-value variable on "All" (its allValue) and with one commune,
 * service and agent picked, so both the province view and a drill-down are covered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { RunningServer } from '../../server/main.js';
import type { AgentStatus, HealthRecord, InventoryRecord, ProbeResult } from '../../protocol/wire.js';
import { registerAgent, startTestServer, testServerConfig } from '../helpers/start-server.js';
import { startRecorder, type Recorder } from '../helpers/recorder.js';
import { tempDir } from '../helpers/temp-dir.js';
import { unusedPort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

// ------------------------------------------------------------------ the dashboards as files

const DIR = fileURLToPath(new URL('../../dashboards/', import.meta.url));
const EXPECTED = {
  'communewatch-overview.json': 'cw-overview',
  'communewatch-commune.json': 'cw-commune',
  'communewatch-service.json': 'cw-service',
  'communewatch-agents.json': 'cw-agents',
} as const;
const DS = { type: 'prometheus', uid: '${datasource}' };

interface Target {
  refId?: string;
  expr?: string;
  datasource?: unknown;
}
interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: unknown;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: unknown;
}
interface Variable {
  type: string;
  name: string;
  query?: unknown;
  datasource?: unknown;
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}
interface Dashboard {
  id: unknown;
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  links?: unknown[];
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dashboards = files.map((file) => ({
  file,
  json: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Dashboard,
}));

/** Panels at any depth (a collapsed row keeps its panels inside it). */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** The query text of a Prometheus query variable (an object in Grafana ≥ 10, a string before). */
function variableQuery(v: Variable): string {
  const q = v.query;
  if (typeof q === 'string') return q;
  if (q && typeof q === 'object' && typeof (q as { query?: unknown }).query === 'string')
    return (q as { query: string }).query;
  throw new Error(`variable ${v.name} has no query text`);
}

/** Grafana's global variables that a dashboard may use without defining them. */
const BUILTINS = new Set([
  '__rate_interval',
  '__interval',
  '__interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
  '__from',
  '__to',
  '__field',
  '__value',
  '__series',
  '__data',
  '__url_time_range',
  '__all_variables',
  '__dashboard',
  '__org',
  '__user',
  '__name',
]);
const REF = /\$\{(\w+)[^}]*\}|\$([A-Za-z_]\w*)|\[\[(\w+)(?::\w+)?\]\]/g;
const refsIn = (text: string) => [...text.matchAll(REF)].map((m) => (m[1] ?? m[2] ?? m[3])!);

/** Every `datasource` value anywhere in the JSON, with its path. */
function datasources(node: unknown, path = ''): Array<{ path: string; value: unknown }> {
  if (Array.isArray(node)) return node.flatMap((n, i) => datasources(n, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === 'datasource' ? [{ path: `${path}.${k}`, value: v }] : []),
    ...datasources(v, `${path}.${k}`),
  ]);
}

describe('Grafana dashboard JSON', () => {
  it('has exactly the four dashboards, with stable unique uids', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    for (const { file, json } of dashboards) expect(json.uid, file).toBe(EXPECTED[file as keyof typeof EXPECTED]);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
  });

  describe.each(dashboards)('$file', ({ file, json }) => {
    const panels = allPanels(json.panels);
    const withTargets = panels.filter((p) => p.targets?.length);

    it('is importable anywhere: id null, uid ≤ 40 chars, no export placeholders', () => {
      expect(json.id).toBeNull();
      expect(json.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(json.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(json.title).toMatch(/\S/);
      const text = JSON.stringify(json);
      expect(text).not.toMatch(/__inputs|__requires|\$\{DS_/);
    });

    it('takes its datasource from the `datasource` variable, everywhere', () => {
      const dsVar = json.templating.list.find((v) => v.name === 'datasource');
      expect(dsVar).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const { path, value } of datasources(json)) expect(value, `${file}: ${path}`).toEqual(DS);
      for (const p of withTargets) {
        expect(p.datasource, `${file}: panel "${p.title}"`).toEqual(DS);
        for (const t of p.targets!) expect(t.datasource, `${file}: panel "${p.title}" ${t.refId}`).toEqual(DS);
      }
    });

    it('has commune and service query variables over our metrics', () => {
      for (const name of ['commune', 'service']) {
        const v = json.templating.list.find((x) => x.name === name);
        expect(v, `${file}: variable ${name}`).toMatchObject({ type: 'query', datasource: DS });
        expect(variableQuery(v!)).toMatch(/^label_values\(communewatch_\w+(\{[^}]*\})?, *\w+\)$/);
      }
      for (const v of json.templating.list.filter((x) => x.type === 'query')) {
        if (v.includeAll) expect(v.allValue, `${file}: ${v.name} allValue`).toBe('.*');
      }
    });

    it('gives every panel an id, a position and a "Vietnamese / English" title; every target an expr', () => {
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: duplicate panel ids`).toBe(ids.length);
      for (const p of panels) {
        expect(typeof p.id, `${file}: panel "${p.title}" id`).toBe('number');
        expect(p.gridPos, `${file}: panel "${p.title}" gridPos`).toBeDefined();
        expect(p.title, `${file}: panel ${p.id} title`).toMatch(/\S \/ \S/);
      }
      expect(withTargets.length).toBeGreaterThan(5);
      for (const p of withTargets) {
        const refIds = p.targets!.map((t) => t.refId);
        expect(new Set(refIds).size, `${file}: panel "${p.title}" refIds`).toBe(refIds.length);
        for (const t of p.targets!) expect(t.expr?.trim(), `${file}: panel "${p.title}" ${t.refId} expr`).toBeTruthy();
      }
    });

    it('references only variables it defines (or Grafana built-ins)', () => {
      const defined = new Set(json.templating.list.map((v) => v.name));
      const unknown = [...new Set(refsIn(JSON.stringify(json)))].filter((n) => !defined.has(n) && !BUILTINS.has(n));
      expect(unknown, file).toEqual([]);
      // A variable may only use the variables defined before it (Grafana resolves them in order).
      const seen = new Set<string>();
      for (const v of json.templating.list) {
        if (v.type === 'query')
          for (const r of refsIn(variableQuery(v)))
            expect(seen.has(r), `${file}: variable ${v.name} uses $${r} defined after it`).toBe(true);
        seen.add(v.name);
      }
    });

    it('links to the other CommuneWatch dashboards', () => {
      expect(json.links).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'dashboards', tags: ['communewatch'], includeVars: true, keepTime: true }),
        ]),
      );
      expect((json as unknown as { tags: string[] }).tags).toContain('communewatch');
    });
  });

  it('provisioning files: a file provider into the CommuneWatch folder, an example Prometheus datasource', () => {
    const provider = parseYaml(readFileSync(join(DIR, 'provisioning/dashboards/communewatch.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: Array<Record<string, unknown>>;
    };
    expect(provider.apiVersion).toBe(1);
    expect(provider.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        folder: 'CommuneWatch',
        options: expect.objectContaining({ path: expect.stringMatching(/^\//), foldersFromFilesStructure: false }),
      }),
    ]);
    const ds = parseYaml(readFileSync(join(DIR, 'provisioning/datasources/communewatch-prometheus.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: Array<Record<string, unknown>>;
    };
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', access: 'proxy', url: expect.stringMatching(/^https?:\/\//) }),
    ]);
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const file of files) expect(readme, `README mentions ${file}`).toContain(file);
  });
});

// ------------------------------------------------------------------ the queries, against real Prometheus

const PROMETHEUS = 'prometheus';
/** The drill-down pass picks these; the variables' own queries must offer them. */
const PICK: Record<string, string> = { commune: '26734', service: 'one-stop-shop', agent: 'ubnd-26734' };
/** Grafana's interval variables, at values a 6-hour dashboard would get from a 1 s-scraped Prometheus. */
const INTERVALS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };
const PASSES = ['all', 'one'] as const;
type Pass = (typeof PASSES)[number];

/** A variable's value as Grafana interpolates it for Prometheus (a single pick needs no escaping here). */
function variableValue(v: Variable, pass: Pass): string {
  if (pass === 'all' && v.includeAll) return v.allValue ?? '.*';
  const picked = PICK[v.name];
  if (picked === undefined) throw new Error(`no value to pick for variable ${v.name}: add it to PICK`);
  return picked;
}

function substitute(text: string, d: Dashboard, pass: Pass): string {
  return text.replace(REF, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (INTERVALS[name]) return INTERVALS[name];
    const v = d.templating.list.find((x) => x.name === name);
    if (v?.type !== 'query') throw new Error(`cannot substitute ${whole}`);
    return variableValue(v, pass);
  });
}

const queryCases = dashboards.flatMap(({ file, json }) =>
  allPanels(json.panels).flatMap((p) =>
    (p.targets ?? []).flatMap((t) =>
      PASSES.map((pass) => ({ file, title: p.title ?? '', refId: t.refId ?? '?', expr: t.expr ?? '', pass, json })),
    ),
  ),
);
const variableCases = dashboards.flatMap(({ file, json }) =>
  json.templating.list
    .filter((v) => v.type === 'query')
    .flatMap((v) => PASSES.map((pass) => ({ file, name: v.name, v, pass, json }))),
);

interface PromResponse {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; value: [number, string] }> | [number, string];
  };
}

/** The commune offices of the test, their agents and what their latest rounds look like. */
const MIN = 60_000;
const DAY = 86_400_000;
const COMMUNES = ['26734', '26737'] as const;
type Commune = (typeof COMMUNES)[number];

function rounds(commune: Commune, ts: number): Array<Omit<ProbeResult, 'id' | 'seq'>> {
  const base = { ts, durationMs: 40 };
  const hop = (target: string, role: string, ok: boolean, loss: number) => ({
    ...base,
    target,
    role,
    kind: 'icmp',
    service: 'network',
    ok,
    ...(ok && { latencyMs: 4 }),
    icmp: {
      sent: 3,
      received: Math.round(3 * (1 - loss)),
      lossRatio: loss,
      ...(ok && { rttMinMs: 2, rttAvgMs: 4, rttMaxMs: 7, jitterMs: 1.5 }),
    },
  });
  const dnsHop = {
    ...base,
    target: 'path-dns-1',
    role: 'resolver',
    kind: 'dns',
    service: 'network',
    ok: true,
    latencyMs: 12,
    dns: { resolveMs: 12, answers: ['203.0.113.5'], server: '10.0.0.1' },
  };
  const http = (
    target: string,
    service: string,
    ok: boolean,
    status: number,
    totalMs: number,
    certDays: number,
    layer?: string,
  ) => ({
    ...base,
    target,
    kind: 'http',
    service,
    role: 'service',
    ok,
    latencyMs: totalMs,
    ...(layer && { layer }),
    ...(!ok && { error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: `status ${status}` } }),
    http: {
      statusCode: status,
      phases: { resolveMs: 5, connectMs: 20, tlsMs: 60, processingMs: totalMs - 100, transferMs: 15, totalMs },
      certExpiresAt: ts + certDays * DAY,
      tlsVersion: 'TLSv1.3',
    },
  });
  if (commune === '26734') {
    return [
      http('motcua', 'one-stop-shop', false, 503, 900, 10, 'service'), // the one-stop-shop answers 503: an incident
      http('kyso', 'e-signing', true, 200, 4200, 45, 'slow'),
      {
        ...base,
        target: 'hotich',
        kind: 'tcp',
        service: 'civil-status',
        role: 'service',
        ok: true,
        latencyMs: 30,
        tcp: { connectMs: 30 },
      },
      hop('path-gateway', 'gateway', true, 0.2),
      dnsHop,
      hop('path-uplink', 'uplink', true, 0),
      hop('path-datacentre', 'datacentre', true, 0),
    ];
  }
  return [
    http('motcua', 'one-stop-shop', true, 200, 350, 60),
    {
      ...base,
      target: 'hotich',
      kind: 'tcp',
      service: 'civil-status',
      role: 'service',
      ok: false,
      layer: 'uplink',
      error: { code: 'CW_ERR_PROBE_TIMEOUT', message: 'timeout' },
      tcp: {},
    },
    hop('path-gateway', 'gateway', true, 0),
    dnsHop,
    hop('path-uplink', 'uplink', false, 1),
    hop('path-datacentre', 'datacentre', false, 1),
  ];
}

function health(commune: Commune, ts: number, n: number): Omit<HealthRecord, 'id' | 'seq'> {
  return {
    ts,
    cpuLoadPct: commune === '26734' ? 35 : 92,
    memTotalBytes: 8 * 2 ** 30,
    memAvailableBytes: (commune === '26734' ? 3 : 0.5) * 2 ** 30,
    uptimeSec: 86_400 + n,
    disks: [{ mount: 'C:', sizeBytes: 256e9, freeBytes: commune === '26734' ? 80e9 : 12e9 }],
    ifaces: [{ iface: 'Ethernet', rxErrors: 0, txErrors: 0, rxDropped: 10 * n, txDropped: 0 }],
  };
}

function inventory(commune: Commune, ts: number): Omit<InventoryRecord, 'id' | 'seq'> {
  return {
    ts,
    hostname: `ubnd-${commune}-pc`,
    memTotalBytes: 8 * 2 ** 30,
    disks: [{ sizeBytes: 256e9, type: 'SSD' }],
    usb: [],
    printers: [],
    counts: { smartcardReaders: commune === '26734' ? 1 : 0, signingTokens: 1, scanners: 1, printers: 1 },
  };
}

describe('dashboard queries against Debian prometheus', () => {
  const dir = tempDir('cw-dashboards-');
  let server: RunningServer | undefined;
  let hooks: Recorder | undefined;
  let prom: ChildProcess | undefined;
  let promUrl = '';
  let promLog = '';
  const tokens = new Map<Commune, string>();
  const seqs = new Map<Commune, number>();
  let pushes = 0;

  const nextSeq = (c: Commune) => {
    const s = (seqs.get(c) ?? 0) + 1;
    seqs.set(c, s);
    return s;
  };

  /** `drained`: the agent's outbox holds only this batch (it has caught up); otherwise 12 records wait. */
  async function push(commune: Commune, ts: number, withInventory = false, drained = false): Promise<void> {
    pushes++;
    const stamp = <T>(r: T) => ({ ...r, id: randomUUID(), seq: nextSeq(commune) });
    const records = rounds(commune, ts).length + 1 + (withInventory ? 1 : 0);
    const agent: AgentStatus = {
      version: 'test',
      probeIntervalSec: 60,
      outboxPending: drained ? records : 12,
      outboxDroppedTotal: 3,
      outboxDeadLettered: 1,
    };
    const body = {
      v: 1,
      batchId: randomUUID(),
      commune,
      sentAt: Date.now() - 2000,
      agent, // the agent clock 2 s behind
      results: rounds(commune, ts).map(stamp) as ProbeResult[],
      health: [stamp(health(commune, ts, pushes))] as HealthRecord[],
      ...(withInventory && { inventory: [stamp(inventory(commune, ts))] as InventoryRecord[] }),
    };
    const res = await fetch(`${server!.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.get(commune)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`ingest for ${commune}: HTTP ${res.status} ${await res.text()}`);
  }

  async function query(expr: string): Promise<PromResponse> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as PromResponse;
  }

  beforeAll(async () => {
    if (spawnSync(PROMETHEUS, ['--version']).status !== 0) {
      throw new Error(
        `${PROMETHEUS} not found: install the Debian package "prometheus" (apt-get install prometheus; .ci/run does)`,
      );
    }

    // The server: a webhook receiver that answers 200, alerts delivered every second without group wait.
    hooks = await startRecorder();
    const serverDir = join(dir.path, 'server');
    const alerts = testServerConfig(serverDir).alerts;
    server = await startTestServer(serverDir, {
      alerts: {
        ...alerts,
        receivers: [{ name: 'it', webhook: [{ url: `${hooks.url}/hook`, timeoutMs: 5000 }] }],
        route: { receiver: 'it', groupWaitSec: 0 },
        delivery: { ...alerts.delivery, tickSec: 1 },
      },
    });
    for (const c of COMMUNES) tokens.set(c, registerAgent(server, c, `ubnd-${c}`));
    registerAgent(server, '26737', 'ubnd-26737-du-phong'); // registered, never pushes

    // Three failed rounds a minute apart open the one-stop-shop incident at 26734. They arrive late (as an
    // agent's backlog), so a live round follows: the server holds a commune's alerts until it has caught up.
    const now = Date.now();
    for (let i = 3; i >= 1; i--) for (const c of COMMUNES) await push(c, now - i * MIN, i === 3);
    for (const c of COMMUNES) await push(c, Date.now(), false, true);

    // An overdue dossier per commune, due 20 days ago and still open. Written through the store's import
    // seam (the HTTP import is covered by tests/server/dossiers), before the first scrape: the overdue gauge
    // is computed then and cached for 5 minutes.
    const importId = server.store.dossiers.begin({ source: 'dashboards-test', actor: 'test', now });
    server.store.dossiers.stage(
      importId,
      COMMUNES.map((commune, i) => ({
        row: i + 2,
        dossier: {
          code: `HS-${commune}`,
          procedureCode: null,
          procedureName: 'Đăng ký khai sinh',
          field: 'Hộ tịch',
          commune,
          channel: 'direct',
          receivedAt: now - 25 * DAY,
          dueAt: now - 20 * DAY,
          finishedAt: null,
          firstHandledAt: null,
          status: null,
        },
      })),
    );
    server.store.dossiers.commit(importId, { rows: COMMUNES.length, invalid: 0, problems: [] }, now);

    // The notification counter only has series once something was sent: wait for the webhook.
    await waitFor(
      'the incident notification sent to the webhook',
      () => server!.store.alerts.listNotifications({ status: 'sent', limit: 10 }).length,
      (n) => n > 0,
      { timeoutMs: 15_000, everyMs: 100 },
    );
    expect(server.store.incidents.list({ openOnly: true, limit: 10 }).length).toBeGreaterThan(0);

    // Prometheus, scraping the server every second.
    const promPort = await unusedPort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(
      config,
      `${[
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: communewatch',
        '    static_configs:',
        `      - targets: ['${new URL(server.url).host}']`,
      ].join('\n')}\n`,
    );
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir.path, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000));
    prom.stdout!.on('data', keep);
    prom.stderr!.on('data', keep);
    const alive = () => {
      if (prom!.exitCode !== null || prom!.signalCode !== null)
        throw new Error(`prometheus exited (${prom!.exitCode ?? prom!.signalCode}):\n${promLog}`);
    };
    await waitFor(
      'prometheus ready',
      async () => {
        alive();
        return (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok === true;
      },
      (ok) => ok,
      { timeoutMs: 20_000, everyMs: 100 },
    );

    // Enough successful scrapes for rate(), increase() and delta() to have two samples in their windows,
    // with batches still arriving in between so the ingest rates and batch-time quantiles are not zero.
    await waitFor(
      'six successful scrapes of the test server',
      async () => {
        alive();
        for (const c of COMMUNES) await push(c, Date.now());
        const r = await query('sum_over_time(up{job="communewatch"}[5m])');
        const v = Array.isArray(r.data?.result)
          ? (r.data.result as Array<{ value: [number, string] }>)[0]?.value[1]
          : undefined;
        return Number(v ?? 0);
      },
      (n) => n >= 6,
      { timeoutMs: 30_000, everyMs: 300 },
    );
  }, 60_000);

  afterAll(async () => {
    try {
      if (prom && prom.exitCode === null && prom.signalCode === null) {
        const exited = once(prom, 'exit');
        prom.kill('SIGTERM');
        const timer = setTimeout(() => prom!.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    } finally {
      await server?.close().catch(() => undefined);
      await hooks?.close().catch(() => undefined);
      dir.remove();
    }
  }, 30_000);

  it.each(variableCases)('$file: variable $name offers values ($pass)', async ({ v, json, pass }) => {
    const q = substitute(variableQuery(v), json, pass);
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q);
    if (!m) throw new Error(`variable ${v.name}: only label_values(selector, label) is checked here, got ${q}`);
    const res = await fetch(`${promUrl}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`);
    const body = (await res.json()) as { status: string; error?: string; data: string[] };
    expect(body.status, `${q}: ${body.error ?? ''}`).toBe('success');
    expect(body.data, q).toContain(PICK[v.name]);
  });

  it.each(queryCases)('$file › $title › $refId ($pass)', async ({ file, title, refId, expr, pass, json }) => {
    const promql = substitute(expr, json, pass);
    const where = `${file} › "${title}" › ${refId} (${pass}):\n  ${promql}`;
    const r = await query(promql);
    expect(r.status, `${where}\n  → ${r.error ?? ''}`).toBe('success');
    const result = r.data!.result;
    const values =
      r.data!.resultType === 'scalar'
        ? [(result as [number, string])[1]]
        : (result as Array<{ value: [number, string] }>).map((s) => s.value[1]);
    expect(values.length, `${where}\n  → no series`).toBeGreaterThan(0);
    expect(
      values.some((v) => Number.isFinite(Number(v))),
      `${where}\n  → no finite value: ${values.join(', ')}`,
    ).toBe(true);
  });
});
