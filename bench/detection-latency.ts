/**
 * Detection latency in the fault lab: from cutting a commune's Internet uplink to the e-mail arriving.
 * Side by side in the same run, on the same cut, with the peer stack a province might deploy instead:
 * Prometheus scraping blackbox_exporter (inside the commune namespace) with an alert rule, and
 * Alertmanager sending the e-mail.
 *
 *   ours: communewatch-agent in the commune namespace (target every --interval s, default confirmation
 *         rounds 15 s apart), pushing over the management link to an in-process server with the default
 *         incident thresholds (3 failures) and alert route (groupWait 10 s), e-mail to a local SMTP server;
 *   peer: blackbox_exporter in the commune namespace, Prometheus scraping it every --interval s, rule
 *         `probe_success == 0` for 2 intervals (= 3 failed scrapes, like ours), evaluation every 15 s,
 *         Alertmanager with its defaults (group_wait 30 s, resolved notices on, so a second outage is
 *         announced again), e-mail to the same SMTP server.
 *
 * Each trial waits a random time (so the cut falls anywhere in the probe cycle), drops all forwarding at
 * the commune's gateway (nft), notes when each monitor's "firing" mail arrives, heals, and waits for both
 * to see the service again. Goal (issue #4): ≤ 2 probe intervals + 15 s.
 *
 * Run (root, Debian: iproute2 nftables iputils-ping prometheus prometheus-blackbox-exporter
 * prometheus-alertmanager): npm run bench:detection -- [--trials 3] [--interval 60]
 * Bounded: a hard deadline per trial and for the run; every process and the namespaces are removed in
 * `finally`, also on error or Ctrl+C. Traffic stays in the lab namespaces and on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Value } from 'typebox/value';
import { ServerConfigSchema, type ServerConfig } from '../server/config.js';
import { startServer, type RunningServer } from '../server/main.js';
import { createAgentToken } from '../server/auth/agent-tokens.js';
import { ADDR, buildLab, clearAllFaults, destroyLab, labUnavailableReason, NS, setFault } from '../tests/lab/netlab.js';
import { startSmtp, type TestSmtp } from '../tests/helpers/smtp.js';
import { unusedPort } from '../tests/helpers/ports.js';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '3' },
    interval: { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
  },
});
const TRIALS = Number(args.trials);
const INTERVAL = Number(args.interval);
if (!(TRIALS >= 1 && TRIALS <= 20) || !(INTERVAL >= 10 && INTERVAL <= 600))
  throw new Error('--trials 1-20, --interval 10-600 s');
const GOAL_S = 2 * INTERVAL + 15;
const TRIAL_DEADLINE_MS = (4 * INTERVAL + 180) * 1000;
const RUN_DEADLINE = Date.now() + TRIALS * (TRIAL_DEADLINE_MS + (2 * INTERVAL + 120) * 1000) + 120_000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AGENT_BIN = join(ROOT, 'dist', 'communewatch-agent.mjs');
const DC_SERVICES = join(ROOT, 'tests', 'lab', 'dc-services.ts');
const URL_MOTCUA = 'http://motcua.lab.test/motcua/dang-nhap';

const children: ChildProcess[] = [];
function start(argv: string[], name: string, stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [stdin, 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`${name} exited early (${code ?? signal}):\n${tail}\n`);
  });
  children.push(child);
  return child;
}
let stopping = false;

async function until<T>(what: string, probe: () => T | Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline || Date.now() > RUN_DEADLINE) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const why = labUnavailableReason();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-detect-'));
  let smtp: TestSmtp | undefined;
  let server: RunningServer | undefined;
  try {
    buildLab();
    const dc = start(
      ['ip', 'netns', 'exec', NS.dc, process.execPath, '--import', 'tsx', DC_SERVICES, ADDR.dc],
      'dc-services',
      'pipe',
    );
    await until(
      'data-centre services',
      async () => (await once(dc.stdout!, 'data'))[0].toString().includes('ready'),
      Date.now() + 30_000,
    );
    const mailbox = await startSmtp();
    smtp = mailbox;

    // ---- ours
    const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    config.host = ADDR.mgmtRoot;
    config.port = 0;
    config.dataDir = join(dir, 'server');
    config.log = { level: 'warn' };
    config.alerts = {
      ...config.alerts,
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        requireTls: false,
        from: 'CommuneWatch <bench@lab.test>',
        timeoutMs: 5000,
      },
      receivers: [{ name: 'it', email: [{ to: ['it@lab.test'] }] }],
      route: { receiver: 'it' },
    };
    server = await startServer(config, { log: pino({ level: 'warn' }) });
    const token = createAgentToken(server.store, { commune: 'LAB01', name: 'bench', now: Date.now() }).token;
    const agentConfig = join(dir, 'agent.yaml');
    writeFileSync(
      agentConfig,
      JSON.stringify({
        commune: 'LAB01',
        server: { url: server.url },
        dataDir: join(dir, 'agent'),
        system: { healthIntervalSec: 0, inventoryIntervalHours: 0 },
        path: {
          gateway: 'auto',
          resolvers: [ADDR.dc],
          probeName: 'motcua.lab.test',
          uplink: ADDR.ispNear,
          datacentre: ADDR.dc,
          intervalSec: INTERVAL,
          timeoutMs: 5000,
        },
        targets: [
          {
            name: 'motcua',
            kind: 'http',
            service: 'one-stop-shop',
            url: URL_MOTCUA,
            intervalSec: INTERVAL,
            timeoutMs: 10_000,
          },
        ],
      }),
    );
    const agent = spawn(
      'ip',
      ['netns', 'exec', NS.commune, process.execPath, '--max-semi-space-size=1', AGENT_BIN, '--config', agentConfig],
      { env: { ...process.env, COMMUNEWATCH_AGENT_TOKEN: token }, stdio: 'ignore' },
    );
    children.push(agent);

    // ---- peer
    const bbPort = 9115;
    writeFileSync(join(dir, 'blackbox.yml'), 'modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n');
    start(
      [
        'ip',
        'netns',
        'exec',
        NS.commune,
        'prometheus-blackbox-exporter',
        `--config.file=${join(dir, 'blackbox.yml')}`,
        `--web.listen-address=${ADDR.mgmtCommune}:${bbPort}`,
      ],
      'blackbox_exporter',
    );
    const amPort = await unusedPort();
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'global:',
        `  smtp_smarthost: 127.0.0.1:${smtp.port}`,
        '  smtp_from: alertmanager@lab.test',
        '  smtp_require_tls: false',
        'route:',
        '  receiver: it',
        '  group_wait: 30s',
        '  group_interval: 5m',
        '  repeat_interval: 4h',
        'receivers:',
        '  - name: it',
        '    email_configs:',
        '      - to: it@lab.test',
        '        send_resolved: true',
      ].join('\n'),
    );
    start(
      [
        'prometheus-alertmanager',
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      'alertmanager',
    );
    const promPort = await unusedPort();
    writeFileSync(
      join(dir, 'rules.yml'),
      [
        'groups:',
        '  - name: lab',
        '    rules:',
        '      - alert: ServiceDown',
        '        expr: probe_success == 0',
        `        for: ${2 * INTERVAL}s`,
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        `  scrape_interval: ${INTERVAL}s`,
        '  evaluation_interval: 15s',
        'rule_files:',
        `  - ${join(dir, 'rules.yml')}`,
        'alerting:',
        '  alertmanagers:',
        '    - static_configs:',
        `        - targets: ['127.0.0.1:${amPort}']`,
        'scrape_configs:',
        '  - job_name: motcua',
        '    metrics_path: /probe',
        '    params: { module: [http_2xx] }',
        `    scrape_timeout: 15s`,
        '    static_configs:',
        `      - targets: ['${URL_MOTCUA}']`,
        '    relabel_configs:',
        '      - { source_labels: [__address__], target_label: __param_target }',
        `      - { target_label: __address__, replacement: '${ADDR.mgmtCommune}:${bbPort}' }`,
      ].join('\n'),
    );
    start(
      [
        'prometheus',
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prom')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      'prometheus',
    );

    // Both must see the service up first.
    const up = async () => {
      const ours =
        server!.store.listResults({
          commune: 'LAB01',
          target: 'motcua',
          from: Date.now() - 2 * INTERVAL * 1000,
          limit: 1,
        })[0]?.ok === true;
      const q = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=probe_success`)
        .then((r) => r.json() as Promise<{ data?: { result?: Array<{ value: [number, string] }> } }>)
        .catch(() => undefined);
      return ours && q?.data?.result?.[0]?.value[1] === '1';
    };
    await until('both monitors seeing the service up', up, Date.now() + (3 * INTERVAL + 60) * 1000);

    const rows: Array<{ ours: number | null; peer: number | null }> = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      await sleep(Math.floor(Math.random() * INTERVAL * 1000)); // the cut falls anywhere in the probe cycle
      const before = mailbox.mails.length;
      const cutAt = Date.now();
      setFault(NS.gw, { forward: ['drop'] }); // the commune's uplink: nothing passes the gateway
      const arrival = (mine: boolean) => {
        for (let i = before; i < mailbox.mails.length; i++) {
          const subject = mailbox.mails[i]!.subject ?? '';
          if (subject.startsWith('[CommuneWatch]') === mine && !/KHẮC PHỤC|RESOLVED/.test(subject))
            return mailbox.times[i]!;
        }
        return undefined;
      };
      const deadline = cutAt + TRIAL_DEADLINE_MS;
      await until(
        'both e-mails',
        () => (arrival(true) !== undefined && arrival(false) !== undefined) || Date.now() > deadline,
        deadline + 1000,
      ).catch(() => undefined);
      const ours = arrival(true);
      const peer = arrival(false);
      rows.push({
        ours: ours === undefined ? null : (ours - cutAt) / 1000,
        peer: peer === undefined ? null : (peer - cutAt) / 1000,
      });
      process.stderr.write(
        `trial ${trial}: ours ${rows.at(-1)!.ours ?? 'none'} s, peer ${rows.at(-1)!.peer ?? 'none'} s\n`,
      );
      clearAllFaults();
      await until('both monitors seeing the service up again', up, Date.now() + (3 * INTERVAL + 120) * 1000);
      // Let our incident close and Alertmanager's alert resolve before the next cut.
      await sleep((INTERVAL + 35) * 1000);
    }

    const fmt = (v: number | null) => (v === null ? 'no mail' : v.toFixed(1));
    const stats = (vals: Array<number | null>) => {
      const got = vals.filter((v): v is number => v !== null).sort((a, b) => a - b);
      return got.length
        ? `${(got.reduce((a, b) => a + b, 0) / got.length).toFixed(1)} / ${got.at(-1)!.toFixed(1)}`
        : '-';
    };
    process.stdout.write(
      [
        'Detection latency, cut of the commune uplink → firing e-mail ' +
          `(probe interval ${INTERVAL} s, goal ≤ ${GOAL_S} s), Node ${process.version}`,
        '',
        '| trial | CommuneWatch, s | Prometheus + blackbox_exporter + Alertmanager, s |',
        '|---|---|---|',
        ...rows.map((r, i) => `| ${i + 1} | ${fmt(r.ours)} | ${fmt(r.peer)} |`),
        `| mean / worst | ${stats(rows.map((r) => r.ours))} | ${stats(rows.map((r) => r.peer))} |`,
        '',
        `Within the goal: CommuneWatch ${rows.filter((r) => r.ours !== null && r.ours <= GOAL_S).length} of ${rows.length}, ` +
          `peer ${rows.filter((r) => r.peer !== null && r.peer <= GOAL_S).length} of ${rows.length}.`,
        '',
      ].join('\n'),
    );
  } finally {
    stopping = true;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.race([
      Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined))),
      sleep(10_000),
    ]);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server?.close();
    await smtp?.close();
    destroyLab();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

process.on('SIGINT', () => {
  stopping = true;
  for (const c of children) c.kill('SIGKILL');
  destroyLab();
  process.exit(130);
});

await main();
