/**
 * One world of the multi-commune lab (network: multi/topology.ts): the data centre runs the simulated vendor
 * app and DNS (dc-services.ts), the real server CLI (`node dist/cli/main.js server`) on a SQLite file, and
 * the lab helpers (multi/dc-aux.ts: webhook receiver, API bridge, bulk sender); each commune runs the bundled
 * agent, whose pushes cross its gateway and the ISP like every probe. Config is time-scaled (probe and path
 * intervals of 2 s, alerts grouped for 2 s) so a whole lab fits in a few minutes.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { stringify } from 'yaml';
import { buildWorld, DC_ADDR, type CommuneNet, type WorldNet } from './multi/topology.js';
import {
  AGENT_BIN,
  bulkDownload,
  cli,
  CLI,
  DC_AUX,
  DC_SERVICES,
  spawnInNs,
  waitForLine,
  type LabProcess,
} from './multi/processes.js';
import { LabApi, readMessages, type LabMessage } from './multi/observe.js';
import { waitUntil } from './multi/wait.js';

export const SERVER_PORT = 8080;
const HOOK_PORT = 9099;
const BULK_PORT = 9009;
/** Path hops (gateway, resolver, uplink, data centre) and the ICMP loss target: every 2 s. */
export const PATH_INTERVAL_SEC = 2;
/**
 * A failing service round waits for a path check of the same moment (agent/agent.ts classify), so a short
 * path budget keeps failing rounds within their interval (no skipped slots, sharp recovery times).
 */
const PATH_TIMEOUT_MS = 1000;
/**
 * Service checks (HTTP): every 3 s with 2.5 s to answer, enough for a resolver retry and a TCP
 * retransmission — under 30 % loss a real commune's pages still load, and so must the lab's.
 */
export const SERVICE_INTERVAL_SEC = 3;
const SERVICE_TIMEOUT_MS = 2500;

/** Time-scaled server thresholds: the defaults, except where a default would not fit a 5-minute lab. */
export const LAB_INCIDENTS = {
  // checkEverySec's floor; minSec (30 s) is the schema's minimum and above 3 × the 2 s probe interval.
  agentSilent: { checkEverySec: 5, minSec: 30 },
  // Scaled from 6 changes / 30 min / 10 min stable for the flapping scenario (cut 8 s, heal 8 s, 4 cycles):
  // the 6th change (the 3rd recovery, ~40 s in) falls inside the 60 s window, so the 3rd outage is held;
  // stableSec must exceed the 8 s up between cuts plus detection slack (recovery dated at its first success,
  // the next failure at its first failure: ~8–10 s apart), or the hold would close between two cuts; 15 s
  // does, and closes ~20 s after the last heal, within the scenario's closeMs.
  flap: { changes: 6, windowSec: 60, stableSec: 15 },
  // Scaled from 5 min: a congested link that comes and goes within a scenario is one incident; closes ~15 s
  // after the link is clean, within the scenario's closeMs.
  degradedHoldSec: 15,
};

export interface LabCommune extends CommuneNet {
  code: string;
  token: string;
  configFile: string;
  agent?: LabProcess;
}

export class World {
  readonly api: LabApi;
  readonly messagesFile: string;
  server!: LabProcess;
  private dc!: LabProcess;
  private aux!: LabProcess;
  private serverStarts = 0;
  private readonly serverConfig: string;

  private constructor(
    readonly net: WorldNet,
    readonly dir: string,
    readonly communes: LabCommune[],
    apiKey: string,
  ) {
    this.messagesFile = join(dir, 'messages.jsonl');
    this.api = new LabApi(join(dir, 'api.sock'), apiKey);
    this.serverConfig = join(dir, 'server.yaml');
  }

  get name(): string {
    return `world ${this.net.world}`;
  }

  commune(index: number): LabCommune {
    return this.communes[index - 1]!;
  }

