/**
 * The latest result of every target, in memory, so /metrics is O(targets) over a Map and never a query
 * over results. Seeded from the store at start-up and updated after each committed batch.
 */
import type { HealthToStore, InventoryToStore, ResultToStore, Store, TargetState } from '../store/store.js';

export interface LiveTarget {
  commune: string;
  target: string;
  service: string;
  kind: string;
  result: ResultToStore;
}

/** An agent's newest PC health sample and inventory (either may be missing). */
export interface LiveAgentSystem {
  commune: string;
  agent: string;
  health?: HealthToStore;
  inventory?: InventoryToStore;
}

export class LiveState {
  private readonly targets = new Map<string, LiveTarget>();
  private readonly systems = new Map<string, LiveAgentSystem>();

  static fromStore(store: Store): LiveState {
    const state = new LiveState();
    for (const t of store.latestPerTarget()) state.seed(t);
    for (const h of store.latestHealth()) state.updateSystem(h.commune, h.agent, [h.sample], []);
    for (const i of store.latestInventory()) state.updateSystem(i.commune, i.agent, [], [i.doc]);
    return state;
  }

  /** Keeps each agent's newest health sample and inventory (late arrivals never replace newer ones). */
  updateSystem(
    commune: string,
    agent: string,
    health: readonly HealthToStore[],
    inventory: readonly InventoryToStore[],
  ): void {
    const k = key(commune, agent);
    const entry = this.systems.get(k) ?? { commune, agent };
    for (const h of health) if (!entry.health || h.ts >= entry.health.ts) entry.health = h;
    for (const i of inventory) if (!entry.inventory || i.ts >= entry.inventory.ts) entry.inventory = i;
    if (entry.health || entry.inventory) this.systems.set(k, entry);
  }

  agentSystems(): IterableIterator<LiveAgentSystem> {
    return this.systems.values();
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
