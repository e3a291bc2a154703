/**
 * The multi-commune lab's network: per world, N communes each behind its own gateway, one ISP, and a data
 * centre holding the vendor services AND the central server, so every push from an agent crosses its
 * commune's gateway and the ISP, as at a real commune:
 *
 *   [commune i 10.10.i.2] ── [gw i 10.10.i.1 | 172.16.i.1] ──┐
 *   [commune j 10.10.j.2] ── [gw j 10.10.j.1 | 172.16.j.1] ──┼── [isp 172.16.*.2 | 192.168.100.1] ── [dc 192.168.100.2]
 *                                                           …┘        (vendor app :80, DNS :53, server :8080)
 *
 * Every name carries a random run id (namespaces `cw-<run>-<world>-…`, interfaces `cw<run><world>…`, at most
 * 15 characters), and each veth pair is created directly inside its two namespaces: two runs on one machine
 * never clash, and the root namespace gets no interface, address or route at all. Worlds reuse one address
 * plan because nothing routes between them. `cleanupAll()` runs from afterAll and from a process 'exit' hook.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

/** Four hex characters, fresh per test process. */
export const RUN_ID = randomBytes(2).toString('hex');

export const DC_ADDR = '192.168.100.2';
const ISP_DC_ADDR = '192.168.100.1';

export interface CommuneNet {
  /** 1-based position in its world. */
  index: number;
  ns: string;
  gwNs: string;
  addr: string;
  gwLan: string;
  gwWan: string;
  /** The ISP's side of the gateway's WAN link: the commune's `uplink` hop. */
  ispNear: string;
  /** Gateway interfaces (for tc): towards the commune, towards the ISP. */
  gwLanIf: string;
  gwWanIf: string;
}

export interface WorldNet {
  world: number;
  ispNs: string;
  dcNs: string;
  communes: CommuneNet[];
}

export function run(args: string[], input?: string): string {
  try {
    return execFileSync(args[0]!, args.slice(1), {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 15_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export const inNs = (ns: string, ...args: string[]) => run(['ip', 'netns', 'exec', ns, ...args]);

/** Why the lab cannot run here (not root, a tool missing), or undefined when it can. */
export function multiLabUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the multi-commune lab needs root (CAP_NET_ADMIN for network namespaces)';
  for (const tool of ['ip', 'nft', 'tc', 'ping']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `the multi-commune lab needs \`${tool}\` (Debian: iproute2, nftables, iputils-ping)`;
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ cleanup
const namespaces = new Set<string>();
const cleanups = new Set<() => void>();

/** Registers a synchronous cleanup (kill a process, drop a fault) run by cleanupAll before namespaces go. */
export function onCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Kills what is registered, deletes every namespace of this run and its /etc/netns dir. Idempotent, sync. */
export function cleanupAll(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // best effort: the namespaces must go whatever happened
    }
    cleanups.delete(fn);
  }
  for (const ns of [...namespaces]) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // already gone
    }
    rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    namespaces.delete(ns);
  }
}

let exitHook = false;
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  // A crashed or interrupted test process must not leave namespaces and agents behind.
  process.on('exit', cleanupAll);
}

// ------------------------------------------------------------------------------------------ building
function addNs(ns: string): void {
  run(['ip', 'netns', 'add', ns]);
  namespaces.add(ns);
  inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
}

/** A veth pair created inside its two namespaces (never in the root namespace), addressed and up. */
function link(nsA: string, ifA: string, cidrA: string, nsB: string, ifB: string, cidrB: string): void {
  run(['ip', '-n', nsA, 'link', 'add', 'name', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
  for (const [ns, dev, cidr] of [
    [nsA, ifA, cidrA],
    [nsB, ifB, cidrB],
  ] as const) {
    run(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev]);
    run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
}

const ifName = (world: number, suffix: string): string => {
  const name = `cw${RUN_ID}${world}${suffix}`;
  if (name.length > 15) throw new Error(`interface name ${name} is longer than 15 characters`);
  return name;
};

/** Builds one world (namespaces, links, routes, forwarding, resolv.conf per commune). */
export function buildWorld(world: number, communeCount: number): WorldNet {
  installExitHook();
  const prefix = `cw-${RUN_ID}-${world}`;
  const ispNs = `${prefix}-isp`;
  const dcNs = `${prefix}-dc`;
  addNs(ispNs);
  addNs(dcNs);
  link(ispNs, ifName(world, 'id'), `${ISP_DC_ADDR}/24`, dcNs, ifName(world, 'dc'), `${DC_ADDR}/24`);
  run(['ip', '-n', dcNs, 'route', 'add', 'default', 'via', ISP_DC_ADDR]);
  inNs(ispNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  const communes: CommuneNet[] = [];
  for (let i = 1; i <= communeCount; i++) {
    const c: CommuneNet = {
      index: i,
      ns: `${prefix}-c${i}`,
      gwNs: `${prefix}-g${i}`,
      addr: `10.10.${i}.2`,
      gwLan: `10.10.${i}.1`,
      gwWan: `172.16.${i}.1`,
      ispNear: `172.16.${i}.2`,
      gwLanIf: ifName(world, `g${i}l`),
      gwWanIf: ifName(world, `g${i}w`),
    };
    addNs(c.ns);
    addNs(c.gwNs);
    link(c.ns, ifName(world, `c${i}`), `${c.addr}/24`, c.gwNs, c.gwLanIf, `${c.gwLan}/24`);
    link(c.gwNs, c.gwWanIf, `${c.gwWan}/24`, ispNs, ifName(world, `i${i}`), `${c.ispNear}/24`);
    run(['ip', '-n', c.ns, 'route', 'add', 'default', 'via', c.gwLan]);
    run(['ip', '-n', c.gwNs, 'route', 'add', 'default', 'via', c.ispNear]);
    run(['ip', '-n', ispNs, 'route', 'add', `10.10.${i}.0/24`, 'via', c.gwWan]);
    inNs(c.gwNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // `ip netns exec` bind-mounts this over /etc/resolv.conf inside the commune namespace. Two quick
    // attempts: a lost datagram is retried (as real resolvers do, so lossy links still resolve), and a
    // dead resolver fails a probe within its budget (2 s), not after 10 s of retries.
    mkdirSync(`/etc/netns/${c.ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${c.ns}/resolv.conf`, `nameserver ${DC_ADDR}\noptions timeout:1 attempts:2\n`);
    communes.push(c);
  }
  return { world, ispNs, dcNs, communes };
}
