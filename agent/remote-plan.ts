/**
 * The probe plan from the server (GET /api/v1/agent/config): fetched with the agent token and the last
 * ETag, checked by the same rules as the local config file (probe-plan.ts), kept on disk, merged with the
 * local targets, and handed to the agent only when the merged targets changed.
 *
 * A server that is down, slow or wrong never costs the commune its monitoring: the agent starts from the
 * last good plan on disk (or its local targets alone), and a plan that fails the checks is logged with its
 * reasons and ignored, so the last good one keeps running.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { VERSION } from '../common/version.js';
import { canonicalJson, PLAN_PATH, type PathConfig, type ProbePlan } from '../protocol/plan.js';
import type { AgentConfig } from './config.js';
import { checkPlan, mergeTargets } from './probe-plan.js';
import type { TargetConfig } from './probes/schemas.js';
import { serverRequest } from './server-client.js';

export const PLAN_FILE = 'plan.json';
/** A full plan (1,000 targets) is far below this; anything larger is not a plan. */
const MAX_PLAN_BYTES = 4 * 1024 * 1024;

/** The body as text, or undefined once it passes `max` bytes (read no further: a proxy may send anything). */
export interface MergedPlan {
  targets: TargetConfig[];
  path: PathConfig;
  /** Version of the server plan in use; null when running on local targets only. */
  version: string | null;
}

export interface RemotePlanDeps {
  config: AgentConfig;
  token: string;
  log: Logger;
  /** The local file has its own `path:` section, which then wins over the plan's. */
  localPath: boolean;
  /** Switches the agent to a changed plan (Agent.replaceTargets); called only when the targets changed. */
  apply: (plan: MergedPlan) => Promise<void>;
  /** Switches the path hops when the merged plan's path section changed (Agent.replacePath). */
  applyPath?: (path: PathConfig) => void;
  now?: () => number;
  random?: () => number;
}

export type RefreshOutcome = 'unchanged' | 'updated' | 'rejected' | 'failed';

interface GoodPlan {
  etag: string;
  fetchedAt: number;
  plan: ProbePlan;
  targets: TargetConfig[];
  path?: PathConfig;
}

export class RemotePlan {
  private good: GoodPlan | undefined;
  private appliedTargets = '';
  private appliedPath = '';
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private current: Promise<unknown> = Promise.resolve();
  private failing = false;
  private lastRejected: string | undefined;
  private lastError: string | null = null;
  private lastCheckAt: number | null = null;
  private readonly url: URL;
  private readonly file: string;
  private readonly now: () => number;

  constructor(private readonly deps: RemotePlanDeps) {
    const base = deps.config.server.url;
    this.url = new URL(PLAN_PATH, base.endsWith('/') ? base : `${base}/`);
    this.file = join(deps.config.dataDir, PLAN_FILE);
    this.now = deps.now ?? Date.now;
  }

