/**
 * What each systeminformation call costs, to decide which may run on the health path (every few minutes)
 * and which only in the daily inventory. For each call: the first call on its own (caches cold, rate
 * counters unprimed), then --n repeats spaced --gap-ms apart (so si's 200 ms load and 500 ms network-stat
 * caches do not answer instead of the OS). Columns:
 * - wall ms: time until the promise resolved (median of the repeats);
 * - own CPU ms: this process (process.cpuUsage), i.e. JS parsing plus any synchronous exec;
 * - child CPU ms: spawned commands (df, lsusb, PowerShell…), from /proc/self/stat cutime+cstime — Linux only,
 *   10 ms ticks, so small figures are averages of quantised values;
 * - loop block ms: the longest event-loop stall during the call (gap between 1 ms ticks), which is what
 *   delays the agent's probes — an `execSync` shows up here, an async `exec` does not.
 *
 * Run: npm run build && node dist/bench/system-info-cost.js [--n 10] [--gap-ms 600]
 * Bounded: about 15 calls × (n + 1), each followed by the gap; nothing leaves the machine except what si
 * itself runs (it never contacts a network host for these calls).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import si from 'systeminformation';
import { collectHealth } from '../agent/system/health.js';
import { collectInventory } from '../agent/system/inventory.js';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '10' }, 'gap-ms': { type: 'string', default: '600' } },
});
const N = Math.max(1, Number(args.n));
const GAP_MS = Math.max(0, Number(args['gap-ms']));
const CLK_TCK = 100;

/** Local interface names, as agent/system/health.ts passes them. */
const ifaces = Object.entries(os.networkInterfaces())
  .filter(([, a]) => (a ?? []).some((x) => !x.internal))
  .map(([name]) => name)
  .join(',');

type Set = 'health' | 'daily' | 'avoid' | 'collector';
const calls: { name: string; set: Set; run: () => unknown }[] = [
  { name: 'currentLoad()', set: 'health', run: () => si.currentLoad() },
  { name: 'mem()', set: 'health', run: () => si.mem() },
  { name: 'fsSize()', set: 'health', run: () => si.fsSize() },
  { name: `networkStats('${ifaces}')`, set: 'health', run: () => si.networkStats(ifaces) },
  { name: 'system()', set: 'daily', run: () => si.system() },
  { name: 'cpu()', set: 'daily', run: () => si.cpu() },
  { name: 'osInfo()', set: 'daily', run: () => si.osInfo() },
  { name: 'diskLayout()', set: 'daily', run: () => si.diskLayout() },
  { name: 'blockDevices()', set: 'daily', run: () => si.blockDevices() },
  { name: 'usb()', set: 'daily', run: () => si.usb() },
  { name: 'printer()', set: 'daily', run: () => si.printer() },
  { name: 'time() (sync)', set: 'avoid', run: () => si.time() },
  { name: 'networkStats() (default iface)', set: 'avoid', run: () => si.networkStats() },
  { name: "networkStats('*')", set: 'avoid', run: () => si.networkStats('*') },
  { name: 'networkInterfaces()', set: 'avoid', run: () => si.networkInterfaces() },
  { name: 'versions()', set: 'avoid', run: () => si.versions() },
  { name: 'collectHealth()', set: 'collector', run: () => collectHealth() },
  { name: 'collectInventory()', set: 'collector', run: () => collectInventory() },
];

function childCpuMs(): number {
  if (process.platform !== 'linux') return Number.NaN;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) / CLK_TCK) * 1000; // cutime + cstime (fields 16, 17)
}

interface Cost {
  wallMs: number;
  ownCpuMs: number;
  childCpuMs: number;
  blockMs: number;
}

async function measure(run: () => unknown): Promise<Cost> {
  // Longest gap between 1 ms interval ticks. (perf_hooks.monitorEventLoopDelay reported ~1 ms for a 50 ms
  // execSync on Node 20 here, so it is not used.)
  let last = performance.now();
  let maxGap = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last);
    last = t;
  }, 1);
  await sleep(3);
  maxGap = 0;
  last = performance.now();
  const cpu0 = process.cpuUsage();
  const child0 = childCpuMs();
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const childCpu = childCpuMs() - child0;
  // A stall at the very end is only seen when the ticker runs again.
  await sleep(5);
  clearInterval(ticker);
  return { wallMs, ownCpuMs: (cpu.user + cpu.system) / 1000, childCpuMs: childCpu, blockMs: Math.max(0, maxGap - 1) };
}

const fmt = (v: number) => (Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function main(): Promise<void> {
  console.log(
    `systeminformation ${si.version()} on ${process.platform} ${os.release()}, Node ${process.version}, ` +
      `${os.cpus().length} CPUs; first call, then ${N} repeats ${GAP_MS} ms apart`,
  );
  console.log(
    '| call | set | first wall ms | first own CPU ms | first child CPU ms | ' +
      'median wall ms | mean own CPU ms | mean child CPU ms | median / max loop block ms |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of calls) {
    const first = await measure(c.run);
    await sleep(GAP_MS);
    const reps: Cost[] = [];
    for (let i = 0; i < N; i++) {
      reps.push(await measure(c.run));
      await sleep(GAP_MS);
    }
    const mean = (k: keyof Cost) => reps.reduce((s, r) => s + r[k], 0) / reps.length;
    // Median wall time: a shared 2-CPU VM has outliers; CPU is a mean because it comes in 10 ms ticks.
    const walls = reps.map((r) => r.wallMs).sort((a, b) => a - b);
    const medianWall = walls[Math.floor(walls.length / 2)] ?? Number.NaN;
    // Median shows a stall the call always causes (an execSync); max also catches GC and a busy host.
    const blocks = reps.map((r) => r.blockMs).sort((a, b) => a - b);
    const medianBlock = blocks[Math.floor(blocks.length / 2)] ?? Number.NaN;
    const block = Math.max(first.blockMs, ...blocks);
    console.log(
      `| ${c.name} | ${c.set} | ${fmt(first.wallMs)} | ${fmt(first.ownCpuMs)} | ${fmt(first.childCpuMs)} | ` +
        `${fmt(medianWall)} | ${fmt(mean('ownCpuMs'))} | ${fmt(mean('childCpuMs'))} | ${fmt(medianBlock)} / ${fmt(block)} |`,
    );
  }
}

await main();
