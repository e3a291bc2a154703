/**
 * A small network built from Linux network namespaces, for testing fault localisation on real packets:
 *
 *   [commune 10.77.1.2] ── [gw 10.77.1.1 | 10.77.2.1] ── [isp 10.77.2.2 | 10.77.3.1] ── [dc 10.77.3.2]
 *         └── management link 10.77.9.2 ↔ 10.77.9.1 (root namespace: the central server; never faulted)
 *
 * Faults are nft rules in one namespace (this kernel has no netem). All addresses live inside our own
 * namespaces; the root namespace gets one point-to-point link and no routes, so nothing can leak out.
 * `destroyLab()` removes everything and is also run before building, to clear leftovers of a crashed run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

export const NS = { commune: 'cwlab-commune', gw: 'cwlab-gw', isp: 'cwlab-isp', dc: 'cwlab-dc' } as const;
export const ADDR = { commune: '10.77.1.2', gwLan: '10.77.1.1', gwWan: '10.77.2.1', ispNear: '10.77.2.2', ispFar: '10.77.3.1', dc: '10.77.3.2', mgmtRoot: '10.77.9.1', mgmtCommune: '10.77.9.2' } as const;
const ROOT_LINK = 'cwlab-m0';
const RESOLV_DIR = `/etc/netns/${NS.commune}`;

function run(args: string[], input?: string): string {
  try {
    return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

const inNs = (ns: string, ...args: string[]) => run(['ip', 'netns', 'exec', ns, ...args]);

/** Why the lab cannot run here, or undefined when it can (root, ip, nft). */
export function labUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the fault lab needs root (network namespaces)';
  for (const tool of ['ip', 'nft', 'ping']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `the fault lab needs \`${tool}\` (Debian: iproute2, nftables, iputils-ping)`;
    }
  }
  return undefined;
}

export function destroyLab(): void {
  for (const ns of Object.values(NS)) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // not there
    }
  }
  try {
    execFileSync('ip', ['link', 'del', ROOT_LINK], { stdio: 'ignore' });
  } catch {
    // went with its namespace peer, or never made
  }
  rmSync(RESOLV_DIR, { recursive: true, force: true });
}

function veth(a: string, nsA: string | null, b: string, nsB: string): void {
  run(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  if (nsA) run(['ip', 'link', 'set', a, 'netns', nsA]);
  run(['ip', 'link', 'set', b, 'netns', nsB]);
}

function address(ns: string | null, dev: string, cidr: string): void {
  const pre = ns ? ['ip', 'netns', 'exec', ns] : [];
  run([...pre, 'ip', 'addr', 'add', cidr, 'dev', dev]);
  run([...pre, 'ip', 'link', 'set', dev, 'up']);
}

export function buildLab(): void {
  destroyLab();
  try {
    for (const ns of Object.values(NS)) {
      run(['ip', 'netns', 'add', ns]);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    veth('cwlab-c0', NS.commune, 'cwlab-g0', NS.gw);
    veth('cwlab-g1', NS.gw, 'cwlab-i0', NS.isp);
    veth('cwlab-i1', NS.isp, 'cwlab-d0', NS.dc);
    veth(ROOT_LINK, null, 'cwlab-m1', NS.commune);
    address(NS.commune, 'cwlab-c0', `${ADDR.commune}/24`);
    address(NS.gw, 'cwlab-g0', `${ADDR.gwLan}/24`);
    address(NS.gw, 'cwlab-g1', `${ADDR.gwWan}/24`);
    address(NS.isp, 'cwlab-i0', `${ADDR.ispNear}/24`);
    address(NS.isp, 'cwlab-i1', `${ADDR.ispFar}/24`);
    address(NS.dc, 'cwlab-d0', `${ADDR.dc}/24`);
    address(null, ROOT_LINK, `${ADDR.mgmtRoot}/30`);
    address(NS.commune, 'cwlab-m1', `${ADDR.mgmtCommune}/30`);
    inNs(NS.commune, 'ip', 'route', 'add', 'default', 'via', ADDR.gwLan);
    inNs(NS.gw, 'ip', 'route', 'add', 'default', 'via', ADDR.ispNear);
    inNs(NS.isp, 'ip', 'route', 'add', '10.77.1.0/24', 'via', ADDR.gwWan);
    inNs(NS.dc, 'ip', 'route', 'add', 'default', 'via', ADDR.ispFar);
    for (const ns of [NS.gw, NS.isp]) inNs(ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // `ip netns exec` bind-mounts this over /etc/resolv.conf for processes in the commune namespace.
    // One quick attempt: a dead resolver must fail a probe within its budget, not after 10 s of retries.
    mkdirSync(RESOLV_DIR, { recursive: true });
    writeFileSync(`${RESOLV_DIR}/resolv.conf`, `nameserver ${ADDR.dc}\noptions timeout:1 attempts:1\n`);
  } catch (err) {
    destroyLab();
    throw err;
  }
}

/** Replaces the fault rules of one namespace (nft, filter hooks input and forward). */
export function setFault(ns: string, rules: { input?: string[]; forward?: string[] }): void {
  clearFault(ns);
  const chain = (name: string, hook: string, lines: string[] = []) =>
    `chain ${name} { type filter hook ${hook} priority 0; policy accept;\n${lines.map((l) => `  ${l}\n`).join('')}}`;
  run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], `table inet cwfault {\n${chain('input', 'input', rules.input)}\n${chain('forward', 'forward', rules.forward)}\n}\n`);
}

export function clearFault(ns: string): void {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'cwfault'], { stdio: 'ignore' });
  } catch {
    // no fault set
  }
}

export function clearAllFaults(): void {
  for (const ns of Object.values(NS)) clearFault(ns);
}
