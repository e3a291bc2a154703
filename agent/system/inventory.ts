/**
 * Daily equipment inventory of the commune PC: model, CPU, RAM, disks, OS, USB devices classified as
 * chip reader / signing token / scanner / printer / other, and print queues — so "which communes lack a
 * chip reader" or "run < 4 GB RAM" is one query on the server.
 *
 * These are the slow calls (each spawns dmidecode/lsblk/lsusb on Linux, one or more PowerShell commands on
 * Windows; see bench/system-info-cost.ts), so run this at agent start and once a day, never on the health path.
 * Calls run one after another to spread the load on old PCs.
 *
 * Windows: `si.usb()` cannot see smart-card readers or scanners (see usb-classes.ts), so one extra fixed
 * PowerShell query lists Win32_PnPEntity USB rows with their class codes. Its command line is a constant;
 * nothing from the server ever reaches it or systeminformation.
 *
 * Never throws: each call is bounded, and a failed call leaves its part out and is named in `errors`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { loadSi } from './si.js';
import type { Systeminformation } from 'systeminformation';
import {
  SYSTEM_LIMITS,
  TEXT_LIMITS,
  type InventoryDisk,
  type InventoryDoc,
  type InventoryPrinter,
} from '../../protocol/system.js';
import { bytes, clip, settle } from './health.js';
import { usbInventory } from './usb-classes.js';

/** The calls the inventory collector uses; a test swaps one for a failing stub. */
export interface InventorySources {
  system(): Promise<Pick<Systeminformation.SystemData, 'manufacturer' | 'model' | 'serial' | 'virtual'>>;
  cpu(): Promise<Pick<Systeminformation.CpuData, 'manufacturer' | 'brand' | 'cores' | 'physicalCores' | 'speed'>>;
  osInfo(): Promise<Pick<Systeminformation.OsData, 'platform' | 'distro' | 'release' | 'arch' | 'build' | 'hostname'>>;
  mem(): Promise<Pick<Systeminformation.MemData, 'total'>>;
  diskLayout(): Promise<Pick<Systeminformation.DiskLayoutData, 'device' | 'type' | 'name' | 'size'>[]>;
  /** Fallback when diskLayout lists nothing (VMs, some containers). */
  blockDevices(): Promise<
    Pick<Systeminformation.BlockDevicesData, 'name' | 'type' | 'size' | 'model' | 'physical' | 'device'>[]
  >;
  usb(): Promise<readonly unknown[]>;
  printer(): Promise<Pick<Systeminformation.PrinterData, 'name' | 'model' | 'local' | 'default'>[]>;
  /** Win32_PnPEntity USB rows; absent off Windows. */
  windowsUsb?: () => Promise<readonly unknown[]>;
}

/**
 * Constant PowerShell query for USB PnP entities. CompatibleID carries `USB\Class_0B…` per interface and
 * PNPClass the setup class (SmartCardReader, Image, Printer…). UTF-8 output so Vietnamese driver names survive.
 */
const PNP_QUERY =
  '[Console]::OutputEncoding=[Text.Encoding]::UTF8; ' +
  "Get-CimInstance -ClassName Win32_PnPEntity | Where-Object { $_.PNPDeviceID -like 'USB\\VID_*' } | " +
  'Select-Object Name,Manufacturer,PNPClass,PNPDeviceID,CompatibleID | ConvertTo-Json -Compress';

/** Run PNP_QUERY (Windows only). */
export function windowsPnpUsb(timeoutMs = 60_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const args = ['-NoProfile', '-NonInteractive', '-Command', PNP_QUERY];
    execFile(
      'powershell.exe',
      args,
      { timeout: timeoutMs, windowsHide: true, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => {
        if (err) return reject(new Error(`powershell: ${err.message.split('\n')[0]}`));
        try {
          resolve(parsePnpJson(stdout));
        } catch {
          reject(new Error('powershell: output is not JSON'));
        }
      },
    );
  });
}

