/**
 * The loaded catalogue and the plans built from it, kept current without a restart: when the file changes
 * (checked at most every few seconds, on request) it is loaded again; a new file with problems is logged
 * and the previous catalogue keeps serving, so an editing mistake never takes plans away from agents.
 * Plans are built once per commune and catalogue, then served from memory.
 */
import { statSync } from 'node:fs';
import type { Catalogue } from './catalogue-schema.js';
import { loadCatalogue } from './catalogue.js';
import { buildPlan, type BuiltPlan } from './plan-builder.js';

/** What the plan route needs: the current plan of a commune. */
export interface PlanSource {
  planFor(commune: string): BuiltPlan;
}

export interface CatalogueSourceOptions {
  file: string;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** How often a request may look at the file's modification stamp; 0 = every request. */
  checkEveryMs?: number;
  now?: () => number;
}

export class CatalogueSource implements PlanSource {
  private catalogue: Catalogue;
  private stamp: string;
  private checkedAt: number;
  private readonly plans = new Map<string, BuiltPlan>();
  private readonly now: () => number;

  /** Loads the catalogue now; throws ConfigError when it is invalid (the server must not start on it). */
  constructor(private readonly opts: CatalogueSourceOptions) {
    this.now = opts.now ?? Date.now;
    // Stamp first: a write racing with the load then shows as a change at the next check.
    this.stamp = this.readStamp();
    this.catalogue = loadCatalogue(opts.file);
    this.checkedAt = this.now();
    opts.log.info(this.summary(), 'service catalogue loaded');
  }

  planFor(commune: string): BuiltPlan {
    this.reloadIfChanged();
    let built = this.plans.get(commune);
    if (!built) {
      built = buildPlan(this.catalogue, commune);
      this.plans.set(commune, built);
    }
    return built;
  }

  private reloadIfChanged(): void {
    const now = this.now();
    if (now - this.checkedAt < (this.opts.checkEveryMs ?? 5000)) return;
    this.checkedAt = now;
    const stamp = this.readStamp();
    if (stamp === this.stamp) return;
    // Recorded even if the load fails, so a broken file is reported once, not on every request.
    this.stamp = stamp;
    try {
      this.catalogue = loadCatalogue(this.opts.file);
      this.plans.clear();
      this.opts.log.info(this.summary(), 'service catalogue changed; reloaded');
    } catch (err) {
      this.opts.log.error(
        { file: this.opts.file, problems: (err as Error).message },
        'service catalogue changed but cannot be used; still serving the previous one',
      );
    }
  }

  private readStamp(): string {
    try {
      const s = statSync(this.opts.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch (err) {
      return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  }

  private summary(): object {
    return {
      file: this.opts.file,
      services: this.catalogue.services.length,
      communeEntries: this.catalogue.communes.length,
    };
  }
}