  /** Reads the last good plan from disk (checked again: the agent or its config may have changed since). */
  loadCache(): MergedPlan {
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      this.deps.log.info(
        { file: this.file },
        'no cached probe plan yet; using the local targets until the server answers',
      );
    }
    if (text !== undefined) {
      try {
        const cached = JSON.parse(text) as { etag?: unknown; fetchedAt?: unknown; plan?: unknown };
        const check = checkPlan(cached.plan, this.deps.config);
        if (!check.ok) throw new Error(check.reasons.join('; '));
        const etag = typeof cached.etag === 'string' ? cached.etag : `"${check.plan.version}"`;
        this.good = {
          etag,
          fetchedAt: Number(cached.fetchedAt) || 0,
          plan: check.plan,
          targets: check.targets,
          ...(check.path && { path: check.path }),
        };
        this.deps.log.info(
          { version: check.plan.version, targets: check.targets.length, fetchedAt: this.good.fetchedAt },
          'using the cached probe plan',
        );
      } catch (err) {
        this.deps.log.warn({ file: this.file, reason: (err as Error).message }, 'cached probe plan ignored');
      }
    }
    const merged = this.merged();
    this.appliedTargets = canonicalJson(merged.targets);
    this.appliedPath = canonicalJson(merged.path);
    return merged;
  }

  merged(): MergedPlan {
    const { config, localPath } = this.deps;
    return {
      targets: mergeTargets(this.good?.targets ?? [], config.targets),
      path: localPath || !this.good?.path ? config.path : this.good.path,
      version: this.good?.plan.version ?? null,
    };
  }

  /** For the status page: which plan runs and whether the server has been answering. */
  status(): { version: string | null; fetchedAt: number | null; lastCheckAt: number | null; lastError: string | null } {
    return {
      version: this.good?.plan.version ?? null,
      fetchedAt: this.good?.fetchedAt ?? null,
      lastCheckAt: this.lastCheckAt,
      lastError: this.lastError,
    };
  }

  /** Checks now, then every plan.refreshSec (±10 %). With a cached plan the first check is spread over a minute. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const random = this.deps.random ?? Math.random;
    const periodMs = this.deps.config.plan.refreshSec * 1000;
    const next = (ms: number) => {
      this.timer = setTimeout(() => {
        this.current = this.refresh().finally(() => {
          if (this.running) next(periodMs * (0.9 + 0.2 * random()));
        });
      }, ms);
      // The agent's own timers keep the process alive; this one must never be the reason it stays up.
      this.timer.unref();
    };
    next(this.good ? random() * Math.min(60_000, periodMs) : 0);
  }

  /** Stops the loop and waits for a check in progress, so no plan is applied to a stopped agent. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.inFlight?.abort();
    await this.current.catch(() => undefined);
  }

  /** One check with the server. Never throws: every failure keeps the plan in use and is logged. */
  async refresh(): Promise<RefreshOutcome> {
    const { config, token, log } = this.deps;
    const controller = new AbortController();
    this.inFlight = controller;
    let body: string;
    let etag: string | null;
    try {
      const res = await serverRequest({
        method: 'GET',
        url: this.url,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'user-agent': `CommuneWatch-Agent/${VERSION}`,
          ...(this.good && { 'if-none-match': this.good.etag }),
        },
        timeoutMs: config.server.timeoutMs,
        maxResponseBytes: MAX_PLAN_BYTES,
        signal: controller.signal,
      });
      this.lastCheckAt = this.now();
      if (res.status === 304) return this.succeeded('unchanged');
      if (res.status !== 200) {
        const hint = res.status === 404 ? ' (no catalogue configured on the server?)' : '';
        return this.failed(`server answered ${res.status}${hint}: ${(res.body ?? '').slice(0, 200)}`);
      }
      if (res.body === undefined)
        return this.rejected('(too large)', [`the body is larger than a plan can be (${MAX_PLAN_BYTES} bytes)`]);
      etag = res.headers.etag ?? null;
      body = res.body;
    } catch (err) {
      // Aborted by stop(): shutting down, nothing to report.
      if (controller.signal.aborted) return 'failed';
      return this.failed(`server unreachable: ${(err as Error).message}`);
    } finally {
      this.inFlight = undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (err) {
      return this.rejected('(not JSON)', [`the body is not JSON: ${(err as Error).message}`]);
    }
    const check = checkPlan(data, config);
    if (!check.ok) return this.rejected((data as { version?: string })?.version ?? '(unknown)', check.reasons);
    const fetchedAt = this.now();
    this.good = {
      etag: etag ?? `"${check.plan.version}"`,
      fetchedAt,
      plan: check.plan,
      targets: check.targets,
      ...(check.path && { path: check.path }),
    };
    this.lastRejected = undefined;
    this.writeCache({ etag: this.good.etag, fetchedAt, plan: check.plan });
    log.info({ version: check.plan.version, targets: check.targets.length }, 'probe plan received from the server');
    await this.applyIfChanged();
    return this.succeeded('updated');
  }

  private async applyIfChanged(): Promise<void> {
    const merged = this.merged();
    const path = canonicalJson(merged.path);
    if (path !== this.appliedPath) {
      if (this.deps.applyPath) this.deps.applyPath(merged.path);
      else this.deps.log.warn('the path section of the plan changed; it takes effect when the agent restarts');
      this.appliedPath = path;
    }
    const targets = canonicalJson(merged.targets);
    if (targets === this.appliedTargets) {
      this.deps.log.debug({ version: merged.version }, 'probe plan unchanged after merging the local targets');
      return;
    }
    try {
      await this.deps.apply(merged);
      this.appliedTargets = targets;
    } catch (err) {
      // Not marked as applied: the next check tries again.
      this.deps.log.error({ err }, 'switching to the new probe plan failed');
    }
  }

  /** Written whole to a temp file and renamed, so a power cut leaves the old plan or the new, never half. */
  private writeCache(content: { etag: string; fetchedAt: number; plan: ProbePlan }): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      mkdirSync(this.deps.config.dataDir, { recursive: true });
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, JSON.stringify(content));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
    } catch (err) {
      this.deps.log.warn(
        { err, file: this.file },
        'could not cache the probe plan; it still runs, but not after a restart without the server',
      );
    }
  }

  private succeeded(outcome: RefreshOutcome): RefreshOutcome {
    if (this.failing) this.deps.log.info('plan server answering again');
    this.failing = false;
    this.lastError = null;
    return outcome;
  }

  /** Logged loudly once per outage, then quietly: a commune may be cut off for days. */
  private failed(reason: string): RefreshOutcome {
    this.deps.log[this.failing ? 'debug' : 'warn'](
      { reason, version: this.good?.plan.version ?? null },
      'could not check the probe plan; keeping the current one',
    );
    this.failing = true;
    this.lastError = reason;
    return 'failed';
  }

  /** Logged as an error once per bad plan version: somebody must fix the catalogue. */
  private rejected(version: string, reasons: string[]): RefreshOutcome {
    const level = this.lastRejected === version ? 'debug' : 'error';
    this.deps.log[level](
      { version, reasons, keeping: this.good?.plan.version ?? null },
      'probe plan from the server rejected; keeping the last good plan',
    );
    this.lastRejected = version;
    this.failing = false;
    this.lastError = `plan ${version} rejected: ${reasons.join('; ')}`;
    return 'rejected';
  }
}
