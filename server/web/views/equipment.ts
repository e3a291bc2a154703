/**
 * One row per commune PC (agent): its newest inventory and health sample, and the problems leaders ask
 * about — no chip reader, no scanner, little RAM or disk, an operating system out of vendor support.
 */
import type { LiveState } from '../../metrics/live-state.js';

const GIB = 1024 ** 3;
/** Below this RAM a PC struggles with the one-stop-shop web app plus signing software (domain.md). */
export const LOW_RAM_BYTES = 4 * GIB;
export const LOW_DISK_RATIO = 0.1;

export const EQUIPMENT_PROBLEMS = ['no-reader', 'no-scanner', 'low-ram', 'low-disk', 'old-os'] as const;
export type EquipmentProblem = (typeof EQUIPMENT_PROBLEMS)[number];

export interface PcRow {
  commune: string;
  agent: string;
  hostname: string;
  model: string;
  os: string;
  cpu: string;
  memTotalBytes: number | null;
  memAvailableBytes: number | null;
  cpuLoadPct: number | null;
  /** The fullest disk's free share. */
  diskFreeRatio: number | null;
  diskFreeBytes: number | null;
  readers: number | null;
  tokens: number | null;
  scanners: number | null;
  printers: number | null;
  healthAt: number | null;
  inventoryAt: number | null;
  problems: EquipmentProblem[];
}

/**
 * Windows 10 left vendor support on 14/10/2025; 7, 8 and 8.1 long before. Without extended support these
 * PCs get no security fixes while handling citizens' data.
 */
export function oldOs(distro: string): boolean {
  return /windows\s+(xp|vista|7|8(\.1)?|10)\b/i.test(distro);
}

export function pcRows(live: LiveState, commune?: string): PcRow[] {
  const rows: PcRow[] = [];
  for (const s of live.agentSystems()) {
    if (commune !== undefined && s.commune !== commune) continue;
    const inv = s.inventory;
    const h = s.health;
    let worstDisk: { free: number; size: number } | undefined;
    for (const d of h?.disks ?? []) {
      if (d.sizeBytes > 0 && (!worstDisk || d.freeBytes / d.sizeBytes < worstDisk.free / worstDisk.size))
        worstDisk = { free: d.freeBytes, size: d.sizeBytes };
    }
    const mem = inv?.memTotalBytes ?? h?.memTotalBytes ?? null;
    const os = inv?.os ? `${inv.os.distro} ${inv.os.release}`.trim() : '';
    const problems: EquipmentProblem[] = [];
    if (inv && inv.counts.smartcardReaders === 0) problems.push('no-reader');
    if (inv && inv.counts.scanners === 0) problems.push('no-scanner');
    if (mem !== null && mem < LOW_RAM_BYTES) problems.push('low-ram');
    if (worstDisk && worstDisk.free / worstDisk.size < LOW_DISK_RATIO) problems.push('low-disk');
    if (inv?.os && oldOs(inv.os.distro)) problems.push('old-os');
    rows.push({
      commune: s.commune,
      agent: s.agent,
      hostname: inv?.hostname ?? '',
      model: inv?.system ? `${inv.system.manufacturer} ${inv.system.model}`.trim() : '',
      os,
      cpu: inv?.cpu?.brand ?? '',
      memTotalBytes: mem,
      memAvailableBytes: h?.memAvailableBytes ?? null,
      cpuLoadPct: h?.cpuLoadPct ?? null,
      diskFreeRatio: worstDisk ? worstDisk.free / worstDisk.size : null,
      diskFreeBytes: worstDisk?.free ?? null,
      readers: inv?.counts.smartcardReaders ?? null,
      tokens: inv?.counts.signingTokens ?? null,
      scanners: inv?.counts.scanners ?? null,
      printers: inv?.counts.printers ?? null,
      healthAt: h?.ts ?? null,
      inventoryAt: inv?.ts ?? null,
      problems,
    });
  }
  return rows.sort((a, b) => a.commune.localeCompare(b.commune) || a.agent.localeCompare(b.agent));
}
