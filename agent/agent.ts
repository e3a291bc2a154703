/**
 * The agent as one object: config in, probes scheduled, results written to the outbox, outbox pushed. This is
 * the orchestration (start and stop, the scheduler, the path monitor, the pusher, a replaced plan, the status
 * page); what one round of one target does is in round.ts.
 * Used by the `agent` CLI command and, in-process, by `demo`.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { VERSION } from '../common/version.js';
import type { PathConfig } from '../protocol/plan.js';
import type { AgentConfig } from './config.js';
import { Outbox } from './outbox.js';
import { PathMonitor, type PathMonitorDeps } from './path/path-monitor.js';
import type { TargetConfig } from './probes/schemas.js';
import { Pusher } from './pusher.js';
import { RoundRunner } from './round.js';
import { Scheduler } from './scheduler.js';
import type { AgentSnapshot } from './snapshot.js';
import type { AgentStatusPage } from './status-page/server.js';
import { SystemReporter } from './system-reporter.js';

export interface AgentDeps {
  config: AgentConfig;
  token: string;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** Test seams for the path monitor (gateway detection, system resolvers). */
  pathDeps?: Pick<PathMonitorDeps, 'detectGateway' | 'systemResolvers'>;
}

/** The host name of the first service probed by URL, for the resolver check; IP literals do not count. */
function firstServiceHostName(targets: readonly TargetConfig[]): string | undefined {
  for (const t of targets) {
    const url = typeof t.params.url === 'string' ? t.params.url : undefined;
    const host = url ? safeHost(url) : undefined;
    if (host && isIP(host.replace(/^\[|\]$/g, '')) === 0) return host;
  }
  return undefined;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

export class Agent {
  readonly outbox: Outbox;
  readonly pusher: Pusher;
  private scheduler: Scheduler<TargetConfig>;
  private startedAt = 0;
  private readonly shutdown = new AbortController();
  private readonly now: () => number;
  private skippedRounds = 0;
  readonly path: PathMonitor;
  readonly system: SystemReporter;
  readonly rounds: RoundRunner;

  constructor(private readonly deps: AgentDeps) {
    const { config, log } = deps;
    this.now = deps.now ?? Date.now;
    this.outbox = new Outbox({
      file: join(config.dataDir, 'outbox.db'),
      maxRows: config.outbox.maxRows,
      maxAgeDays: config.outbox.maxAgeDays,
      now: this.now,
    });
    this.pusher = new Pusher({
      outbox: this.outbox,
      serverUrl: config.server.url,
      token: deps.token,
      commune: config.commune,
      batchSize: config.push.batchSize,
      minBackoffMs: config.push.minBackoffSec * 1000,
      maxBackoffMs: config.push.maxBackoffSec * 1000,
      idleMs: config.push.idleSec * 1000,
      lingerMs: config.push.lingerMs,
      requestTimeoutMs: config.server.timeoutMs,
      log: log.child({ component: 'pusher' }),
      agentStatus: () => {
        const s = this.outbox.stats();
        return {
          version: VERSION,
          hostname: hostname(),
          outboxPending: s.pending,
          outboxDroppedTotal: s.droppedTotal,
          outboxDeadLettered: s.deadLettered,
          // The server declares the agent silent after a few of these without a push.
          probeIntervalSec: this.probeIntervalSec,
        };
      },
      now: this.now,
      random: deps.random,
    });
    this.path = new PathMonitor({
      config: config.path,
      defaultProbeName: firstServiceHostName(config.targets),
      runRound: (t) => this.rounds.run(t),
      now: this.now,
      log: log.child({ component: 'path' }),
      ...deps.pathDeps,
    });
    this.rounds = new RoundRunner({
      outbox: this.outbox,
      path: this.path,
      shutdown: this.shutdown.signal,
      onResult: () => this.pusher.notify(),
      now: this.now,
      log,
    });
    this.system = new SystemReporter({
      outbox: this.outbox,
      healthIntervalSec: config.system.healthIntervalSec,
      inventoryIntervalHours: config.system.inventoryIntervalHours,
      // The server's skew is receive − send (positive when the agent is behind); the offset is the opposite.
      clockOffsetMs: () => {
        const skew = this.pusher.status().skewMs;
        return skew === null ? undefined : -skew;
      },
      onAppended: () => this.pusher.notify(),
      log: log.child({ component: 'system' }),
      now: this.now,
      random: deps.random,
    });
    this.scheduler = this.makeScheduler(config.targets);
  }

  /** Shortest round interval of the targets in use: how often results, hence pushes, are due. */
  private probeIntervalSec = 60;

  private makeScheduler(targets: readonly TargetConfig[]): Scheduler<TargetConfig> {
    if (targets.length > 0) this.probeIntervalSec = Math.min(...targets.map((t) => t.intervalSec));
    return new Scheduler({
      targets,
      // A failed round (not a stopped one) gets confirmation rounds sooner than the next slot.
      runRound: (t) => this.rounds.run(t).then((r) => r?.ok !== false),
      now: this.now,
      random: this.deps.random,
      onSkipped: (t) => {
        this.skippedRounds++;
        this.deps.log.warn({ target: t.name }, 'previous round still running; skipped this slot');
      },
    });
  }

  /**
   * Switches to a new probe plan (e.g. fetched from the server): rounds in progress finish, the new
   * targets start at fresh random offsets. Results and the outbox are untouched.
   */
  async replaceTargets(targets: TargetConfig[]): Promise<void> {
    await this.scheduler.stop();
    this.rounds.keepOnly(new Set(targets.map((t) => t.name)));
    this.scheduler = this.makeScheduler(targets);
    if (this.startedAt && !this.shutdown.signal.aborted) this.scheduler.start();
    this.deps.log.info({ targets: targets.length }, 'probe plan replaced');
  }

  /** Switches the path hops (e.g. a changed central plan); the next path check uses them. */
  replacePath(path: PathConfig): void {
    this.path.setConfig(path);
    this.deps.log.info({ path }, 'path checks replaced');
  }

  snapshot(): AgentSnapshot {
    const all = this.rounds.statuses();
    return {
      commune: this.deps.config.commune,
      version: VERSION,
      startedAt: this.startedAt,
      services: all.filter((t) => (t.result.role ?? 'service') === 'service'),
      path: all.filter((t) => (t.result.role ?? 'service') !== 'service'),
      outbox: this.outbox.stats(),
      push: this.pusher.status(),
    };
  }

  private statusPage: AgentStatusPage | undefined;

  start(): void {
    this.startedAt = this.now();
    const page = this.deps.config.statusPage;
    if (page.enabled) {
      // Loaded only when enabled (off by default): the page's code and its time-zone data cost memory.
      import('./status-page/server.js')
        .then(({ startAgentStatusPage }) =>
          startAgentStatusPage({
            host: page.host,
            port: page.port,
            snapshot: () => this.snapshot(),
            log: this.deps.log.child({ component: 'status-page' }),
            now: this.now,
          }),
        )
        .then(
          (p) => {
            this.statusPage = p;
            this.deps.log.info({ url: p.url }, 'commune status page listening');
          },
          // A busy port must not stop probing: the page is a convenience, the measurements are the job.
          (err: unknown) =>
            this.deps.log.error({ err, host: page.host, port: page.port }, 'status page could not start'),
        );
    }
    this.deps.log.info(
      {
        commune: this.deps.config.commune,
        targets: this.deps.config.targets.length,
        server: this.deps.config.server.url,
        outbox: this.outbox.stats(),
      },
      'agent started',
    );
    this.path.start();
    this.system.start();
    this.scheduler.start();
    this.pusher.start();
  }

  /** Stops probing, lets the pusher finish its current request, and closes the outbox. */
  async stop(): Promise<void> {
    // The page reads the outbox, so it goes first.
    await this.statusPage?.close();
    this.shutdown.abort();
    this.path.stop();
    await this.system.stop();
    await this.scheduler.stop();
    await this.pusher.stop();
    this.outbox.close();
    this.deps.log.info({ skippedRounds: this.skippedRounds }, 'agent stopped');
  }
}
