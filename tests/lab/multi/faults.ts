/**
 * Faults of the multi-commune lab, each on real packets (this kernel has no netem):
 *
 * - cut: the gateway forwards nothing (its LAN side still answers) — the `uplink` layer;
 * - LAN cut: the gateway answers nothing and forwards nothing — the `lan` layer;
 * - DNS failure: the data centre drops port 53 from one commune — the `dns` layer;
 * - loss: `numgen random` drops on forwarded traffic, both directions; `pct` is the round-trip loss a
 *   ping would measure, so each direction drops 1 − √(1 − pct);
 * - congestion: `tc tbf` rate limits on both gateway interfaces, filled by a bulk download;
 * - flapping: cut and heal alternating on a bounded timer.
 *
 * Each nft fault lives in its own table (`cwf_<tag>`), so faults on one namespace compose and heal
 * independently. Every fault registers its heal with cleanupAll, so none outlives the run.
 */
import { execFileSync } from 'node:child_process';
import { inNs, onCleanup, run, type CommuneNet } from './topology.js';

export interface Fault {
  readonly name: string;
  /** When the rule went in (epoch ms, after the command returned). */
  readonly injectedAt: number;
  /** Removes the fault; idempotent. Returns the heal time (epoch ms, before the command ran). */
  heal(): number;
}

let tables = 0;

/** A fault already in place: `drop` undoes it (run once, at heal or at cleanup after a failed test). */
function installed(name: string, drop: () => void): Fault {
  const injectedAt = Date.now();
  let healedAt: number | undefined;
  const unregister = onCleanup(drop);
  return {
    name,
    injectedAt,
    heal() {
      if (healedAt !== undefined) return healedAt;
      healedAt = Date.now();
      drop();
      unregister();
      return healedAt;
    },
  };
}

function nftFault(name: string, ns: string, rules: { input?: string[]; forward?: string[] }): Fault {
  const table = `cwf_${++tables}`;
  const chain = (hook: string, lines: string[] = []) =>
    `chain ${hook} { type filter hook ${hook} priority 0; policy accept;\n${lines.map((l) => `  ${l}\n`).join('')}}`;
  run(
    ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'],
    `table inet ${table} {\n${chain('input', rules.input)}\n${chain('forward', rules.forward)}\n}\n`,
  );
  return installed(name, () => {
    try {
      execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', table], {
        stdio: 'ignore',
        timeout: 10_000,
      });
    } catch {
      // namespace already gone
    }
  });
}

/** The gateway forwards nothing: the commune and its pushes are cut off beyond the LAN. */
export const cut = (c: CommuneNet): Fault => nftFault(`cut ${c.gwNs}`, c.gwNs, { forward: ['drop'] });

/** The gateway itself is unreachable (input and forward dropped). */
export const lanCut = (c: CommuneNet): Fault =>
  nftFault(`lan cut ${c.gwNs}`, c.gwNs, { input: ['drop'], forward: ['drop'] });

/** The data centre's resolver ignores this commune (UDP and TCP 53); addresses still work. */
export const dnsFailure = (dcNs: string, c: CommuneNet): Fault =>
  nftFault(`dns failure ${c.addr}`, dcNs, {
    input: [`ip saddr ${c.addr} udp dport 53 drop`, `ip saddr ${c.addr} tcp dport 53 drop`],
  });

/** Per-direction drop percentage giving `pct` % round-trip loss. */
export function perDirectionLoss(pct: number): number {
  return Math.round(100 * (1 - Math.sqrt(1 - pct / 100)));
}

/** `pct` % round-trip loss on everything the gateway forwards (both directions, independent drops). */
export const loss = (c: CommuneNet, pct: number): Fault =>
  nftFault(`loss ${pct}% ${c.gwNs}`, c.gwNs, { forward: [`numgen random mod 100 < ${perDirectionLoss(pct)} drop`] });

/**
 * A congested uplink: a token bucket on both gateway interfaces (uploads leave by the WAN side, downloads
 * by the LAN side), saturated by `load` (a bulk download, started and stopped by the caller's callbacks).
 */
export function congestion(
  c: CommuneNet,
  load: { start: () => void; stop: () => void },
  rate = '256kbit',
  queueLatency = '500ms',
): Fault {
  const devs = [c.gwLanIf, c.gwWanIf];
  for (const dev of devs)
    inNs(
      c.gwNs,
      'tc',
      'qdisc',
      'add',
      'dev',
      dev,
      'root',
      'tbf',
      'rate',
      rate,
      'burst',
      '4kb',
      'latency',
      queueLatency,
    );
  load.start();
  return installed(`congestion ${rate} ${c.gwNs}`, () => {
    load.stop();
    for (const dev of devs) {
      try {
        execFileSync('ip', ['netns', 'exec', c.gwNs, 'tc', 'qdisc', 'del', 'dev', dev, 'root'], {
          stdio: 'ignore',
          timeout: 10_000,
        });
      } catch {
        // already gone
      }
    }
  });
}

export interface FlapTimeline {
  cuts: number[];
  heals: number[];
}

/** Cut and heal alternating every `periodMs` for `cycles` cycles (bounded: cycles × 2 × periodMs). */
export async function flap(c: CommuneNet, periodMs: number, cycles: number): Promise<FlapTimeline> {
  const out: FlapTimeline = { cuts: [], heals: [] };
  for (let i = 0; i < cycles; i++) {
    const f = cut(c);
    out.cuts.push(f.injectedAt);
    try {
      await sleep(periodMs);
    } finally {
      out.heals.push(f.heal());
    }
    if (i < cycles - 1) await sleep(periodMs);
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
