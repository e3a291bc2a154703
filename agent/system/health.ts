/**
 * Health sample of the commune PC, taken every few minutes: CPU, memory, disk free per mount, uptime,
 * clock offset from the server, network interface errors and drops.
 *
 * Hot path, so cheap calls only (see bench/system-info-cost.ts for the measured costs):
 * - `si.currentLoad`, `si.mem`, `si.fsSize`, `si.networkStats`; uptime and load average straight from Node.
 * - Not `si.time()`: on Linux it runs `date` synchronously (blocking the event loop) for a zone name we do not need.
 * - `networkStats` always gets explicit interface names from `os.networkInterfaces()` (local, never remote
 *   input): without them it resolves the default interface with a synchronous `ip route` / `netstat -r`
 *   on every call, and with `'*'` it runs the full `networkInterfaces()` scan.
 * Interface counters are cumulative since boot, so the first-call `null` of the `*_sec` rates never matters;
 * `currentLoad` primes itself on its first call (a 500 ms wait) and is range-checked anyway.
 *
 * Never throws: each call is bounded by a timeout, and a failed call leaves its fields out and adds
 * `"<call>: <why>"` to `errors`.
 */
import os from 'node:os';
import { loadSi } from './si.js';
import type { Systeminformation } from 'systeminformation';
import {
  SYSTEM_LIMITS,
  TEXT_LIMITS,
  type HealthDisk,
  type HealthIface,
  type HealthSample,
} from '../../protocol/system.js';

type IfaceField = 'iface' | 'operstate' | 'rx_errors' | 'tx_errors' | 'rx_dropped' | 'tx_dropped';

/** The systeminformation calls the health collector uses; a test swaps one for a failing stub. */
export interface HealthSources {
  currentLoad(): Promise<Pick<Systeminformation.CurrentLoadData, 'currentLoad'>>;
  mem(): Promise<Pick<Systeminformation.MemData, 'total' | 'available' | 'swapused'>>;
  fsSize(): Promise<Pick<Systeminformation.FsSizeData, 'mount' | 'type' | 'size' | 'available'>[]>;
  /** `ifaces` is a comma-separated list of local interface names. */
  networkStats(ifaces: string): Promise<Pick<Systeminformation.NetworkStatsData, IfaceField>[]>;
  /** Names of the interfaces to read; default: non-internal interfaces with an address, from Node. */
  interfaces?(): string[];
}

/** The real sources. */
export const siHealthSources: HealthSources = {
  currentLoad: async () => (await loadSi()).currentLoad(),
  mem: async () => (await loadSi()).mem(),
  fsSize: async () => (await loadSi()).fsSize(),
  networkStats: async (ifaces) => (await loadSi()).networkStats(ifaces),
};

export interface CollectHealthOptions {
  /** Agent clock − server clock from the last ingest ack (`-skewMs`); copied into the sample as is. */
  clockOffsetMs?: number;
  /** Injected clock (epoch ms). */
  now?: () => number;
  sources?: HealthSources;
  /** Per-call bound; a cold PowerShell start on an old Windows PC can take seconds. Default 20 s. */
  timeoutMs?: number;
}

/** Pseudo file systems whose "free space" means nothing for the PC's health (snap images are always full). */
const PSEUDO_FS = new Set(['tmpfs', 'devtmpfs', 'squashfs', 'efivarfs', 'ramfs', 'proc', 'sysfs', 'devfs']);
/** Names si would mangle (its shell sanitiser strips `&;|$…`) or split (`,`) are skipped and reported. */
const SAFE_IFACE = /^[\p{L}\p{M}\p{N} ._:()-]{1,64}$/u;

/**
 * Collect one health sample. Resolves even when every call fails (then only ts, uptime and errors are set).
 */
