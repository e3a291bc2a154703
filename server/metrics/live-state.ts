/**
 * The latest result of every target, in memory, so /metrics is O(targets) over a Map and never a query
 * over results. Seeded from the store at start-up and updated after each committed batch.
 */
import type { ResultToStore, Store, TargetState } from '../store/store.js';

export interface LiveTarget {
  commune: string;
  target: string;
  service: string;
  kind: string;
  result: ResultToStore;
}

export class LiveState {
  private readonly targets = new Map<string, LiveTarget>();

  static fromStore(store: Store): LiveState {
    const state = new LiveState();
    for (const t of store.latestPerTarget()) state.seed(t);
    return state;
  }

  private seed(t: TargetState): void {
    this.targets.set(key(t.commune, t.target), {
      commune: t.commune,
      target: t.target,
      service: t.service,
      kind: t.kind,
      result: t.lastResult,
    });
  }

  /** Folds newly stored results in; a late (back-filled) result never replaces a newer one. */
  update(commune: string, results: readonly ResultToStore[]): void {
    for (const r of results) {
      const k = key(commune, r.target);
      const current = this.targets.get(k);
      if (current && current.result.ts > r.ts) continue;
      this.targets.set(k, { commune, target: r.target, service: r.service, kind: r.kind, result: r });
    }
  }

  values(): IterableIterator<LiveTarget> {
    return this.targets.values();
  }

  get size(): number {
    return this.targets.size;
  }
}

function key(commune: string, target: string): string {
  return `${commune}\u0000${target}`;
}