/** Parse PNP_QUERY output: `ConvertTo-Json` prints a bare object for one row and nothing for none. */
export function parsePnpJson(stdout: string): unknown[] {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  const parsed: unknown = text ? JSON.parse(text) : [];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** The real sources. */
export const siInventorySources: InventorySources = {
  system: async () => (await loadSi()).system(),
  cpu: async () => (await loadSi()).cpu(),
  osInfo: async () => (await loadSi()).osInfo(),
  mem: async () => (await loadSi()).mem(),
  diskLayout: async () => (await loadSi()).diskLayout(),
  blockDevices: async () => (await loadSi()).blockDevices(),
  usb: async () => (await loadSi()).usb(),
  printer: async () => (await loadSi()).printer(),
  ...(process.platform === 'win32' ? { windowsUsb: () => windowsPnpUsb() } : {}),
};

export interface CollectInventoryOptions {
  now?: () => number;
  sources?: InventorySources;
  /** Per-call bound; diskLayout on Windows also queries SMART and can take many seconds. Default 120 s. */
  timeoutMs?: number;
}

/** Firmware placeholders that mean "no serial" (cheap desktop boards ship them). */
const NO_SERIAL = /^(-|0+|none|n\/a|default string|to be filled by o\.e\.m\.|system serial number|not specified|\s*)$/i;
/** Print queues that are not a device: PDF/XPS writers, OneNote, fax. */
const VIRTUAL_PRINTER = /pdf|xps|onenote|fax|send to|document writer/i;

/** Collect the inventory document. Resolves even when every call fails. */
export async function collectInventory(opts: CollectInventoryOptions = {}): Promise<InventoryDoc> {
  const src = opts.sources ?? siInventorySources;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const started = performance.now();
  const errors: string[] = [];
  const call = <T>(name: string, fn: () => Promise<T>) => settle(name, fn, timeoutMs, errors);
  const doc: InventoryDoc = {
    ts: Math.max(0, Math.round((opts.now ?? Date.now)())),
    hostname: clip(os.hostname(), 255),
    disks: [],
    usb: [],
    printers: [],
    counts: { smartcardReaders: 0, signingTokens: 0, scanners: 0, printers: 0 },
  };

  const sys = await call('system', () => src.system());
  if (sys) {
    doc.system = {
      manufacturer: clip(String(sys.manufacturer ?? ''), TEXT_LIMITS.name),
      model: clip(String(sys.model ?? ''), TEXT_LIMITS.name),
    };
    const serial = clip(String(sys.serial ?? ''), TEXT_LIMITS.name);
    if (!NO_SERIAL.test(serial)) doc.system.serial = serial;
    if (typeof sys.virtual === 'boolean') doc.system.virtual = sys.virtual;
  }

  const cpu = await call('cpu', () => src.cpu());
  if (cpu) {
    doc.cpu = {
      brand: clip(String(cpu.brand ?? ''), TEXT_LIMITS.name),
      cores: Math.min(4096, bytes(cpu.cores)),
      physicalCores: Math.min(4096, bytes(cpu.physicalCores)),
      speedGHz: Number.isFinite(cpu.speed) ? Math.max(0, Math.min(100, cpu.speed)) : 0,
    };
    if (cpu.manufacturer) doc.cpu.manufacturer = clip(String(cpu.manufacturer), 64);
  }

  const osi = await call('osInfo', () => src.osInfo());
  if (osi) {
    doc.os = {
      platform: clip(String(osi.platform ?? ''), 32),
      distro: clip(String(osi.distro ?? ''), TEXT_LIMITS.name),
      release: clip(String(osi.release ?? ''), 64),
      arch: clip(String(osi.arch ?? ''), 32),
    };
    if (osi.build) doc.os.build = clip(String(osi.build), 64);
    if (osi.hostname) doc.hostname = clip(String(osi.hostname), 255);
  }

  const mem = await call('mem', () => src.mem());
  if (mem && bytes(mem.total) > 0) doc.memTotalBytes = bytes(mem.total);

  const layout = await call('diskLayout', () => src.diskLayout());
  for (const d of list(layout))
    pushDisk(doc.disks, { device: d.device, type: d.type, sizeBytes: bytes(d.size), name: d.name });
  if (layout && layout.length === 0) {
    const blocks = await call('blockDevices', () => src.blockDevices());
    for (const b of list(blocks)) {
      // zram/loop/ram are memory, not disks
      if (b.type !== 'disk' || /^(zram|loop|ram)/.test(b.name)) continue;
      pushDisk(doc.disks, {
        device: b.device ?? `/dev/${b.name}`,
        type: b.physical,
        sizeBytes: bytes(b.size),
        name: b.model || undefined,
      });
    }
  }

  const siUsb = list(await call('usb', () => src.usb()));
  const pnp = src.windowsUsb ? list(await call('windowsUsb', src.windowsUsb)) : [];
  const usb = usbInventory(siUsb, pnp);
  doc.usb = usb.devices.slice(0, SYSTEM_LIMITS.usb);
  doc.usbSeen = usb.devices.length;
  if (siUsb.length === 0 && !src.windowsUsb) {
    const bus = sysfsUsbDevices();
    // si.usb() answers [] when lsusb is missing; an empty list must not read as "no chip reader".
    if (bus > 0)
      errors.push(`usb: lsusb listed nothing while /sys/bus/usb has ${bus} device(s); is usbutils installed?`);
  }

  const printers = list(await call('printer', () => src.printer()));
  for (const p of printers.slice(0, SYSTEM_LIMITS.printers)) {
    const entry: InventoryPrinter = { name: clip(String(p.name ?? ''), 256) };
    if (p.model) entry.model = clip(String(p.model), 256);
    if (typeof p.local === 'boolean') entry.local = p.local;
    if (typeof p.default === 'boolean') entry.default = p.default;
    if (VIRTUAL_PRINTER.test(`${p.name} ${p.model ?? ''}`)) entry.virtual = true;
    doc.printers.push(entry);
  }
  const queues = printers.filter((p) => !VIRTUAL_PRINTER.test(`${p.name} ${p.model ?? ''}`)).length;

  doc.counts = {
    smartcardReaders: usb.counts['smartcard-reader'],
    signingTokens: usb.counts['signing-token'],
    scanners: usb.counts.scanner,
    // A USB printer without a driver has no queue, and a network printer has no USB device: take the larger.
    printers: Math.max(usb.counts.printer, queues),
  };
  doc.collectMs = Math.round(performance.now() - started);
  if (errors.length) doc.errors = errors.slice(0, SYSTEM_LIMITS.errors);
  return doc;
}

/** si answers null on platforms it does not support; treat anything but an array as empty. */
function list<T>(v: readonly T[] | undefined): readonly T[] {
  return Array.isArray(v) ? v : [];
}

function pushDisk(
  disks: InventoryDisk[],
  d: { device?: string; type?: string; sizeBytes: number; name?: string },
): void {
  if (disks.length >= SYSTEM_LIMITS.physicalDisks || d.sizeBytes <= 0) return;
  const disk: InventoryDisk = { sizeBytes: d.sizeBytes };
  if (d.device) disk.device = clip(d.device, TEXT_LIMITS.name);
  if (d.type) disk.type = clip(d.type, 32);
  if (d.name) disk.name = clip(d.name, TEXT_LIMITS.name);
  disks.push(disk);
}

/** USB devices the Linux kernel sees (`1-2`; root hubs `usb1` and interfaces `1-2:1.0` excluded). */
function sysfsUsbDevices(): number {
  const dir = '/sys/bus/usb/devices';
  if (process.platform !== 'linux' || !existsSync(dir)) return 0;
  try {
    return readdirSync(dir).filter((n) => /^\d+-[\d.]+$/.test(n)).length;
  } catch {
    return 0;
  }
}
