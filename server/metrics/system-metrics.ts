/**
 * Gauges for commune PCs (health every few minutes, equipment daily), from LiveState at scrape time.
 * Labels: commune and agent, plus mount / iface / equipment kind where a PC has several — all bounded
 * by the agent's own caps (SYSTEM_LIMITS), never free text from users.
 */
import type client from 'prom-client';
import { registerSampledGauges, type SampledGauge } from './sampled-gauges.js';
import type { LiveAgentSystem, LiveState } from './live-state.js';

type SystemGauge = SampledGauge<LiveAgentSystem>;

const GAUGES: SystemGauge[] = [
  {
    name: 'communewatch_agent_health_timestamp_seconds',
    help: 'When the newest PC health sample was taken (server-corrected clock)',
    sample: (s) => (s.health ? s.health.ts / 1000 : undefined),
  },
  {
    name: 'communewatch_agent_cpu_load_ratio',
    help: 'CPU busy share of the agent PC at its latest sample (0..1)',
    sample: (s) => (s.health?.cpuLoadPct === undefined ? undefined : s.health.cpuLoadPct / 100),
  },
  {
    name: 'communewatch_agent_memory_total_bytes',
    help: 'RAM of the agent PC',
    sample: (s) => s.health?.memTotalBytes ?? s.inventory?.memTotalBytes,
  },
  {
    name: 'communewatch_agent_memory_available_bytes',
    help: 'RAM available for new work at the latest sample',
    sample: (s) => s.health?.memAvailableBytes,
  },
  {
    name: 'communewatch_agent_uptime_seconds',
    help: 'Time since the agent PC booted',
    sample: (s) => s.health?.uptimeSec,
  },
  {
    name: 'communewatch_agent_disk_free_ratio',
    help: 'Free share of each mounted file system of the agent PC (0..1)',
    extraLabels: ['mount'],
    sample: (s) =>
      s.health?.disks.filter((d) => d.sizeBytes > 0).map((d) => [{ mount: d.mount }, d.freeBytes / d.sizeBytes]),
  },
  {
    name: 'communewatch_agent_network_errors',
    help: 'Receive/transmit errors and drops since boot, per interface of the agent PC',
    extraLabels: ['iface'],
    sample: (s) =>
      s.health?.ifaces.map((i) => [{ iface: i.iface }, i.rxErrors + i.txErrors + i.rxDropped + i.txDropped]),
  },
  {
    name: 'communewatch_agent_inventory_timestamp_seconds',
    help: 'When the newest equipment inventory was taken',
    sample: (s) => (s.inventory ? s.inventory.ts / 1000 : undefined),
  },
  {
    name: 'communewatch_agent_equipment',
    help: 'Equipment attached to the agent PC at its latest inventory, by kind (smartcard-reader, signing-token, scanner, printer)',
    extraLabels: ['kind'],
    sample: (s) => {
      const c = s.inventory?.counts;
      if (!c) return undefined;
      return [
        [{ kind: 'smartcard-reader' }, c.smartcardReaders],
        [{ kind: 'signing-token' }, c.signingTokens ?? 0],
        [{ kind: 'scanner' }, c.scanners],
        [{ kind: 'printer' }, c.printers],
      ];
    },
  },
];

export function registerSystemGauges(registry: client.Registry, live: LiveState): void {
  registerSampledGauges(registry, GAUGES, {
    labelNames: ['commune', 'agent'],
    items: () => live.agentSystems(),
    labels: (s) => ({ commune: s.commune, agent: s.agent }),
  });
}