export async function collectHealth(opts: CollectHealthOptions = {}): Promise<HealthSample> {
  const now = opts.now ?? Date.now;
  const src = opts.sources ?? siHealthSources;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const started = performance.now();
  const errors: string[] = [];
  const sample: HealthSample = {
    ts: Math.max(0, Math.round(now())),
    disks: [],
    uptimeSec: Math.max(0, Math.round(os.uptime())),
    ifaces: [],
  };
  if (opts.clockOffsetMs !== undefined && Number.isFinite(opts.clockOffsetMs)) {
    sample.clockOffsetMs = Math.round(Math.max(-31_622_400_000, Math.min(31_622_400_000, opts.clockOffsetMs)));
  }
  // Node reports [0, 0, 0] on Windows: a fake zero is worse than no value.
  if (process.platform !== 'win32') sample.loadAvg1 = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;

  // Sequential on purpose: on Windows each call starts PowerShell, and parallel starts are the CPU spikes
  // reported in systeminformation#626 — the last thing an old commune PC needs every few minutes.
  const load = await settle('currentLoad', () => src.currentLoad(), timeoutMs, errors);
  if (load) {
    const pct = load.currentLoad;
    if (Number.isFinite(pct)) sample.cpuLoadPct = Math.round(Math.max(0, Math.min(100, pct)) * 10) / 10;
    else errors.push('currentLoad: no value yet');
  }

  const mem = await settle('mem', () => src.mem(), timeoutMs, errors);
  if (mem) {
    if (bytes(mem.total) > 0) sample.memTotalBytes = bytes(mem.total);
    if (Number.isFinite(mem.available)) sample.memAvailableBytes = bytes(mem.available);
    if (Number.isFinite(mem.swapused)) sample.swapUsedBytes = bytes(mem.swapused);
  }

  const fs = await settle('fsSize', () => src.fsSize(), timeoutMs, errors);
  for (const f of fs ?? []) {
    if (sample.disks.length >= SYSTEM_LIMITS.disks) break;
    // size 0: an empty CD drive or card slot
    if (PSEUDO_FS.has(String(f.type).toLowerCase()) || !(f.size > 0) || !Number.isFinite(f.available) || !f.mount)
      continue;
    const disk: HealthDisk = {
      mount: clip(String(f.mount), TEXT_LIMITS.mount),
      sizeBytes: bytes(f.size),
      freeBytes: bytes(f.available),
    };
    if (f.type) disk.fsType = clip(String(f.type), 32);
    sample.disks.push(disk);
  }

  const names = (src.interfaces ?? localInterfaces)();
  const unsafe = names.filter((n) => !SAFE_IFACE.test(n));
  if (unsafe.length)
    errors.push(clip(`networkStats: skipped ${unsafe.length} interface(s) with unusual names`, TEXT_LIMITS.error));
  const safe = names.filter((n) => SAFE_IFACE.test(n)).slice(0, SYSTEM_LIMITS.ifaces);
  const stats = safe.length
    ? await settle('networkStats', () => src.networkStats(safe.join(',')), timeoutMs, errors)
    : [];
  for (const s of stats ?? []) {
    const c = [s.rx_errors, s.tx_errors, s.rx_dropped, s.tx_dropped];
    if (!c.every((v) => Number.isFinite(v))) {
      errors.push(clip(`networkStats: no counters for ${s.iface}`, TEXT_LIMITS.error));
      continue;
    }
    const iface: HealthIface = {
      iface: clip(String(s.iface), 64),
      rxErrors: bytes(s.rx_errors),
      txErrors: bytes(s.tx_errors),
      rxDropped: bytes(s.rx_dropped),
      txDropped: bytes(s.tx_dropped),
    };
    if (s.operstate) iface.operstate = clip(String(s.operstate), 16);
    sample.ifaces.push(iface);
  }

  sample.collectMs = Math.round(performance.now() - started);
  if (errors.length) sample.errors = errors.slice(0, SYSTEM_LIMITS.errors);
  return sample;
}

/** Non-internal interfaces that currently have an address, in the OS's order. */
function localInterfaces(): string[] {
  const all = os.networkInterfaces();
  return Object.keys(all).filter((name) => (all[name] ?? []).some((a) => !a.internal));
}

/**
 * Run one collector call with a time bound, recording `"<name>: <why>"` in `errors` instead of throwing.
 * Resolves undefined on rejection, timeout, or a null/undefined result. A timed-out call is abandoned, not
 * killed (systeminformation has no cancellation), so its child process may finish later. Shared with inventory.ts.
 */
export async function settle<T>(
  name: string,
  fn: () => Promise<T>,
  timeoutMs: number,
  errors: string[],
): Promise<NonNullable<T> | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    const value = await Promise.race([Promise.resolve().then(fn), timeout]);
    if (value === null || value === undefined) {
      errors.push(`${name}: no data`);
      return undefined;
    }
    return value;
  } catch (err) {
    errors.push(clip(`${name}: ${err instanceof Error ? err.message : String(err)}`, TEXT_LIMITS.error));
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Clip to `max` characters after removing control characters (firmware strings can contain anything). */
export function clip(s: string, max: number): string {
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.length > max ? clean.slice(0, max) : clean;
}

/** A non-negative safe integer, or 0 for garbage. */
export function bytes(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.round(n), Number.MAX_SAFE_INTEGER) : 0;
}