  /** Builds the network, registers the agents, starts every process; resolves once each agent has pushed. */
  static async start(world: number, communeCount: number, baseDir: string): Promise<World> {
    const dir = join(baseDir, `w${world}`);
    mkdirSync(dir, { recursive: true });
    const net = buildWorld(world, communeCount);
    const data = join(dir, 'server-data');
    mkdirSync(data, { recursive: true });
    const communes: LabCommune[] = net.communes.map((c) => {
      const code = `${world}000${c.index}`;
      const token = cli(['token', 'create', '--commune', code, '--data', data]);
      return { ...c, code, token, configFile: join(dir, `agent-${code}.yaml`) };
    });
    const apiKey = cli(['api-key', 'create', '--name', 'lab', '--role', 'admin', '--data', data]);
    const w = new World(net, dir, communes, apiKey);
    w.writeServerConfig(data);
    for (const c of communes) w.writeAgentConfig(c);
    await w.startDc();
    await w.startServer();
    for (const c of communes) w.startAgent(c.index);
    await Promise.all(communes.map((c) => w.firstPush(c)));
    return w;
  }

  private writeServerConfig(data: string): void {
    const secretFile = join(this.dir, 'hook-secret');
    writeFileSync(secretFile, `lab-hook-${this.net.world}`, { mode: 0o600 });
    chmodSync(secretFile, 0o600);
    const config = {
      host: '0.0.0.0',
      port: SERVER_PORT,
      dataDir: data,
      log: { level: 'info' },
      incidents: LAB_INCIDENTS,
      alerts: {
        baseUrl: 'http://giamsat.lab.test',
        receivers: [
          {
            name: 'lab',
            webhook: [{ url: `http://127.0.0.1:${HOOK_PORT}/hook`, secret: { file: secretFile }, timeoutMs: 3000 }],
          },
        ],
        route: {
          receiver: 'lab',
          groupBy: ['cause', 'service'],
          groupWaitSec: 2,
          groupIntervalSec: 2,
          repeatIntervalSec: 3600,
          // One story per commune: its silence, network and service incidents share one group, so the
          // message after a partition can say everything at once. Central incidents group by service.
          routes: [{ match: { scope: ['local'] }, groupBy: ['commune'] }],
        },
        delivery: { minBackoffSec: 1, maxBackoffSec: 5, maxAttempts: 10, tickSec: 1 },
      },
    };
    writeFileSync(this.serverConfig, stringify(config));
  }

  private writeAgentConfig(c: LabCommune): void {
    const every = { intervalSec: SERVICE_INTERVAL_SEC, timeoutMs: SERVICE_TIMEOUT_MS };
    const config = {
      commune: c.code,
      server: { url: `http://${DC_ADDR}:${SERVER_PORT}`, timeoutMs: 3000 },
      dataDir: join(this.dir, `agent-${c.code}-data`),
      push: { idleSec: 0.5, minBackoffSec: 0.5, maxBackoffSec: 2, lingerMs: 300 },
      path: {
        gateway: c.gwLan,
        resolvers: [DC_ADDR],
        probeName: 'motcua.lab.test',
        uplink: c.ispNear,
        datacentre: DC_ADDR,
        intervalSec: PATH_INTERVAL_SEC,
        timeoutMs: PATH_TIMEOUT_MS,
      },
      system: { healthIntervalSec: 0, inventoryIntervalHours: 0 },
      log: { level: 'info' },
      targets: [
        // Over budget when every round trip waits in a congested queue (≈ 3 × 500 ms), not for one lost
        // SYN or DNS datagram (retried after 1 s), so 10 % loss alone does not make the page "slow".
        {
          name: 'motcua',
          kind: 'http',
          service: 'one-stop-shop',
          url: 'http://motcua.lab.test/motcua/dang-nhap',
          keyword: 'Đăng nhập',
          latencyBudgetMs: 1200,
          ...every,
        },
        {
          name: 'thanhtoan',
          kind: 'http',
          service: 'payment',
          url: 'http://motcua.lab.test/thanhtoan/',
          keyword: 'Thanh toán',
          ...every,
        },
        // The ICMP loss measurement a province adds for its links: service "network".
        {
          name: 'loss-to-dc',
          kind: 'icmp',
          service: 'network',
          host: DC_ADDR,
          count: 20,
          intervalMs: 20,
          intervalSec: PATH_INTERVAL_SEC,
          timeoutMs: 1900,
        },
      ],
    };
    writeFileSync(c.configFile, stringify(config));
  }

