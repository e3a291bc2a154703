/** Web vitals kept as fixed-bucket histograms: the same bounds in SQLite and in Prometheus. */
export const VITALS = ['lcp', 'inp', 'cls', 'ttfb', 'fcp'] as const;
export type Vital = (typeof VITALS)[number];

/** Upper bounds: milliseconds for timings (Google's good/poor thresholds among them), unitless for CLS. */
export const TIMING_BOUNDS_MS = [
  100, 200, 300, 500, 800, 1000, 1500, 1800, 2000, 2500, 3000, 4000, 5000, 8000, 10000, 20000,
];
export const CLS_BOUNDS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1];

export function boundsOf(metric: Vital): number[] {
  return metric === 'cls' ? CLS_BOUNDS : TIMING_BOUNDS_MS;
}

/** Index of the bucket for `value` (the last index is +Inf). */
export function bucketIndex(metric: Vital, value: number): number {
  const bounds = boundsOf(metric);
  const i = bounds.findIndex((b) => value <= b);
  return i === -1 ? bounds.length : i;
}
