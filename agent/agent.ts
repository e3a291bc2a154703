/**
 * The agent as one object: config in, probes scheduled, results written to the outbox, outbox pushed.
 * Used by the `agent` CLI command and, in-process, by `demo`.
 */
import { randomUUID } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { ProbeOutcome, ProbeResult } from '../protocol/wire.js';
import type { AgentConfig, TargetConfig } from './config.js';
import { Outbox } from './outbox.js';
import { Pusher } from './pusher.js';
import { Scheduler } from './scheduler.js';
import { probes } from './probes/index.js';
import { ProbeErrorCode } from './probes/errors.js';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { VERSION } from '../common/version.js';
import { PathMonitor, type PathMonitorDeps } from './path/path-monitor.js';
import type { PathConfig } from './path/path-config.js';
import { classify, type Classification } from './path/classify.js';
import { SystemReporter } from './system-reporter.js';
import type { AgentStatusPage } from './status-page/server.js';

/**
 * The local address a pinned target sends from. An interface is looked up at every round: a USB modem or
 * a TSLCD router port can come and go, and "no address" is itself the finding.
 */
function resolveSource(target: TargetConfig): { address?: string } | { missing: string } {
  if (target.sourceAddress) return { address: target.sourceAddress };
  if (!target.sourceInterface) return {};
  const addresses = networkInterfaces()[target.sourceInterface] ?? [];
  const usable = addresses.filter((a) => !a.internal && !(a.family === 'IPv6' && a.address.startsWith('fe80')));
  const chosen = usable.find((a) => a.family === 'IPv4') ?? usable[0];
  if (chosen) return { address: chosen.address };
  return { missing: `network interface ${target.sourceInterface} is missing or has no address (link down?)` };
}

/** A probe that ignores its abort signal must still not stall its target forever. */
const HARD_DEADLINE_GRACE_MS = 2000;

function withHardDeadline(run: Promise<ProbeOutcome>, ms: number, started: number): Promise<ProbeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          durationMs: performance.now() - started,
          error: { code: ProbeErrorCode.TIMEOUT, message: `probe did not finish within ${ms} ms` },
        }),
      ms,
    );
  });
  return Promise.race([run, deadline]).finally(() => clearTimeout(timer));
}

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

/** A target's latest result, and since when it has been in its current state (up, or down at a layer). */
export interface TargetStatus {
  result: ProbeResult;
  since: number;
}

/** What the agent knows right now, for its local status page. */
export interface AgentSnapshot {
  commune: string;
  version: string;
  startedAt: number;
  services: TargetStatus[];
  path: TargetStatus[];
  outbox: ReturnType<Outbox['stats']>;
  push: ReturnType<Pusher['status']>;
}

export class Agent {
  readonly outbox: Outbox;
  readonly pusher: Pusher;
  private scheduler: Scheduler<TargetConfig>;
  private readonly latest = new Map<string, TargetStatus>();
  private startedAt = 0;
  private readonly shutdown = new AbortController();
  private readonly now: () => number;
  private skippedRounds = 0;
  readonly path: PathMonitor;
  readonly system: SystemReporter;
  /** Whether each target's latest round succeeded, for attributing failures to upstream dependencies. */
  private readonly lastOk = new Map<string, boolean>();

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
      runRound: (t) => this.runRound(t),
      now: this.now,
      log: log.child({ component: 'path' }),
      ...deps.pathDeps,
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
      runRound: (t) => this.runRound(t).then((r) => r?.ok !== false),
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
    const names = new Set(targets.map((t) => t.name));
    for (const name of this.latest.keys()) if (!names.has(name) && !name.startsWith('path-')) this.latest.delete(name);
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
    const all = [...this.latest.values()];
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

  /**
   * Probes one target now and durably queues the result. Undefined when the agent is stopping: a round cut
   * short by shutdown measured nothing about the target and must not be reported as a timeout.
   */
  async runRound(target: TargetConfig): Promise<ProbeResult | undefined> {
    const ts = this.now();
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(target.timeoutMs)]);
    const log = this.deps.log.child({ target: target.name });
    const started = performance.now();
    let outcome: ProbeOutcome;
    const source = resolveSource(target);
    try {
      outcome =
        'missing' in source
          ? { ok: false, durationMs: 0, error: { code: ProbeErrorCode.UNREACHABLE, message: source.missing } }
          : await withHardDeadline(
              probes[target.kind].run(target.params as never, {
                signal,
                timeoutMs: target.timeoutMs,
                now: this.now,
                log,
                sourceAddress: source.address,
              }),
              target.timeoutMs + HARD_DEADLINE_GRACE_MS,
              started,
            );
    } catch (err) {
      log.error({ err }, 'probe threw; recorded as an internal error');
      outcome = {
        ok: false,
        durationMs: performance.now() - started,
        error: { code: ProbeErrorCode.INTERNAL, message: (err as Error).message ?? String(err) },
      };
    }
    if (this.shutdown.signal.aborted) return undefined;
    const role = target.role ?? 'service';
    // A pinned link whose interface has no address is the commune's own link being down.
    const placement: Classification =
      'missing' in source ? { layer: 'lan' } : role === 'service' ? await this.classify(target, outcome) : {};
    this.lastOk.set(target.name, outcome.ok);
    const result = this.outbox.append({
      id: randomUUID(),
      ts,
      target: target.name,
      kind: target.kind,
      service: target.service,
      role,
      ...(target.link && { link: target.link }),
      ...placement,
      ...outcome,
    });
    const previous = this.latest.get(target.name);
    const sameState = previous && previous.result.ok === result.ok && previous.result.layer === result.layer;
    this.latest.set(target.name, { result, since: sameState ? previous.since : result.ts });
    log.debug(
      { seq: result.seq, ok: result.ok, latencyMs: result.latencyMs, error: result.error?.code, layer: result.layer },
      'round done',
    );
    this.pusher.notify();
    return result;
  }

  /** A failure waits for a path check of the same moment; a success only needs the latest one. */
  private async classify(target: TargetConfig, outcome: ProbeOutcome): Promise<Classification> {
    const path = outcome.ok ? this.path.latest() : await this.path.check();
    return classify({
      outcome,
      kind: target.kind,
      latencyBudgetMs: target.latencyBudgetMs,
      path,
      dependencies: target.dependsOn?.map((name) => ({ name, ok: this.lastOk.get(name) })),
    });
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
