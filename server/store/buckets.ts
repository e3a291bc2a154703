/**
 * Time-bucket math for the rollup tables, and the in-memory fold of one batch into bucket aggregates.
 *
 * Buckets are aligned to a fixed UTC offset (Vietnam, UTC+7, has no DST), so "day" means local calendar
 * day and a day is always 86 400 000 ms. Folding a batch in memory before touching SQLite turns, say, a
 * 5000-result back-fill of one target into a few hundred minute rows and a handful of hour/day rows.
 */
import type { ResultToStore, Resolution } from './store.js';

export const RESOLUTIONS = ['minute', 'hour', 'day'] as const satisfies readonly Resolution[];

const WIDTH_MS: Record<Resolution, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Length of one bucket of this resolution, in ms. */
export function bucketWidthMs(resolution: Resolution): number {
  return WIDTH_MS[resolution];
}

/**
 * Start (epoch ms) of the bucket containing `ts`. Every resolution is aligned to local time; for whole-hour
 * offsets only day buckets differ from UTC alignment (e.g. offset 420: 2026-11-24T17:30Z is in the day
 * bucket starting 2026-11-24T17:00Z, local midnight of 2026-11-25).
 */
export function bucketStart(resolution: Resolution, ts: number, offsetMinutes: number): number {
  const width = WIDTH_MS[resolution];
  const offsetMs = offsetMinutes * 60_000;
  return Math.floor((ts + offsetMs) / width) * width - offsetMs;
}

/** One rollup row's worth of sums, as written to (or merged into) rollup_minute/hour/day. */
export interface BucketAggregate {
  targetId: number;
  bucket: number;
  count: number;
  okCount: number;
  latencyCount: number;
  latencySum: number;
  latencyMin: number | null;
  latencyMax: number | null;
  lossSum: number;
  lossCount: number;
}

/** Accumulates newly stored results into per-(target, bucket) aggregates for all three resolutions. */
export class RollupAccumulator {
  private readonly byResolution: Record<Resolution, Map<string, BucketAggregate>> = {
    minute: new Map(),
    hour: new Map(),
    day: new Map(),
  };

  constructor(private readonly offsetMinutes: number) {}

  add(targetId: number, result: Pick<ResultToStore, 'ts' | 'ok' | 'latencyMs' | 'icmp'>): void {
    for (const resolution of RESOLUTIONS) {
      const bucket = bucketStart(resolution, result.ts, this.offsetMinutes);
      const map = this.byResolution[resolution];
      const key = `${targetId}:${bucket}`;
      let agg = map.get(key);
      if (agg === undefined) {
        agg = {
          targetId,
          bucket,
          count: 0,
          okCount: 0,
          latencyCount: 0,
          latencySum: 0,
          latencyMin: null,
          latencyMax: null,
          lossSum: 0,
          lossCount: 0,
        };
        map.set(key, agg);
      }
      agg.count += 1;
      if (result.ok) agg.okCount += 1;
      const latency = result.latencyMs;
      if (latency !== undefined) {
        agg.latencyCount += 1;
        agg.latencySum += latency;
        agg.latencyMin = agg.latencyMin === null ? latency : Math.min(agg.latencyMin, latency);
        agg.latencyMax = agg.latencyMax === null ? latency : Math.max(agg.latencyMax, latency);
      }
      if (result.icmp !== undefined) {
        agg.lossSum += result.icmp.lossRatio;
        agg.lossCount += 1;
      }
    }
  }

  aggregates(resolution: Resolution): IterableIterator<BucketAggregate> {
    return this.byResolution[resolution].values();
  }
}

export interface ServiceHourAggregate {
  service: string;
  bucket: number;
  count: number;
  okCount: number;
  latencyCount: number;
  latencySum: number;
  latencyMax: number | null;
}

/** Accumulates newly stored results into per-(service class, hour) aggregates across communes. */
export class ServiceHourAccumulator {
  private readonly byKey = new Map<string, ServiceHourAggregate>();

  constructor(private readonly offsetMinutes: number) {}

  add(result: Pick<ResultToStore, 'service' | 'ts' | 'ok' | 'latencyMs'>): void {
    const bucket = bucketStart('hour', result.ts, this.offsetMinutes);
    const key = `${result.service}\u0000${bucket}`;
    let agg = this.byKey.get(key);
    if (agg === undefined) {
      agg = { service: result.service, bucket, count: 0, okCount: 0, latencyCount: 0, latencySum: 0, latencyMax: null };
      this.byKey.set(key, agg);
    }
    agg.count += 1;
    if (result.ok) agg.okCount += 1;
    if (result.latencyMs !== undefined) {
      agg.latencyCount += 1;
      agg.latencySum += result.latencyMs;
      agg.latencyMax = agg.latencyMax === null ? result.latencyMs : Math.max(agg.latencyMax, result.latencyMs);
    }
  }

  aggregates(): IterableIterator<ServiceHourAggregate> {
    return this.byKey.values();
  }
}
