/**
 * Checks the network path (gateway, resolvers, uplink, data centre) all at once, on its own interval and
 * on demand when a service fails, so the failure can be classified from the same moment. Concurrent
 * demands share one check: forty services failing together cost one path check, not forty.
 *
 * Each hop check is an ordinary probe round (role gateway/resolver/uplink/datacentre, service `network`),
 * stored and pushed like any result, so the server sees the path too. The snapshot keeps, per role, whether
 * it answered and, for ICMP hops, the share of echoes lost (classify.ts places silent failures on a lossy
 * path).
 */
import dns from 'node:dns';
import type { Logger } from 'pino';
import si from 'systeminformation';
import type { ProbeResult, TargetRole } from '../../protocol/wire.js';
import type { PathConfig } from '../../protocol/plan.js';
import type { TargetConfig } from '../probes/schemas.js';
import type { HopState, PathSnapshot } from './classify.js';
import { parseHop } from './path-config.js';

/** A hop check younger than this answers a demand without probing again. */
const REUSE_MS = 5000;
const GATEWAY_REDETECT_MS = 10 * 60_000;

export interface PathTarget extends TargetConfig {
  role: Exclude<TargetRole, 'service'>;
}

export interface PathMonitorDeps {
  config: PathConfig;
  /** Name resolved by the resolver check when config.probeName is unset. */
  defaultProbeName?: string;
  /** Undefined when the round was cut short by shutdown. */
  runRound: (target: PathTarget) => Promise<ProbeResult | undefined>;
  now: () => number;
  log: Logger;
  detectGateway?: () => Promise<string>;
  systemResolvers?: () => string[];
}

export class PathMonitor {
  private last: PathSnapshot | undefined;
  private inFlight: Promise<PathSnapshot> | undefined;
  private gateway: { host: string; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  private config: PathConfig;

  constructor(private readonly deps: PathMonitorDeps) {
    this.config = deps.config;
  }

  /** New hops (e.g. from a central plan): the next check probes them; the gateway is detected afresh. */
  setConfig(config: PathConfig): void {
    this.config = config;
    this.gateway = undefined;
    this.last = undefined;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = setInterval(() => void this.check(true), config.intervalSec * 1000);
    }
  }

  /** The latest completed snapshot, if any (for healthy results and the status page). */
  latest(): PathSnapshot | undefined {
    return this.last;
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(true), this.config.intervalSec * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A fresh snapshot: joins a check in progress, reuses one a few seconds old, else probes every hop. */
  check(force = false): Promise<PathSnapshot> {
    if (this.inFlight) return this.inFlight;
    if (!force && this.last && this.deps.now() - this.last.at < REUSE_MS) return Promise.resolve(this.last);
    this.inFlight = this.probeAll().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async probeAll(): Promise<PathSnapshot> {
    const targets = await this.targets();
    const results = await Promise.all(targets.map((t) => this.deps.runRound(t).then((r) => ({ role: t.role, r }))));
    // ICMP hops also report their loss: answering while losing most echoes is how a lossy link looks.
    const byRole = (role: PathTarget['role']): HopState | undefined => {
      const done = results.flatMap((x) => (x.role === role && x.r ? [x.r] : []));
      if (done.length === 0) return undefined;
      const losses = done.flatMap((r) => (r.icmp ? [r.icmp.lossRatio] : []));
      // Several checks of one role are up when any is; likewise the best one's loss speaks for the role.
      return { ok: done.some((r) => r.ok), ...(losses.length > 0 && { lossRatio: Math.min(...losses) }) };
    };
    const snapshot: PathSnapshot = {
      at: this.deps.now(),
      gateway: byRole('gateway'),
      resolvers: byRole('resolver'),
      uplink: byRole('uplink'),
      datacentre: byRole('datacentre'),
    };
    this.last = snapshot;
    return snapshot;
  }

  private async targets(): Promise<PathTarget[]> {
    const { config } = this;
    // No confirmation rounds here: the path monitor sets its own pace when a hop fails.
    const common = {
      service: 'network',
      intervalSec: config.intervalSec,
      timeoutMs: config.timeoutMs,
      retryIntervalSec: config.intervalSec,
    };
    const hopTarget = (name: string, role: PathTarget['role'], text: string): PathTarget => {
      const hop = parseHop(text);
      // ICMP: three quick echoes, so one lost packet does not declare a hop dead.
      return hop.port === undefined
        ? { ...common, name, role, kind: 'icmp', params: { host: hop.host, count: 3, intervalMs: 200 } }
        : { ...common, name, role, kind: 'tcp', params: { host: hop.host, port: hop.port } };
    };
    const targets: PathTarget[] = [];
    const gateway = await this.gatewayHost();
    if (gateway) targets.push(hopTarget('path-gateway', 'gateway', gateway));
    const probeName = config.probeName ?? this.deps.defaultProbeName;
    if (probeName) {
      const servers = config.resolvers ?? (this.deps.systemResolvers ?? dns.getServers)();
      servers.forEach((server, i) =>
        targets.push({
          ...common,
          name: `path-dns-${i + 1}`,
          role: 'resolver',
          kind: 'dns',
          params: { query: probeName, server, recordType: 'A' },
        }),
      );
    }
    if (config.uplink) targets.push(hopTarget('path-uplink', 'uplink', config.uplink));
    if (config.datacentre) targets.push(hopTarget('path-datacentre', 'datacentre', config.datacentre));
    return targets;
  }

  private async gatewayHost(): Promise<string | undefined> {
    const setting = this.config.gateway;
    if (setting === 'none') return undefined;
    if (setting !== 'auto') return setting;
    const now = this.deps.now();
    if (!this.gateway || now - this.gateway.at > GATEWAY_REDETECT_MS) {
      const detect = this.deps.detectGateway ?? (() => si.networkGatewayDefault());
      const host = await detect().catch((err: unknown) => {
        this.deps.log.warn({ err }, 'could not detect the default gateway');
        return '';
      });
      if (host !== this.gateway?.host) this.deps.log.info({ gateway: host || null }, 'default gateway detected');
      this.gateway = { host, at: now };
    }
    return this.gateway.host || undefined;
  }
}
