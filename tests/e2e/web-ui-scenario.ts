/**
 * The province the web UI browser test seeds: six communes with roles in the scenario (central e-signing
 * outage, a local civil-status outage, a lost uplink, a PC without a chip reader, an old PC), two weeks of
 * history with peak-hour slowness, and the agents that push it through the real ingest API.
 */
import { expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { HealthRecord, InventoryRecord, ProbeResult } from '../../protocol/wire.js';
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const VN = 7 * HOUR;
export const GIB = 1024 ** 3;

/**
 * Six communes: the three of the units fixture and three more of Lào Cai (names of real communes; the
 * codes are made up for this test). Roles in the scenario:
 */
export const C = ['26734', '26737', '99001', '26740', '26743', '26746'] as const;
export const E_SIGNING_DOWN = [C[0], C[1], C[2]]; // e-signing times out at three communes: one central incident
export const CIVIL_DOWN = C[3]; // civil-status answers 502 at one commune: a local incident
export const UPLINK_DOWN = C[4]; // the commune's uplink is lost: a commune-network incident
export const NO_READER = C[5]; // all green, but its PC has no chip-card reader
export const OLD_PC = C[2]; // Windows 10 with 4 GB RAM
export const CIVIL_EARLIER = C[1]; // civil-status was down 09:00–10:30 on the last working day, and a dossier ran late

export interface Target {
  name: string;
  kind: 'icmp' | 'http';
  service: string;
  role: string;
}
export const TARGETS: Target[] = [
  { name: 'path-gateway', kind: 'icmp', service: 'network', role: 'gateway' },
  { name: 'path-uplink', kind: 'icmp', service: 'network', role: 'uplink' },
  { name: 'motcua', kind: 'http', service: 'one-stop-shop', role: 'service' },
  { name: 'hotich', kind: 'http', service: 'civil-status', role: 'service' },
  { name: 'ky-so-ocsp', kind: 'http', service: 'e-signing', role: 'service' },
];
export const BASE_LATENCY: Record<string, number> = {
  'path-gateway': 1.5,
  'path-uplink': 28,
  motcua: 520,
  hotich: 410,
  'ky-so-ocsp': 380,
};

export interface Outcome {
  ok: boolean;
  latencyMs?: number;
  layer?: string;
  error?: { code: string; message: string };
  statusCode?: number;
}

/** Local (Vietnam) calendar fields of an instant. */
export function local(ts: number): { weekday: number; hour: number; minute: number; date: Date } {
  const d = new Date(ts + VN);
  return { weekday: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), date: d };
}
/** "dd/MM/yyyy HH:mm" in Vietnam time, as dossier exports write dates. */
export function vnDate(ts: number): string {
  const d = new Date(ts + VN);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
/** Local midnight (Vietnam) of the day `daysAgo` before `ts`. */
export function vnMidnight(ts: number, daysAgo = 0): number {
  return Math.floor((ts + VN) / DAY) * DAY - VN - daysAgo * DAY;
}
/** Deterministic jitter in [0, 1) from a counter: no Math.random, so every run seeds the same shapes. */
export function jitter(n: number): number {
  return (((n + 1) * 2654435761) >>> 0) / 2 ** 32;
}

/** One commune's agent: one outbox sequence for results, health and inventory, pushed over HTTP. */
export class CommuneAgent {
  private seq = 0;
  private n = 0;
  constructor(
    private readonly url: string,
    readonly commune: string,
    private readonly token: string,
  ) {}

  nextSeq(): number {
    return ++this.seq;
  }

  result(t: Target, ts: number, o: Outcome): ProbeResult {
    const latency = o.latencyMs ?? BASE_LATENCY[t.name]! * (0.8 + 0.4 * jitter(this.n++));
    const r: ProbeResult = {
      id: randomUUID(),
      seq: this.nextSeq(),
      ts,
      target: t.name,
      kind: t.kind,
      service: t.service,
      role: t.role,
      ok: o.ok,
      durationMs: o.ok ? latency : (o.latencyMs ?? 10_000),
      ...(o.ok && { latencyMs: Math.round(latency * 10) / 10 }),
      ...(o.layer && { layer: o.layer }),
      ...(o.error && { error: o.error }),
    };
    if (t.kind === 'icmp')
      r.icmp = o.ok
        ? { sent: 4, received: 4, lossRatio: 0, rttAvgMs: r.latencyMs }
        : { sent: 4, received: 0, lossRatio: 1 };
    // Certificates: the signing service's renews in 10 days (shown red), the others in months.
    else if (o.ok || o.statusCode)
      r.http = {
        statusCode: o.statusCode ?? 200,
        phases: { totalMs: latency },
        certExpiresAt: ts + (t.service === 'e-signing' ? 10 : 200) * DAY,
      };
    return r;
  }

  async push(body: { results?: ProbeResult[]; health?: HealthRecord[]; inventory?: InventoryRecord[] }): Promise<void> {
    const res = await fetch(`${this.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        v: 1,
        batchId: randomUUID(),
        commune: this.commune,
        sentAt: Date.now(),
        agent: { version: '0.1.0', hostname: `ubnd-${this.commune}`, probeIntervalSec: 60, outboxPending: 0 },
        results: body.results ?? [],
        ...(body.health && { health: body.health }),
        ...(body.inventory && { inventory: body.inventory }),
      }),
    });
    expect(res.status, await res.text()).toBe(200);
  }
}

export const timeout = (ms = 10_000) => ({ code: 'CW_ERR_PROBE_TIMEOUT', message: `no answer within ${ms} ms` });
export const FIVE_OH_TWO = { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'expected status 200, got 502 Bad Gateway' };
export const FIVE_OH_THREE = {
  code: 'CW_ERR_PROBE_HTTP_STATUS',
  message: 'expected status 200, got 503 Service Unavailable',
};

/** Two weeks of history, a probe every 30 minutes. */
export function historyOutcome(commune: string, index: number, t: Target, ts: number, outageDay: number): Outcome {
  const { weekday, hour, minute } = local(ts);
  const peak = weekday >= 1 && weekday <= 5 && hour >= 8 && hour < 11;
  if (t.service === 'e-signing' && peak) {
    // Peak-hour congestion: slow everywhere, and every other probe times out at half of the communes.
    if (minute === 0 && index % 2 === 0) return { ok: false, layer: 'service', error: timeout(), latencyMs: 10_000 };
    return { ok: true, latencyMs: 2400 + 900 * jitter(ts / MIN + index) };
  }
  if (
    t.service === 'civil-status' &&
    commune === CIVIL_EARLIER &&
    ts >= outageDay + 9 * HOUR &&
    ts < outageDay + 10.5 * HOUR
  ) {
    return { ok: false, layer: 'service', error: FIVE_OH_THREE, statusCode: 503, latencyMs: 180 };
  }
  return { ok: true };
}

/** The last 40 minutes, a probe a minute; round 0 is 40 minutes ago. */
export function currentOutcome(commune: string, t: Target, round: number): Outcome {
  if (commune === UPLINK_DOWN && round >= 32) {
    if (t.role === 'gateway') return { ok: true };
    if (t.role === 'uplink')
      return {
        ok: false,
        layer: 'uplink',
        error: { code: 'CW_ERR_PROBE_ICMP_NO_REPLY', message: 'no reply from 203.162.4.190' },
      };
    return { ok: false, layer: 'uplink', error: timeout() };
  }
  if (t.service === 'e-signing' && E_SIGNING_DOWN.includes(commune as (typeof E_SIGNING_DOWN)[number]) && round >= 25)
    return { ok: false, layer: 'service', error: timeout() };
  if (t.service === 'civil-status' && commune === CIVIL_DOWN && round >= 20)
    return { ok: false, layer: 'service', error: FIVE_OH_TWO, statusCode: 502, latencyMs: 95 };
  return { ok: true };
}

export function healthOf(agent: CommuneAgent, ts: number, old: boolean): HealthRecord {
  return {
    id: randomUUID(),
    seq: agent.nextSeq(),
    ts,
    collectMs: 140,
    cpuLoadPct: old ? 71 : 18,
    memTotalBytes: old ? Math.round(3.8 * GIB) : 8 * GIB,
    memAvailableBytes: old ? Math.round(0.6 * GIB) : Math.round(4.9 * GIB),
    swapUsedBytes: old ? GIB : 0,
    disks: [
      {
        mount: 'C:',
        fsType: 'NTFS',
        sizeBytes: old ? 120 * 10 ** 9 : 256 * 10 ** 9,
        freeBytes: old ? 9 * 10 ** 9 : 140 * 10 ** 9,
      },
    ],
    uptimeSec: 6 * 3600,
    clockOffsetMs: 40,
    ifaces: [{ iface: 'Ethernet', rxErrors: 0, txErrors: 0, rxDropped: 3, txDropped: 0, operstate: 'up' }],
  };
}

export function inventoryOf(agent: CommuneAgent, ts: number, opts: { old: boolean; reader: boolean }): InventoryRecord {
  const usb: InventoryRecord['usb'] = [
    { vendorId: '096e', productId: '0807', name: 'ePass2003', class: 'signing-token', basis: 'id' },
    { vendorId: '04b8', productId: '013a', name: 'EPSON DS-530', class: 'scanner', basis: 'vendor' },
  ];
  if (opts.reader)
    usb.unshift({
      vendorId: '072f',
      productId: '223b',
      name: 'ACR1252 Dual Reader',
      manufacturer: 'ACS',
      class: 'smartcard-reader',
      classCode: 11,
      basis: 'id',
    });
  return {
    id: randomUUID(),
    seq: agent.nextSeq(),
    ts,
    collectMs: 2300,
    hostname: `UBND-${agent.commune}-MC01`,
    system: opts.old
      ? { manufacturer: 'Dell Inc.', model: 'OptiPlex 3020' }
      : { manufacturer: 'HP', model: 'ProDesk 400 G7' },
    cpu: opts.old
      ? { brand: 'Core i3-4160', cores: 4, physicalCores: 2, speedGHz: 3.6 }
      : { brand: 'Core i5-10500', cores: 12, physicalCores: 6, speedGHz: 3.1 },
    memTotalBytes: opts.old ? Math.round(3.8 * GIB) : 8 * GIB,
    disks: [{ device: 'disk0', type: opts.old ? 'HD' : 'SSD', sizeBytes: opts.old ? 120 * 10 ** 9 : 256 * 10 ** 9 }],
    os: opts.old
      ? { platform: 'win32', distro: 'Microsoft Windows 10 Pro', release: '10.0.19045', arch: 'x64' }
      : { platform: 'win32', distro: 'Microsoft Windows 11 Pro', release: '10.0.22631', arch: 'x64' },
    usb,
    usbSeen: usb.length,
    printers: [
      { name: 'Canon LBP2900', model: 'Canon LBP2900', local: true, default: true },
      { name: 'Microsoft Print to PDF', virtual: true },
    ],
    counts: { smartcardReaders: opts.reader ? 1 : 0, signingTokens: 1, scanners: 1, printers: 1 },
  };
}

export const PASSWORD: Record<'admin' | 'viewer' | 'vendor', string> = {
  admin: 'Quan-tri-So-KHCN-2026',
  viewer: 'Chu-tich-xem-bao-cao',
  vendor: 'Ho-tich-nha-cung-cap',
};
export const USERNAME = { admin: 'it.sokhcn', viewer: 'chutich.ubnd', vendor: 'botuphap.hotich' } as const;
