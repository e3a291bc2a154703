/**
 * Schedules the commune PC reports: a health sample every few minutes and an equipment inventory daily
 * (the first shortly after start, so a newly installed agent shows its equipment the same day). Both go
 * through the outbox like probe results, so they survive days offline too. Timers are unref'd: the
 * reporter never keeps a stopping agent alive.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { loadSi, siLoaded } from './system/si.js';
import type { Outbox } from './outbox.js';
import {
  collectHealth,
  collectInventory,
  type CollectHealthOptions,
  type CollectInventoryOptions,
} from './system/index.js';

export interface SystemReporterOptions {
  outbox: Outbox;
  /** 0 disables health samples. */
  healthIntervalSec: number;
  /** 0 disables inventories. */
  inventoryIntervalHours: number;
  /** Agent clock − server clock, from the last acknowledgement, if known. */
  clockOffsetMs: () => number | undefined;
  onAppended: () => void;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** Test seams: systeminformation sources. */
  healthSources?: CollectHealthOptions['sources'];
  inventorySources?: CollectInventoryOptions['sources'];
}

/** The first inventory runs within this long after start, at a random point (many PCs boot at 07:30). */
const FIRST_INVENTORY_WITHIN_MS = 60_000;

export class SystemReporter {
  /** The pending timer of each task (health, inventory): one entry each, replaced at every run. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly opts: SystemReporterOptions) {}

  start(): void {
    const random = this.opts.random ?? Math.random;
    const healthMs = this.opts.healthIntervalSec * 1000;
    const inventoryMs = this.opts.inventoryIntervalHours * 3_600_000;
    // Windows: every systeminformation call would start its own PowerShell; one persistent one serves all.
    if (process.platform === 'win32' && (healthMs > 0 || inventoryMs > 0))
      void loadSi().then((si) => si.powerShellStart());
    if (healthMs > 0) this.every('health', healthMs, random() * healthMs, () => this.health());
    if (inventoryMs > 0)
      this.every('inventory', inventoryMs, random() * Math.min(FIRST_INVENTORY_WITHIN_MS, inventoryMs), () =>
        this.inventory(),
      );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    if (process.platform === 'win32' && siLoaded()) (await loadSi()).powerShellRelease();
  }

  /** Takes and queues one health sample now. */
  async health(): Promise<void> {
    const sample = await collectHealth({
      clockOffsetMs: this.opts.clockOffsetMs(),
      now: this.opts.now,
      sources: this.opts.healthSources,
    });
    if (this.stopped) return;
    const seq = this.opts.outbox.appendRecord('health', { id: randomUUID(), ...sample });
    this.opts.log.debug({ seq, errors: sample.errors }, 'health sample queued');
    this.opts.onAppended();
  }

  /** Takes and queues one inventory now. */
  async inventory(): Promise<void> {
    const doc = await collectInventory({ now: this.opts.now, sources: this.opts.inventorySources });
    if (this.stopped) return;
    const seq = this.opts.outbox.appendRecord('inventory', { id: randomUUID(), ...doc });
    this.opts.log.info({ seq, counts: doc.counts, errors: doc.errors }, 'equipment inventory queued');
    this.opts.onAppended();
  }

  private every(name: string, intervalMs: number, firstDelayMs: number, task: () => Promise<void>): void {
    const schedule = (delayMs: number) => {
      const t = setTimeout(run, delayMs);
      t.unref();
      this.timers.set(name, t);
    };
    const run = () => {
      if (this.stopped) return;
      const p = task()
        .catch((err: unknown) => this.opts.log.error({ err, task: name }, 'PC report failed'))
        .finally(() => this.running.delete(p));
      this.running.add(p);
      schedule(intervalMs);
    };
    schedule(firstDelayMs);
  }
}