  private async startDc(): Promise<void> {
    const { dcNs } = this.net;
    this.dc = spawnInNs(
      `${this.name} dc-services`,
      dcNs,
      [process.execPath, '--import', 'tsx', DC_SERVICES, DC_ADDR],
      join(this.dir, 'dc-services.log'),
      {},
      'pipe',
    );
    const options = {
      messagesFile: this.messagesFile,
      hookPort: HOOK_PORT,
      secretFile: join(this.dir, 'hook-secret'),
      apiSocket: join(this.dir, 'api.sock'),
      serverPort: SERVER_PORT,
      bulkHost: DC_ADDR,
      bulkPort: BULK_PORT,
    };
    this.aux = spawnInNs(
      `${this.name} dc-aux`,
      dcNs,
      [process.execPath, '--import', 'tsx', DC_AUX, JSON.stringify(options)],
      join(this.dir, 'dc-aux.log'),
      {},
      'pipe',
    );
    await Promise.all([waitForLine(this.dc, 'ready'), waitForLine(this.aux, 'ready')]);
  }

  /** Starts the server CLI in the data centre on the world's SQLite file; resolves when /readyz answers. */
  async startServer(): Promise<void> {
    this.serverStarts++;
    this.server = spawnInNs(
      `${this.name} server`,
      this.net.dcNs,
      [process.execPath, CLI, 'server', '--config', this.serverConfig],
      join(this.dir, `server-${this.serverStarts}.log`),
    );
    await waitUntil(
      `${this.name} server ready`,
      () => this.api.ready(),
      (ok) => ok || !this.server.running(),
      { timeoutMs: 30_000, everyMs: 200 },
    );
    if (!this.server.running()) throw new Error(`${this.name}: the server exited at start\n${this.server.tail()}`);
  }

  /** Stops the server with `signal` (SIGTERM: graceful; SIGKILL: a crash). */
  async stopServer(signal: NodeJS.Signals): Promise<void> {
    await this.server.stop(signal, 15_000);
  }

  startAgent(index: number): LabProcess {
    const c = this.commune(index);
    c.agent = spawnInNs(
      `agent ${c.code}`,
      c.ns,
      [process.execPath, AGENT_BIN, '--config', c.configFile],
      join(this.dir, `agent-${c.code}.log`),
      { COMMUNEWATCH_AGENT_TOKEN: c.token },
    );
    return c.agent;
  }

  async killAgent(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<number> {
    const agent = this.commune(index).agent;
    const at = Date.now();
    await agent?.stop(signal, 5000);
    return at;
  }

  /** The newest stored result of a commune (any target) with ts ≥ `from`, or undefined. */
  async newestResult(code: string, from: number, target?: string) {
    return (await this.api.results({ commune: code, from, target, limit: 1 }))[0];
  }

  private async firstPush(c: LabCommune): Promise<void> {
    await waitUntil(
      `${c.code}: a healthy motcua result stored`,
      () =>
        this.api.results({ commune: c.code, target: 'motcua', from: Date.now() - 600_000, limit: 5 }).catch(() => []),
      (r) => r.some((x) => x.ok),
      {
        timeoutMs: 40_000,
        everyMs: 500,
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent log:\n${c.agent?.tail()}`);
    });
  }

  /** Sets a vendor fault for one path of the simulated app (all communes see it). */
  async vendor(path: string, fault: 'ok' | 'error503' | 'slow' | 'hang' | 'wrongPage'): Promise<number> {
    const ack = once(this.dc.child.stdout!, 'data');
    this.dc.child.stdin!.write(`${JSON.stringify({ path, fault })}\n`);
    await Promise.race([
      ack,
      new Promise((_, reject) => setTimeout(() => reject(new Error('dc-services did not answer')), 5000)),
    ]);
    return Date.now();
  }

  /** A bulk download into a commune, for the congestion fault. */
  load(index: number): { start: () => void; stop: () => void } {
    const c = this.commune(index);
    let p: LabProcess | undefined;
    return {
      start: () => {
        p = bulkDownload(c.ns, DC_ADDR, BULK_PORT, join(this.dir, `bulk-${c.code}.log`));
      },
      stop: () => {
        if (p?.running()) p.child.kill('SIGKILL');
      },
    };
  }

  messages(): LabMessage[] {
    return readMessages(this.messagesFile);
  }

  /** Stops every process of the world (agents first, so nothing pushes into a closing server). */
  async stop(): Promise<void> {
    await Promise.all(this.communes.map((c) => c.agent?.stop('SIGTERM', 5000)));
    await this.server?.stop('SIGTERM', 10_000);
    for (const p of [this.dc, this.aux]) {
      if (!p?.running()) continue;
      p.child.stdin!.end();
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000))]);
      if (p.running()) p.child.kill('SIGKILL');
    }
  }
}
