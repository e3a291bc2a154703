/**
 * Runs each target on its own interval. The first round of every target starts at a random offset within
 * its interval, so thousands of agents started together (after a province-wide power cut, say) do not
 * probe or push on the same second. Rounds of one target never overlap: a round still running when the
 * next is due makes that slot skipped (and counted), keeping the fixed cadence.
 */

export interface ScheduledTarget {
  name: string;
  intervalSec: number;
}

export interface SchedulerOptions<T extends ScheduledTarget> {
  targets: readonly T[];
  runRound: (target: T) => Promise<void>;
  now?: () => number;
  random?: () => number;
  onSkipped?: (target: T) => void;
}

export class Scheduler<T extends ScheduledTarget> {
  private readonly timers = new Map<string, NodeJS.Timeout>();
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
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
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
    const round = this.opts
      .runRound(target)
      .catch(() => undefined)
      .finally(() => this.running.delete(target.name));
    this.running.set(target.name, round);
  }
}
