/**
 * Overdue dossiers by verdict per commune, for /metrics: the attribution of dossiers due in the last
 * `windowDays`, recomputed at most every `everySec` (a scrape must not attribute a month of a province
 * each time; the figures move slowly anyway).
 */
import type { Summary } from './attribution-report.js';

/** The per-commune summaries behind the gauge, computed at most every `everySec`. */
export class DossierGauges {
  private cached: { at: number; byCommune: Summary[] } | undefined;

  constructor(private readonly deps: { compute: (now: number) => Summary[]; now: () => number; everySec: number }) {}

  byCommune(): Summary[] {
    const now = this.deps.now();
    if (!this.cached || now - this.cached.at >= this.deps.everySec * 1000)
      this.cached = { at: now, byCommune: this.deps.compute(now) };
    return this.cached.byCommune;
  }
}
