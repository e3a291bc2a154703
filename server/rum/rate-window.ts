/**
 * Fixed one-minute windows per key (an app key, a client IP): cheap, bounded in memory, and enough to
 * keep one runaway page or a flood from one address from filling the database. The answer says how long
 * to wait, for Retry-After.
 */
export class RateWindow {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** undefined when allowed; otherwise seconds until the window resets. */
  hit(key: string, now: number): number | undefined {
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (!w && this.windows.size >= this.maxKeys) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.perMinute ? Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) : undefined;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
    // Still full (a flood of distinct addresses): forget the oldest half rather than grow without bound.
    if (this.windows.size >= this.maxKeys)
      [...this.windows.keys()].slice(0, this.maxKeys / 2).forEach((k) => this.windows.delete(k));
  }
}
