/**
 * Gauges computed at scrape time from in-memory state: each gauge samples every item (a target, an agent
 * PC) and sets one series per item, or several when the item carries a breakdown (phase, mount, kind).
 * reset() first, so series of items that disappeared go away instead of lingering forever.
 */
import client from 'prom-client';

/** One value, or values keyed by the extra labels; nothing when the item does not carry the figure. */
export type Samples = Array<[Record<string, string>, number]> | number | undefined;

export interface SampledGauge<T> {
  name: string;
  help: string;
  extraLabels?: readonly string[];
  sample: (item: T) => Samples;
}

export function registerSampledGauges<T>(
  registry: client.Registry,
  gauges: readonly SampledGauge<T>[],
  base: { labelNames: readonly string[]; items: () => Iterable<T>; labels: (item: T) => Record<string, string> },
): void {
  for (const g of gauges) {
    new client.Gauge({
      name: g.name,
      help: g.help,
      labelNames: [...base.labelNames, ...(g.extraLabels ?? [])],
      registers: [registry],
      collect() {
        this.reset();
        for (const item of base.items()) {
          const labels = base.labels(item);
          const s = g.sample(item);
          if (typeof s === 'number') this.set(labels, s);
          else if (Array.isArray(s)) for (const [extra, v] of s) this.set({ ...labels, ...extra }, v);
        }
      },
    });
  }
}
