/**
 * Our agent next to Debian's prometheus-blackbox-exporter, in the same run, against the same 30 local targets
 * at the same rate (the method of ../shared/reference/anchors.md):
 *   - 10 HTTP URLs on local Node servers: two fast ports (3 paths each) and one slow port (+200 ms, 4 paths);
 *   - 6 TCP listeners that accept and close, 4 closed ports;
 *   - ICMP echo to 127.0.0.1 … 127.0.0.10.
 * Ours: `communewatch-agent`, the bundled executable an installed agent runs (icmp count 1, path.gateway none,
 * PC health reports off), pushing to `communewatch server`. Theirs: the exporter started by hand (never as a
 * service), driven like Prometheus: GET /probe for each target once per interval, target i at offset
 * i × interval / 30, Prometheus 2.42's headers.
 *
 * Printed side by side, over the measured window (from 3 s after both run until --seconds later):
 *   probes done; CPU s per 1,000 probes from /proc/<pid>/stat (agent process alone, and with its reaped
 *   `ping` children, cutime + cstime; the server separately); VmRSS at the end and VmHWM; failures against
 *   what each target should give. Outbox bytes per 1,000 results two ways: (a) growth of outbox.db + -wal
 *   while the server is stopped for the last --offline-seconds, divided by the rows added; (b) after the
 *   agent stops, the pages of the outbox table and its indexes (SQLite dbstat) divided by its rows.
 *
 * Run: npm run build && node dist/bench/agent-vs-blackbox.js [--seconds 120] [--interval 1]
 *        [--offline-seconds 30] [--cli dist/cli/main.js] [--blackbox prometheus-blackbox-exporter] [--cpu-prof DIR] [--keep]
 *        [--only http|tcp|icmp] [--agent-node-args "--max-semi-space-size=1 …"] [--agent-exec dist/communewatch-agent.mjs | cli]
 * Needs: Linux (/proc), iputils-ping, `apt-get install prometheus-blackbox-exporter`, and raw ICMP for the
 * exporter (root or CAP_NET_RAW, unless net.ipv4.ping_group_range allows ICMP datagram sockets).
 * Bounded: every loop is a fixed number of rounds, a hard deadline aborts the run, all traffic stays on
 * 127.0.0.0/8, and every process started is stopped in `finally`, also on error or Ctrl+C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { procSample, runCommand } from './lib/proc.js';
import { agentCommand } from './lib/agent-exec.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    interval: { type: 'string', default: '1' },
    'offline-seconds': { type: 'string', default: '30' },
    cli: { type: 'string', default: fileURLToPath(new URL('../cli/main.js', import.meta.url)) },
    // The installed agent's executable (the bundle); `--agent-exec cli` runs `communewatch agent` unbundled.
    'agent-exec': { type: 'string', default: fileURLToPath(new URL('../communewatch-agent.mjs', import.meta.url)) },
    blackbox: { type: 'string', default: 'prometheus-blackbox-exporter' },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
    // Default: the V8 flags of the agent executable's `#!/usr/bin/env -S node …` line, as installs run it.
    'agent-node-args': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const INTERVAL_SEC = Number(args.interval);
const OFFLINE_SEC = Math.min(Number(args['offline-seconds']), SECONDS / 2);
const CLI = resolve(args.cli);
/** How the agent is started: the installed bundle with its V8 flags, or `communewatch agent`. */
const AGENT = agentCommand(args['agent-exec']!, CLI, args['agent-node-args']);
const WARMUP_MS = 3000;
const SLOW_MS = 200;
/** Whatever happens, the run is over by then. */
const HARD_DEADLINE_MS = (SECONDS + 90) * 1000;

if (!(SECONDS >= 10) || !Number.isInteger(INTERVAL_SEC) || INTERVAL_SEC < 1)
  throw new Error('--seconds must be >= 10 and --interval a whole number of seconds >= 1');

// ---------------------------------------------------------------------------------------------- processes
const children: ChildProcess[] = [];
function start(file: string, argv: string[], logFile: string): ChildProcess {
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const log: string[] = [];
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  child.on('exit', () => writeFileSync(logFile, log.join('')));
  return child;
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}
async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

