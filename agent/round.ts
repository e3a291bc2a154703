/**
 * One round of one target: pick the link to send from, run the probe under a hard deadline, place a failure
 * (path check, upstream dependencies), queue the result durably in the outbox, and remember it for the status
 * page. The agent (agent.ts) only decides *when* rounds run (scheduler, path monitor); this module is *what*
 * a round does, so either can change without the other.
 */
import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { ProbeOutcome, ProbeResult } from '../protocol/wire.js';
import type { Outbox } from './outbox.js';
import { classify, type Classification } from './path/classify.js';
import type { PathMonitor } from './path/path-monitor.js';
import { ProbeErrorCode } from './probes/errors.js';
import { probes } from './probes/index.js';
import type { TargetConfig } from './probes/schemas.js';
import type { TargetStatus } from './snapshot.js';

/** A probe that ignores its abort signal must still not stall its target forever. */
const HARD_DEADLINE_GRACE_MS = 2000;

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

export interface RoundRunnerDeps {
  outbox: Outbox;
  /** Path checks that place a service failure (a failure waits for a fresh one). */
  path: Pick<PathMonitor, 'latest' | 'check'>;
  /** Aborted when the agent shuts down: rounds in progress stop and report nothing. */
  shutdown: AbortSignal;
  /** Called after each result is queued (the pusher sends it soon). */
  onResult: () => void;
  now: () => number;
  log: Logger;
}

export class RoundRunner {
  /** Each target's latest result, for the status page. */
  private readonly latest = new Map<string, TargetStatus>();
  /** Whether each target's latest round succeeded, for attributing failures to upstream dependencies. */
  private readonly lastOk = new Map<string, boolean>();

  constructor(private readonly deps: RoundRunnerDeps) {}

  /**
   * Probes one target now and durably queues the result. Undefined when the agent is stopping: a round cut
   * short by shutdown measured nothing about the target and must not be reported as a timeout.
   */
  async run(target: TargetConfig): Promise<ProbeResult | undefined> {
    const ts = this.deps.now();
    const signal = AbortSignal.any([this.deps.shutdown, AbortSignal.timeout(target.timeoutMs)]);
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
                now: this.deps.now,
                log,
                sourceAddress: source.address,
                latencyBudgetMs: target.latencyBudgetMs,
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
    if (this.deps.shutdown.aborted) return undefined;
    const role = target.role ?? 'service';
    // A pinned link whose interface has no address is the commune's own link being down.
    const placement: Classification =
      'missing' in source ? { layer: 'lan' } : role === 'service' ? await this.classify(target, outcome) : {};
    this.lastOk.set(target.name, outcome.ok);
    const result = this.deps.outbox.append({
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
    this.deps.onResult();
    return result;
  }

  /** The latest state of every target that has run (services and path hops). */
  statuses(): TargetStatus[] {
    return [...this.latest.values()];
  }

  /** Drops the service targets not in `names` (a replaced plan); path hops stay (their names start `path-`). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.latest.keys()) if (!names.has(name) && !name.startsWith('path-')) this.latest.delete(name);
  }

  /** A failure waits for a path check of the same moment; a success only needs the latest one. */
  private async classify(target: TargetConfig, outcome: ProbeOutcome): Promise<Classification> {
    const path = outcome.ok ? this.deps.path.latest() : await this.deps.path.check();
    return classify({
      outcome,
      kind: target.kind,
      latencyBudgetMs: target.latencyBudgetMs,
      path,
      dependencies: target.dependsOn?.map((name) => ({ name, ok: this.lastOk.get(name) })),
    });
  }
}
