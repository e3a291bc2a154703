/**
 * A small network built from Linux network namespaces, for testing fault localisation on real packets:
 *
 *   [commune 10.77.1.2] ── [gw 10.77.1.1 | 10.77.2.1] ── [isp 10.77.2.2 | 10.77.3.1] ── [dc 10.77.3.2]
 *         └── management link 10.78.x.y+2 ↔ 10.78.x.y+1 (root namespace: the central server; never faulted)
 *
 * Faults are nft rules in one namespace (this kernel has no netem). Every name carries a random run id
 * (namespaces `cwlab-<run>-…`, interfaces `cwl<run>…`, at most 15 characters) and the management link gets
 * a /30 of 10.78.0.0/16 that no interface of the root namespace holds yet, so two runs on one machine never
 * clash. All other addresses live inside our own namespaces; the root namespace gets that one
 * point-to-point link and no routes, so nothing can leak out. `destroyLab()` removes everything of this
 * run; it runs from the test's afterAll and from a process 'exit' hook.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

/** Four hex characters, fresh per test process. */
export const RUN_ID = randomBytes(2).toString('hex');

export const NS = {
  commune: `cwlab-${RUN_ID}-commune`,
  gw: `cwlab-${RUN_ID}-gw`,
  isp: `cwlab-${RUN_ID}-isp`,
  dc: `cwlab-${RUN_ID}-dc`,
} as const;

const ifName = (suffix: string): string => {
  const name = `cwl${RUN_ID}${suffix}`;
  if (name.length > 15) throw new Error(`interface name ${name} is longer than 15 characters`);
  return name;
};

/** Interfaces a test names: the commune's end of the management link, and a link that never exists. */
export const IF = { mgmt: ifName('m1'), missing4g: ifName('4g') } as const;
const ROOT_LINK = ifName('m0');
const RESOLV_DIR = `/etc/netns/${NS.commune}`;

/** A /30 of 10.78.0.0/16 with no address of the root namespace in it (another run may hold one). */
function freeManagementNet(): { root: string; commune: string } {
  let taken = '';
  try {
    taken = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  } catch {
    // no iproute2: labUnavailableReason says so, and nothing will be built
  }
  for (;;) {
    const [a, b] = randomBytes(2) as unknown as [number, number];
    const first = b & 0xfc;
    const [root, commune] = [`10.78.${a}.${first + 1}`, `10.78.${a}.${first + 2}`];
    if (![root, commune].some((ip) => taken.includes(` ${ip}/`))) return { root, commune };
  }
}

const MGMT = freeManagementNet();
export const ADDR = {
  commune: '10.77.1.2',
  gwLan: '10.77.1.1',
  gwWan: '10.77.2.1',
  ispNear: '10.77.2.2',
  ispFar: '10.77.3.1',
  dc: '10.77.3.2',
  mgmtRoot: MGMT.root,
  mgmtCommune: MGMT.commune,
} as const;

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

let exitHook = false;

export function buildLab(): void {
  destroyLab();
  if (!exitHook) {
    exitHook = true;
    // A crashed or interrupted test process must not leave this run's namespaces and link behind.
    process.on('exit', destroyLab);
  }
  try {
    for (const ns of Object.values(NS)) {
      run(['ip', 'netns', 'add', ns]);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    veth(ifName('c0'), NS.commune, ifName('g0'), NS.gw);
    veth(ifName('g1'), NS.gw, ifName('i0'), NS.isp);
    veth(ifName('i1'), NS.isp, ifName('d0'), NS.dc);
    veth(ROOT_LINK, null, IF.mgmt, NS.commune);
    address(NS.commune, ifName('c0'), `${ADDR.commune}/24`);
    address(NS.gw, ifName('g0'), `${ADDR.gwLan}/24`);
    address(NS.gw, ifName('g1'), `${ADDR.gwWan}/24`);
    address(NS.isp, ifName('i0'), `${ADDR.ispNear}/24`);
    address(NS.isp, ifName('i1'), `${ADDR.ispFar}/24`);
    address(NS.dc, ifName('d0'), `${ADDR.dc}/24`);
    address(null, ROOT_LINK, `${ADDR.mgmtRoot}/30`);
    address(NS.commune, IF.mgmt, `${ADDR.mgmtCommune}/30`);
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
  run(
    ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'],
    `table inet cwfault {\n${chain('input', 'input', rules.input)}\n${chain('forward', 'forward', rules.forward)}\n}\n`,
  );
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