// ---------------------------------------------------------------------------------------------- targets
interface BenchTarget {
  name: string;
  group: 'http' | 'tcp' | 'icmp';
  expectOk: boolean;
  module: 'http_2xx' | 'tcp_connect' | 'icmp';
  /** What /probe?target= gets. */
  bb: string;
  /** The kind-specific keys of our agent's target. */
  agent: Record<string, unknown>;
}
const servers: net.Server[] = [];
async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}
async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}
async function startTargets(): Promise<BenchTarget[]> {
  const httpServer = (delayMs: number) =>
    http.createServer((req, res) => {
      req.resume();
      const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  const targets: BenchTarget[] = [];
  const addHttp = (label: string, port: number, path: string) => {
    const url = `http://127.0.0.1:${port}/${path}`;
    targets.push({
      name: `http-${label}-${path}`,
      group: 'http',
      expectOk: true,
      module: 'http_2xx',
      bb: url,
      agent: { url },
    });
  };
  for (const label of ['fast1', 'fast2']) {
    const port = await listen(httpServer(0));
    for (const path of ['a', 'b', 'c']) addHttp(label, port, path);
  }
  const slowPort = await listen(httpServer(SLOW_MS));
  for (const path of ['a', 'b', 'c', 'd']) addHttp('slow', slowPort, path);
  for (let i = 1; i <= 6; i++) {
    const port = await listen(net.createServer((s) => s.destroy()));
    targets.push({
      name: `tcp-open-${i}`,
      group: 'tcp',
      expectOk: true,
      module: 'tcp_connect',
      bb: `127.0.0.1:${port}`,
      agent: { host: '127.0.0.1', port },
    });
  }
  for (let i = 1; i <= 4; i++) {
    const port = await freePort();
    targets.push({
      name: `tcp-closed-${i}`,
      group: 'tcp',
      expectOk: false,
      module: 'tcp_connect',
      bb: `127.0.0.1:${port}`,
      agent: { host: '127.0.0.1', port },
    });
  }
  for (let i = 1; i <= 10; i++) {
    const host = `127.0.0.${i}`;
    targets.push({
      name: `icmp-${i}`,
      group: 'icmp',
      expectOk: true,
      module: 'icmp',
      bb: host,
      agent: { host, count: 1 },
    });
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------- blackbox driver
interface DriverCounts {
  done: number;
  unexpected: number;
  errors: number;
}
/**
 * Prometheus stand-in: `rounds` rounds, target i fired at start + round × interval + i × interval / n, never two
 * requests for one target at once (a scrape still running skips its slot, as Prometheus does).
 */
async function driveBlackbox(
  base: string,
  targets: BenchTarget[],
  startMs: number,
  rounds: number,
  counts: DriverCounts,
): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const headers = {
    accept:
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
      'text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    'accept-encoding': 'identity',
    'user-agent': 'Prometheus/2.42.0',
    'x-prometheus-scrape-timeout-seconds': '1',
  };
  const get = (t: BenchTarget) =>
    new Promise<void>((done) => {
      const req = http.get(
        `${base}/probe?target=${encodeURIComponent(t.bb)}&module=${t.module}`,
        { agent, headers, timeout: 2000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => {
            const m = /^probe_success (\d)/m.exec(body);
            if (res.statusCode !== 200 || !m) counts.errors++;
            else {
              counts.done++;
              if ((m[1] === '1') !== t.expectOk) counts.unexpected++;
            }
            done();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        counts.errors++;
        done();
      });
    });
  const intervalMs = INTERVAL_SEC * 1000;
  await Promise.all(
    targets.map(async (t, i) => {
      let inFlight: Promise<void> | undefined;
      for (let r = 0; r < rounds; r++) {
        const due = startMs + r * intervalMs + (i * intervalMs) / targets.length;
        await sleep(Math.max(0, due - Date.now()));
        if (inFlight) continue;
        inFlight = get(t).finally(() => (inFlight = undefined));
      }
      await inFlight;
    }),
  );
  agent.destroy();
}

// ---------------------------------------------------------------------------------------------- our side
function agentConfig(url: string, targets: BenchTarget[], withSystemKey: boolean): string {
  const config = {
    commune: 'BENCH',
    server: { url, tokenFile: 'token' },
    dataDir: 'agent-data',
    defaults: { intervalSec: INTERVAL_SEC, timeoutMs: 1000 },
    log: { level: 'info' },
    // Never probe the machine's real gateway or its resolvers: with no named host among the targets and
    // no probeName, the path monitor has no DNS check either.
    path: { gateway: 'none' },
    ...(withSystemKey && { system: { healthIntervalSec: 0, inventoryIntervalHours: 0 } }),
    targets: targets.map((t) => ({ name: t.name, kind: t.group, service: 'bench', ...t.agent })),
  };
  return `# written by bench/agent-vs-blackbox.ts (JSON is YAML)\n${JSON.stringify(config, null, 2)}\n`;
}

interface OutboxState {
  lastSeq: number;
  rows: number;
  /** Pages in use, as a reader sees the last commit (WAL included): (page_count − freelist_count) × page_size. */
  usedBytes: number;
  /** outbox.db + outbox.db-wal on disk. The WAL is reused after each checkpoint, so this moves in jumps. */
  fileBytes: number;
}
function outboxState(dir: string): OutboxState {
  const file = join(dir, 'outbox.db');
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const lastSeq =
      (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as { seq: number } | undefined)?.seq ??
      0;
    const rows = (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    const pages =
      Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
    return {
      lastSeq,
      rows,
      usedBytes: pages * Number(db.pragma('page_size', { simple: true })),
      fileBytes: size(file) + size(`${file}-wal`),
    };
  } finally {
    db.close();
  }
}

interface AgentTally {
  results: number;
  unexpected: number;
  /** Unexpected results by error code (or "ok" for a closed port that answered). */
  byCode: Map<string, number>;
}
/**
 * Rounds that started at or after `from` and finished by `to` (a round cut short by the agent's stop is not
 * counted), from the server's store and the outbox left at the end, each result id once.
 */
function tallyAgent(serverDb: string, outboxDb: string, targets: BenchTarget[], from: number, to: number): AgentTally {
  const expect = new Map(targets.map((t) => [t.name, t.expectOk]));
  const seen = new Map<string, string | undefined>();
  const add = (id: string, name: string, ts: number, durationMs: number, ok: boolean, code: string | undefined) => {
    if (!expect.has(name) || ts < from || ts + durationMs > to) return;
    seen.set(id, ok === expect.get(name) ? undefined : (code ?? 'ok'));
  };
  const s = new Database(serverDb, { readonly: true, fileMustExist: true });
  try {
    const rows = s
      .prepare(
        `SELECT r.result_id AS id, t.name AS name, r.agent_ts AS ts, r.duration_ms AS d, r.ok AS ok, r.error_code AS code
        FROM results r JOIN targets t ON t.id = r.target_id
        WHERE r.agent_ts >= ?`,
      )
      .all(from) as { id: string; name: string; ts: number; d: number; ok: number; code: string | null }[];
    for (const r of rows) add(r.id, r.name, r.ts, r.d, r.ok === 1, r.code ?? undefined);
  } finally {
    s.close();
  }
  const o = new Database(outboxDb, { readonly: true, fileMustExist: true });
  try {
    for (const r of o.prepare('SELECT body FROM outbox WHERE ts >= ?').iterate(from) as Iterable<{ body: string }>) {
      const b = JSON.parse(r.body) as {
        id?: string;
        target?: string;
        ts: number;
        durationMs?: number;
        ok?: boolean;
        error?: { code: string };
      };
      if (b.id && b.target) add(b.id, b.target, b.ts, b.durationMs ?? 0, b.ok === true, b.error?.code);
    }
  } finally {
    o.close();
  }
  const byCode = new Map<string, number>();
  for (const code of seen.values()) if (code) byCode.set(code, (byCode.get(code) ?? 0) + 1);
  return { results: seen.size, unexpected: [...byCode.values()].reduce((a, b) => a + b, 0), byCode };
}

/** Bytes of the outbox table and its indexes on disk (dbstat), rows, and the mean JSON body. */
function outboxPages(outboxDb: string): { rows: number; tableBytes: number; indexBytes: number; bodyBytes: number } {
  const db = new Database(outboxDb, { readonly: true, fileMustExist: true });
  try {
    const pages = db
      .prepare(
        "SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name = 'outbox' OR name LIKE 'outbox_%' GROUP BY name",
      )
      .all() as { name: string; bytes: number }[];
    const rows = db.prepare('SELECT count(*) AS n, avg(length(body)) AS body FROM outbox').get() as {
      n: number;
      body: number | null;
    };
    return {
      rows: rows.n,
      tableBytes: pages.filter((p) => p.name === 'outbox').reduce((a, p) => a + p.bytes, 0),
      indexBytes: pages.filter((p) => p.name !== 'outbox').reduce((a, p) => a + p.bytes, 0),
      bodyBytes: rows.body ?? 0,
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-bb-'));
  const hardDeadline = setTimeout(() => {
    process.stderr.write(
      `agent-vs-blackbox: hard deadline of ${HARD_DEADLINE_MS / 1000} s reached; stopping everything\n`,
    );
    void cleanup().finally(() => process.exit(1));
  }, HARD_DEADLINE_MS);
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let cleaned = false;
  async function cleanup(): Promise<void> {
    if (cleaned) return;
    cleaned = true;
    await Promise.allSettled(children.map(stop));
    for (const s of servers) s.close();
    clearTimeout(hardDeadline);
  }

  try {
    const targets = (await startTargets()).filter((t) => !args.only || t.group === args.only);
    if (targets.length === 0) throw new Error('--only must be http, tcp or icmp');
    const dataDir = join(dir, 'server-data');
    const agentDir = join(dir, 'agent');
    mkdirSync(agentDir);

    // Server on a port of its own choosing, then its agent token.
    const server = start(
      process.execPath,
      [CLI, 'server', '--data', dataDir, '--host', '127.0.0.1', '--port', '0'],
      join(dir, 'server.log'),
    );
    let serverOut = '';
    server.stdout!.on('data', (d: Buffer) => (serverOut += d.toString()));
    const url = await waitFor(
      'the server to listen',
      15_000,
      () => /server: (http:\/\/127\.0\.0\.1:\d+)/.exec(serverOut)?.[1],
    );
    const token = await runCommand(process.execPath, [
      CLI,
      'token',
      'create',
      '--commune',
      'BENCH',
      '--name',
      'bench',
      '--data',
      dataDir,
    ]);
    if (token.code !== 0 || !token.stdout) throw new Error(`token create failed: ${token.stderr}`);
    writeFileSync(join(agentDir, 'token'), `${token.stdout}\n`);
    chmodSync(join(agentDir, 'token'), 0o600);

    // Agent config; an agent older than the `system:` section refuses the key, so fall back without it.
    const configFile = join(agentDir, 'agent.yaml');
    writeFileSync(configFile, agentConfig(url, targets, true));
    let check = await runCommand(process.execPath, [...AGENT.argv, '--config', configFile, '--check-config']);
    if (check.code === 2 && /^\s*- system\b/m.test(check.stderr)) {
      writeFileSync(configFile, agentConfig(url, targets, false));
      check = await runCommand(process.execPath, [...AGENT.argv, '--config', configFile, '--check-config']);
    }
    if (check.code !== 0) throw new Error(`agent config refused:\n${check.stderr}`);

    // The exporter, by hand, on loopback; exactly the Debian definitions of the three modules.
    writeFileSync(
      join(dir, 'blackbox.yml'),
      'modules:\n  http_2xx:\n    prober: http\n  tcp_connect:\n    prober: tcp\n  icmp:\n    prober: icmp\n',
    );
    const bbBase = `http://127.0.0.1:${await freePort()}`;
    const bb = start(
      args.blackbox!,
      [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=${bbBase.slice(7)}`],
      join(dir, 'blackbox.log'),
    );
    bb.on('error', (err) =>
      process.stderr.write(
        `cannot start ${args.blackbox}: ${err.message} (apt-get install prometheus-blackbox-exporter)\n`,
      ),
    );
    await waitFor('blackbox_exporter to answer', 15_000, async () => {
      try {
        return (await fetch(`${bbBase}/metrics`)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    });

    const profArgs = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`] : [];
    const agent = start(
      process.execPath,
      [...AGENT.nodeArgs, ...profArgs, ...AGENT.argv, '--config', configFile],
      join(dir, 'agent.log'),
    );
    const outboxDir = join(agentDir, 'agent-data');
    await waitFor('the agent outbox', 15_000, () => (existsSync(join(outboxDir, 'outbox.db')) ? true : undefined));

    // Both run: the driver starts now; the measured window starts WARMUP_MS later and lasts SECONDS.
    const counts: DriverCounts = { done: 0, unexpected: 0, errors: 0 };
    const driveStart = Date.now();
    const rounds = Math.ceil((WARMUP_MS + SECONDS * 1000) / (INTERVAL_SEC * 1000));
    const driving = driveBlackbox(bbBase, targets, driveStart, rounds, counts);
    await sleep(WARMUP_MS);

    const t0 = Date.now();
    const s0 = {
      bb: procSample(bb.pid!),
      agent: procSample(agent.pid!),
      server: procSample(server.pid!),
      outbox: outboxState(outboxDir),
      driver: { ...counts },
    };
    await sleep((SECONDS - OFFLINE_SEC) * 1000);
    // Offline window: the server goes away, results pile up in the outbox.
    const serverEnd = procSample(server.pid!);
    const agentMid = procSample(agent.pid!);
    const off0 = outboxState(outboxDir);
    await stop(server);
    await sleep(Math.max(0, t0 + SECONDS * 1000 - Date.now()));
    const t1 = Date.now();
    const s1 = {
      bb: procSample(bb.pid!),
      agent: procSample(agent.pid!),
      outbox: outboxState(outboxDir),
      driver: { ...counts },
    };
    const off1 = s1.outbox;

    await stop(agent);
    await driving;
    await stop(bb);
    const tally = tallyAgent(join(dataDir, 'communewatch.db'), join(outboxDir, 'outbox.db'), targets, t0, t1);
    const pages = outboxPages(join(outboxDir, 'outbox.db'));

    // ------------------------------------------------------------------------------------------ report
    const expected = (targets.length * SECONDS) / INTERVAL_SEC;
    const expectedFail = (targets.filter((t) => !t.expectOk).length * SECONDS) / INTERVAL_SEC;
    const bbProbes = s1.driver.done - s0.driver.done;
    const agentProbes = s1.outbox.lastSeq - s0.outbox.lastSeq;
    const per1000 = (cpu: number, n: number) => ((cpu / Math.max(1, n)) * 1000).toFixed(2);
    const bbCpu = s1.bb.cpuSec - s0.bb.cpuSec;
    const agentCpu = s1.agent.cpuSec - s0.agent.cpuSec;
    const pingCpu = s1.agent.childCpuSec - s0.agent.childCpuSec;
    const serverCpu = serverEnd.cpuSec - s0.server.cpuSec;
    // Results that left the outbox between t0 and the server's stop.
    const serverResults = s0.outbox.rows + (off0.lastSeq - s0.outbox.lastSeq) - off0.rows;
    const offRows = off1.rows - off0.rows;
    const onlineProbes = off0.lastSeq - s0.outbox.lastSeq;
    const onlineCpu = agentMid.cpuSec - s0.agent.cpuSec;
    const offlineCpu = s1.agent.cpuSec - agentMid.cpuSec;
    const wire = (n: number) => n.toLocaleString('en-US');
    const outboxPer1000 = offRows > 0 ? wire(Math.round(((off1.usedBytes - off0.usedBytes) / offRows) * 1000)) : '–';
    const pagesPer1000 =
      pages.rows > 0 ? wire(Math.round(((pages.tableBytes + pages.indexBytes) / pages.rows) * 1000)) : '–';

    const lines = [
      `agent vs blackbox_exporter: ${targets.length} targets${args.only ? ` (${args.only} only)` : ''}` +
        `${AGENT.nodeArgs.length ? ` (agent node ${AGENT.nodeArgs.join(' ')})` : ''} every ${INTERVAL_SEC} s, ` +
        `window ${SECONDS} s (server stopped for the last ${OFFLINE_SEC} s), Node ${process.version}`,
      '',
      '| | CommuneWatch agent | blackbox_exporter |',
      '|---|---|---|',
      `| probes done (expected ≈ ${wire(expected)}) | ${wire(agentProbes)} | ${wire(bbProbes)} |`,
      `| CPU s per 1,000 probes, process alone | ${per1000(agentCpu, agentProbes)} | ${per1000(bbCpu, bbProbes)} |`,
      `| CPU s per 1,000 probes, with its ping children | ${per1000(agentCpu + pingCpu, agentProbes)} | (no children) |`,
      `| CPU s in the window (process + children) | ${agentCpu.toFixed(2)} + ${pingCpu.toFixed(2)} | ${bbCpu.toFixed(2)} |`,
      `| VmRSS at end / VmHWM peak, MiB | ${s1.agent.rssMiB.toFixed(1)} / ${s1.agent.hwmMiB.toFixed(1)} | ` +
        `${s1.bb.rssMiB.toFixed(1)} / ${s1.bb.hwmMiB.toFixed(1)} |`,
      '| of which at end: private (RssAnon) + mapped files (RssFile), MiB | ' +
        `${s1.agent.anonMiB.toFixed(1)} + ${s1.agent.fileMiB.toFixed(1)} | ${s1.bb.anonMiB.toFixed(1)} + ${s1.bb.fileMiB.toFixed(1)} |`,
      `| failures: expected (closed ports) ≈ ${wire(expectedFail)}; unexpected results | ` +
        `${tally.unexpected} of ${wire(tally.results)} rounds | ` +
        `${s1.driver.unexpected - s0.driver.unexpected} of ${wire(bbProbes)} (+${s1.driver.errors - s0.driver.errors} scrape errors) |`,
      '',
      `Server (separate): ${serverCpu.toFixed(2)} CPU s over ${SECONDS - OFFLINE_SEC} s for ≈ ${wire(serverResults)} results ` +
        `pushed = ${per1000(serverCpu, serverResults)} s per 1,000; VmHWM ${serverEnd.hwmMiB.toFixed(1)} MiB.`,
      `Agent process CPU per 1,000 probes while pushing: ${per1000(onlineCpu, onlineProbes)} s (${wire(onlineProbes)} probes); ` +
        `with the server down, nothing pushed: ${per1000(offlineCpu, offRows)} s (${wire(offRows)} probes).`,
      `Outbox while the server was down: ${wire(offRows)} rows added; ` +
        `pages in use ${wire(off0.usedBytes)} → ${wire(off1.usedBytes)} bytes = ${outboxPer1000} bytes per 1,000 results; ` +
        `files (outbox.db + -wal) ${wire(off0.fileBytes)} → ${wire(off1.fileBytes)} bytes.`,
      `Outbox pages after stop (dbstat): ${wire(pages.rows)} rows; ` +
        `table ${wire(pages.tableBytes)} + indexes ${wire(pages.indexBytes)} bytes = ${pagesPer1000} bytes per 1,000 results ` +
        `(mean JSON body ${pages.bodyBytes.toFixed(0)} bytes).`,
      `Agent rounds started and finished inside the window: ${wire(tally.results)}; ` +
        `unexpected: ${[...tally.byCode].map(([c, n]) => `${c} × ${n}`).join(', ') || 'none'}.`,
      `Logs and data: ${dir}${args.keep ? ' (kept)' : ' (removed at exit; --keep keeps them)'}.`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
