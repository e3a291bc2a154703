/**
 * Half-open time intervals [start, end) in epoch ms, and the set algebra the incident, uptime and dossier
 * work is built on. An "interval set" here is always normalised: sorted, non-empty, non-overlapping and
 * non-adjacent, so its length is the plain sum and two sets compare with deep equality.
 */
export interface Interval {
  start: number;
  end: number;
}

/** Sorts, drops empty intervals and merges overlapping or touching ones. */
export function normalise(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** Total length of a normalised set. */
export function totalMs(set: readonly Interval[]): number {
  let sum = 0;
  for (const i of set) sum += i.end - i.start;
  return sum;
}

/** Intersection of two normalised sets, in one merge pass. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]!.start, b[j]!.start);
    const end = Math.min(a[i]!.end, b[j]!.end);
    if (end > start) out.push({ start, end });
    if (a[i]!.end < b[j]!.end) i++;
    else j++;
  }
  return out;
}

/** a minus b, both normalised. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const x of a) {
    let start = x.start;
    while (j < b.length && b[j]!.end <= start) j++;
    let k = j;
    while (k < b.length && b[k]!.start < x.end) {
      if (b[k]!.start > start) out.push({ start, end: b[k]!.start });
      start = Math.max(start, b[k]!.end);
      k++;
    }
    if (start < x.end) out.push({ start, end: x.end });
  }
  return out;
}

/** The part of a normalised set inside [from, to). */
export function clip(set: readonly Interval[], from: number, to: number): Interval[] {
  return intersect(set, to > from ? [{ start: from, end: to }] : []);
}
