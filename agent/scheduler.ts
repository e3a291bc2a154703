/**
 * Runs each target on its own interval. The first round of every target starts at a random offset within
 * its interval, so thousands of agents started together (after a province-wide power cut, say) do not
 * probe or push on the same second. Rounds of one target never overlap: a round still running when the
 * next is due makes that slot skipped (and counted), keeping the fixed cadence.
 *
 * A failed round is confirmed sooner: up to CONFIRM_ROUNDS extra rounds run `retryIntervalSec` apart
 * (Uptime Kuma's retry interval), so the server sees three failures in a row within seconds rather than
 * minutes and opens the incident — while the fixed grid carries on unchanged.
 */

export interface ScheduledTarget {
  name: string;
  intervalSec: number;
  /** Delay of a confirmation round after a failure; none when absent or not shorter than the interval. */
  retryIntervalSec?: number;
}

/** Extra rounds after a failure: with the failed one, the server's default of 3 failures in a row. */
export const CONFIRM_ROUNDS = 2;

export interface SchedulerOptions<T extends ScheduledTarget> {
  targets: readonly T[];
  /** Resolves false when the round failed (a confirmation round follows), anything else otherwise. */
  // biome-ignore lint/suspicious/noConfusingVoidType: rounds that cannot fail return nothing at all
  runRound: (target: T) => Promise<boolean | void>;
  now?: () => number;
  random?: () => number;
  onSkipped?: (target: T) => void;
}

export class Scheduler<T extends ScheduledTarget> {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  /** Confirmation rounds run since the last success, per target. */
  private readonly confirming = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = true;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: SchedulerOptions<T>) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    this.stopped = false;
    const start = this.now();
    for (const target of this.opts.targets) {
      const intervalMs = target.intervalSec * 1000;
      this.schedule(target, start + Math.floor(this.random() * intervalMs));
    }
  }

  /** Cancels future rounds and waits for the ones in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [...this.timers.values(), ...this.retryTimers.values()]) clearTimeout(t);
    this.timers.clear();
    this.retryTimers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private schedule(target: T, at: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => this.fire(target, at), Math.max(0, at - this.now()));
    this.timers.set(target.name, timer);
  }

  private fire(target: T, dueAt: number): void {
    const intervalMs = target.intervalSec * 1000;
    // Next slot on the fixed grid, skipping any slots already in the past (e.g. after the machine slept).
    let next = dueAt + intervalMs;
    const now = this.now();
    if (next <= now) next += Math.ceil((now - next + 1) / intervalMs) * intervalMs;
    this.schedule(target, next);

    if (this.running.has(target.name)) {
      this.opts.onSkipped?.(target);
      return;
    }
    this.run(target);
  }

  private run(target: T): void {
    const round = this.opts
      .runRound(target)
      .catch(() => undefined)
      .then((ok) => this.afterRound(target, ok !== false))
      .finally(() => this.running.delete(target.name));
    this.running.set(target.name, round);
  }

  private afterRound(target: T, ok: boolean): void {
    if (ok) {
      this.confirming.delete(target.name);
      return;
    }
    const retryMs = (target.retryIntervalSec ?? Infinity) * 1000;
    const done = this.confirming.get(target.name) ?? 0;
    if (this.stopped || done >= CONFIRM_ROUNDS || retryMs >= target.intervalSec * 1000) return;
    this.confirming.set(target.name, done + 1);
    const timer = setTimeout(() => {
      this.retryTimers.delete(target.name);
      if (!this.stopped && !this.running.has(target.name)) this.run(target);
    }, retryMs);
    this.retryTimers.set(target.name, timer);
  }
}
