/**
 * Ping output must not depend on an English locale. Fixtures in tests/fixtures/ping (see its README):
 * Linux iputils captured here under LC_ALL=vi_VN.UTF-8 and LC_ALL=C, synthetic Windows (English, Vietnamese,
 * and Vietnamese as Node decodes OEM code page 1258 bytes) and synthetic macOS.
 *
 * - Linux: the icmp probe runs against a fake `ping` first on PATH that prints the fixture (as in icmp.test.ts).
 * - Windows: the `ping` package's own Windows parser, built the way ping-promise builds it; then the whole
 *   probe with os.platform() reporting win32 and spawn pointed at a script printing the fixture bytes, so
 *   what icmp.ts derives is checked on its real code path. macOS the same way.
 *
 * What this proves: sent, received, loss and RTTs never depend on the language. Which error code a failed
 * round gets does: it is read from ping's own words, which glibc translates when LC_ALL or LC_MESSAGES is
 * Vietnamese (the package sets only LANG=C) and which Windows always prints in its UI language.
 *
 * The real-ping suite needs the vi_VN.UTF-8 locale: without it the suite is skipped, except on CI (CI=true),
 * where .ci/run generates it and its absence fails the run.
 */
import cp, { type SpawnOptions } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { icmp } from '../../../agent/probes/icmp.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import type { IcmpDetail, ProbeOutcome } from '../../../protocol/wire.js';
import { tempDir } from '../../helpers/temp-dir.js';

const FIXTURES = new URL('../../fixtures/ping/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

function ctx(timeoutMs = 10_000): ProbeContext {
  return { signal: new AbortController().signal, timeoutMs, now: Date.now, log: pino({ level: 'silent' }) };
}

type Target = { host: string; count: number; intervalMs?: number };

/** A directory holding `ping`: a script that records its arguments and environment and prints `output`. */
function fakePingDir(output: Buffer): {
  dir: string;
  script: string;
  args: () => string;
  env: () => string;
  remove: () => void;
} {
  const dir = tempDir('cw-pinglocale-');
  writeFileSync(join(dir.path, 'output'), output);
  const script = join(dir.path, 'ping');
  writeFileSync(
    script,
    `#!/bin/sh\nprintf '%s ' "$@" > '${dir.path}/args'\n` +
      `printf 'LANG=%s LC_ALL=%s LC_MESSAGES=%s' "$LANG" "$LC_ALL" "$LC_MESSAGES" > '${dir.path}/env'\n` +
      `cat '${dir.path}/output'\n`,
  );
  chmodSync(script, 0o755);
  return {
    dir: dir.path,
    script,
    args: () => readFileSync(join(dir.path, 'args'), 'utf8').trim(),
    env: () => readFileSync(join(dir.path, 'env'), 'utf8'),
    remove: dir.remove,
  };
}

/** Linux: the probe as it runs, with the fake ping first on PATH. */
async function runLinux(output: Buffer, target: Target): Promise<ProbeOutcome> {
  const fake = fakePingDir(output);
  const saved = process.env.PATH;
  try {
    process.env.PATH = `${fake.dir}:${saved ?? ''}`;
    return await icmp.run(target, ctx());
  } finally {
    process.env.PATH = saved;
    fake.remove();
  }
}

/**
 * Another platform: os.platform() (read by icmp.ts and by the package at call time) reports `platform`, and the
 * package's spawn of ping.exe or /sbin/ping runs the fake script with the arguments it was given.
 */
async function runAs(
  platform: NodeJS.Platform,
  output: Buffer,
  target: Target,
): Promise<{ out: ProbeOutcome; executable: string; args: string }> {
  const fake = fakePingDir(output);
  const realSpawn = cp.spawn;
  const spawn = vi
    .spyOn(cp, 'spawn')
    .mockImplementation(((_file: string, args: readonly string[], options: SpawnOptions) =>
      realSpawn(fake.script, args, options)) as unknown as typeof cp.spawn);
  vi.spyOn(os, 'platform').mockReturnValue(platform);
  try {
    const out = await icmp.run(target, ctx());
    return { out, executable: String(spawn.mock.calls[0]?.[0]), args: fake.args() };
  } finally {
    vi.restoreAllMocks();
    fake.remove();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** What the probe must derive from the received RTTs (the same definitions as icmp.ts documents). */
function expectRtts(detail: IcmpDetail | undefined, times: number[]): void {
  expect(detail).toBeDefined();
  const d = detail!;
  expect(d.rttMinMs).toBeCloseTo(Math.min(...times), 3);
  expect(d.rttMaxMs).toBeCloseTo(Math.max(...times), 3);
  expect(d.rttAvgMs).toBeCloseTo(times.reduce((a, b) => a + b, 0) / times.length, 3);
  if (times.length >= 2) {
    let jitter = 0;
    for (let i = 1; i < times.length; i++) jitter += Math.abs(times[i]! - times[i - 1]!);
    expect(d.jitterMs).toBeCloseTo(jitter / (times.length - 1), 3);
  } else {
    expect(d.jitterMs).toBeUndefined();
  }
}

describe('Linux iputils under vi_VN.UTF-8: the measurement does not depend on the locale', () => {
  // iputils has no Vietnamese catalogue (Debian ships none at all), so replies and footer are the same text in
  // both locales; the fixtures were captured with the arguments the probe passes (-n -W, -c, -i).
  const measured: {
    name: string;
    target: Target;
    sent: number;
    received: number;
    lossRatio: number;
    times: number[];
  }[] = [
    {
      name: 'linux-vi-ok.txt',
      target: { host: '127.0.0.1', count: 3, intervalMs: 200 },
      sent: 3,
      received: 3,
      lossRatio: 0,
      times: [0.029, 0.04, 0.035],
    },
    {
      name: 'linux-c-ok.txt',
      target: { host: '127.0.0.1', count: 3, intervalMs: 200 },
      sent: 3,
      received: 3,
      lossRatio: 0,
      times: [0.019, 0.035, 0.032],
    },
    {
      name: 'linux-vi-partial-loss.txt',
      target: { host: '127.0.0.3', count: 4, intervalMs: 200 },
      sent: 4,
      received: 2,
      lossRatio: 0.5,
      times: [0.669, 0.039],
    },
    {
      name: 'linux-c-partial-loss.txt',
      target: { host: '127.0.0.3', count: 4, intervalMs: 200 },
      sent: 4,
      received: 2,
      lossRatio: 0.5,
      times: [0.025, 0.039],
    },
  ];
  it.each(measured)('$name → sent $sent, received $received, loss $lossRatio, RTTs from the replies', async (c) => {
    const out = await runLinux(fixture(c.name), c.target);
    expect(out.ok).toBe(true);
    expect(out.error).toBeUndefined();
    expect(out.icmp).toMatchObject({ sent: c.sent, received: c.received, lossRatio: c.lossRatio });
    expectRtts(out.icmp, c.times);
    expect(out.latencyMs).toBe(out.icmp?.rttAvgMs);
  });

  it('the vi_VN and C captures differ only in the measured numbers', () => {
    const shape = (name: string) =>
      fixture(name)
        .toString('utf8')
        .replace(/\d+(\.\d+)?/g, 'N');
    for (const kind of ['ok', 'partial-loss', 'all-lost'])
      expect(shape(`linux-vi-${kind}.txt`)).toBe(shape(`linux-c-${kind}.txt`));
  });

  it.each(['linux-vi-all-lost.txt', 'linux-c-all-lost.txt'])(
    '%s → CW_ERR_PROBE_ICMP_NO_REPLY with loss 1 in either locale',
    async (name) => {
      const out = await runLinux(fixture(name), { host: '127.0.0.4', count: 3, intervalMs: 200 });
      expect(out.ok).toBe(false);
      expect(out.error).toEqual({
        code: 'CW_ERR_PROBE_ICMP_NO_REPLY',
        message: 'ping 127.0.0.4: 3 of 3 echo requests lost',
      });
      expect(out.icmp).toEqual({ sent: 3, received: 0, lossRatio: 1 });
    },
  );

  it.each(['linux-vi-local-reject.txt', 'linux-c-local-reject.txt'])(
    '%s: "+3 errors" in the footer still reads as 3 sent, 0 received',
    async (name) => {
      const out = await runLinux(fixture(name), { host: '127.0.0.5', count: 3, intervalMs: 200 });
      expect(out.ok).toBe(false);
      expect(out.icmp).toEqual({ sent: 3, received: 0, lossRatio: 1 });
    },
  );
});

describe('Linux error class comes from ping’s words: English under LANG=C, Vietnamese if LC_ALL/LC_MESSAGES leak through', () => {
  // glibc translates strerror()/gai_strerror() text even though iputils' own strings are not translated.
  // Under the locale the agent intends (C), each event gets its proper code; the same event captured with
  // LC_ALL=vi_VN.UTF-8 loses it. The agent must therefore run ping with LC_ALL/LC_MESSAGES unset or C.
  const cases: { event: string; host: string; count: number; c: string; vi: string; sentAnything: boolean }[] = [
    {
      event: 'unknown-host',
      host: 'no-such-host.invalid',
      count: 1,
      c: 'CW_ERR_PROBE_DNS',
      vi: 'CW_ERR_PROBE_ICMP_NO_REPLY',
      sentAnything: false,
    },
    {
      event: 'network-unreachable',
      host: '127.0.0.1',
      count: 1,
      c: 'CW_ERR_PROBE_UNREACHABLE',
      vi: 'CW_ERR_PROBE_ICMP_NO_REPLY',
      sentAnything: false,
    },
    {
      event: 'no-capability',
      host: '127.0.0.1',
      count: 1,
      c: 'CW_ERR_PROBE_ICMP_NO_PING_BINARY',
      vi: 'CW_ERR_PROBE_ICMP_NO_REPLY',
      sentAnything: false,
    },
    // "From 127.0.0.5 … Destination Host Unreachable" plus "sendmsg: Operation not permitted" (a local firewall
    // reject). Under C the EPERM line wins (classify checks "cannot run" first); under vi only the iputils line
    // is English, so it reads as unreachable. The two locales disagree.
    {
      event: 'local-reject',
      host: '127.0.0.5',
      count: 3,
      c: 'CW_ERR_PROBE_ICMP_NO_PING_BINARY',
      vi: 'CW_ERR_PROBE_UNREACHABLE',
      sentAnything: true,
    },
  ];
  it.each(cases)('$event: C → $c; LC_ALL=vi_VN → $vi', async (c) => {
    const underC = await runLinux(fixture(`linux-c-${c.event}.txt`), { host: c.host, count: c.count, intervalMs: 200 });
    const underVi = await runLinux(fixture(`linux-vi-${c.event}.txt`), {
      host: c.host,
      count: c.count,
      intervalMs: 200,
    });
    expect(underC.ok).toBe(false);
    expect(underVi.ok).toBe(false);
    expect(underC.error?.code).toBe(c.c);
    expect(underVi.error?.code).toBe(c.vi);
    // Whether requests were sent is read from the (untranslated) footer, so it agrees in both locales.
    expect(underC.icmp !== undefined).toBe(c.sentAnything);
    expect(underVi.icmp !== undefined).toBe(c.sentAnything);
  });

  it('the ping package sets LANG=C but passes LC_ALL and LC_MESSAGES through, and glibc lets those win', async () => {
    const fake = fakePingDir(fixture('linux-c-ok.txt'));
    const saved = {
      PATH: process.env.PATH,
      LC_ALL: process.env.LC_ALL,
      LC_MESSAGES: process.env.LC_MESSAGES,
      LANG: process.env.LANG,
    };
    try {
      Object.assign(process.env, {
        PATH: `${fake.dir}:${saved.PATH ?? ''}`,
        LANG: 'vi_VN.UTF-8',
        LC_ALL: 'vi_VN.UTF-8',
        LC_MESSAGES: 'vi_VN.UTF-8',
      });
      const out = await icmp.run({ host: '127.0.0.1', count: 3, intervalMs: 200 }, ctx());
      expect(out.ok).toBe(true);
      expect(fake.env()).toBe('LANG=C LC_ALL=vi_VN.UTF-8 LC_MESSAGES=vi_VN.UTF-8');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      fake.remove();
    }
  });
});

/** Whether this machine can render vi_VN (Debian: apt-get install locales; locale-gen vi_VN.UTF-8). */
function hasViLocale(): boolean {
  try {
    return /^vi_VN\.utf-?8$/im.test(cp.execFileSync('locale', ['-a'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

const VI_LOCALE = hasViLocale();
// On CI (.ci/run generates the locale) a missing vi_VN must fail the run; elsewhere skip and say why.
const ON_CI = process.env.CI === 'true';

const VI_MISSING = 'locale vi_VN.UTF-8 missing: locale-gen vi_VN.UTF-8';
const VI_STATE = VI_LOCALE
  ? 'vi_VN locale generated'
  : ON_CI
    ? `required on CI, ${VI_MISSING}`
    : `skipped, ${VI_MISSING}`;

describe.skipIf(!VI_LOCALE && !ON_CI)(`real ping to 127.0.0.1 under a Vietnamese environment (${VI_STATE})`, () => {
  const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it.each([
    ['LANG=vi_VN.UTF-8 (overridden by the package)', { LANG: 'vi_VN.UTF-8' }],
    ['LC_ALL=vi_VN.UTF-8 (passed through to ping)', { LC_ALL: 'vi_VN.UTF-8' }],
  ])('%s: 3 sent, 3 received, RTTs parsed', async (_label, env) => {
    expect(VI_LOCALE, `${VI_MISSING} (.ci/run generates it; \`locale -a\` does not list it)`).toBe(true);
    Object.assign(process.env, env);
    const out = await icmp.run({ host: '127.0.0.1', count: 3, intervalMs: 200 }, ctx());
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.icmp).toMatchObject({ sent: 3, received: 3, lossRatio: 0 });
    expect(out.icmp?.rttMinMs).toBeGreaterThan(0);
  });
});

/** The package's Windows parser, built as ping-promise builds it: the builder first fills in defaults. */
interface PingParser {
  eat(line: string): PingParser;
  getResult(): {
    alive: boolean;
    times: number[];
    packetLoss: string;
    min: string;
    max: string;
    avg: string;
    output: string;
  };
}
const requirePing = createRequire(import.meta.url);
const parserFactory = requirePing('ping/lib/parser/factory') as {
  createParser(addr: string, platform: string, config: object): PingParser;
};
const winBuilder = requirePing('ping/lib/builder/win') as {
  getCommandArguments(addr: string, config: object): string[];
};

function parseWindows(output: Buffer, host: string, count: number): ReturnType<PingParser['getResult']> {
  // The config icmp.ts passes on win32 (no deadline, no -i); the builder mutates it (packetSize 32, …).
  const config = { numeric: true, min_reply: count, timeout: 2, v6: host.includes(':'), extra: [] as string[] };
  winBuilder.getCommandArguments(host, config);
  const parser = parserFactory.createParser(host, 'win32', config);
  // Node decodes the child's stdout as UTF-8 (String(chunk)); ping-promise splits the joined text on \n.
  for (const line of output.toString('utf8').split('\n')) parser.eat(line);
  return parser.getResult();
}

describe('Windows ping.exe (synthetic samples): the package parser reads only ASCII tokens', () => {
  const measured: { name: string; host: string; times: number[]; packetLoss: string }[] = [
    { name: 'windows-en-ok.txt', host: '10.0.0.1', times: [12, 13, 12, 15], packetLoss: '0.000' },
    { name: 'windows-en-partial-loss.txt', host: '10.0.0.1', times: [12, 14], packetLoss: '50.000' },
    // "time<1ms" is read as 1 ms: an upper bound, not a measurement.
    { name: 'windows-en-lt1ms.txt', host: '192.168.1.1', times: [1, 1, 1, 1], packetLoss: '0.000' },
    { name: 'windows-en-ipv6.txt', host: '::1', times: [1, 1, 2, 1], packetLoss: '0.000' },
    { name: 'windows-vi-ok.txt', host: '10.0.0.1', times: [12, 13, 12, 15], packetLoss: '0.000' },
    { name: 'windows-vi-partial-loss.txt', host: '10.0.0.1', times: [12, 1], packetLoss: '50.000' },
    { name: 'windows-vi-partial-loss.cp1258.bin', host: '10.0.0.1', times: [12, 1], packetLoss: '50.000' },
  ];
  it.each(measured)('$name: parser → times $times', (c) => {
    const res = parseWindows(fixture(c.name), c.host, 4);
    expect(res.alive).toBe(true);
    expect(res.times).toEqual(c.times);
    expect(res.packetLoss).toBe(c.packetLoss);
  });

  it.each(measured)('$name: the probe derives sent 4, received, loss and RTTs from the received times', async (c) => {
    const { out, executable, args } = await runAs('win32', fixture(c.name), { host: c.host, count: 4 });
    expect(executable).toMatch(/system32\/ping\.exe$/);
    expect(args).toBe(`${c.host.includes(':') ? '-6' : '-4'} -w 2000 -n 4 -l 32 ${c.host}`);
    expect(out.ok).toBe(true);
    expect(out.icmp).toMatchObject({ sent: 4, received: c.times.length, lossRatio: 1 - c.times.length / 4 });
    expectRtts(out.icmp, c.times);
  });

  it('the mojibake of OEM code page 1258 parses exactly like the UTF-8 text', () => {
    const garbled = fixture('windows-vi-partial-loss.cp1258.bin').toString('utf8');
    expect(garbled).toContain('\uFFFD');
    const { output: _garbled, ...fromCp1258 } = parseWindows(
      fixture('windows-vi-partial-loss.cp1258.bin'),
      '10.0.0.1',
      4,
    );
    const { output: _clean, ...fromUtf8 } = parseWindows(fixture('windows-vi-partial-loss.txt'), '10.0.0.1', 4);
    expect(fromCp1258).toEqual(fromUtf8);
  });

  it.each(['windows-en-unreachable.txt', 'windows-vi-unreachable.txt'])(
    '%s: the parser sees no reply (alive false) although Windows counts the router’s answers as received',
    (name) => {
      const res = parseWindows(fixture(name), '10.0.0.9', 4);
      expect(res.alive).toBe(false);
      expect(res.times).toEqual([]);
      // Mis-parse carried over from ping.exe itself: "Received = 4, Lost = 0 (0% loss)". icmp.ts ignores it.
      expect(res.packetLoss).toBe('0.000');
    },
  );

  it('a localised reply with spaces around "=" makes the parser throw (in the child’s close handler in real use)', () => {
    // Hypothetical layout, not known from any real Windows: French puts a space before "ms" (node-ping #65).
    expect(() => parseWindows(fixture('windows-vi-spaced-hypothetical.txt'), '10.0.0.1', 1)).toThrow(TypeError);
  });
});

describe('Windows failures: what the probe reports, English vs Vietnamese', () => {
  // No Windows output contains "packets transmitted", so icmp.ts takes every failed Windows round for one where
  // ping never sent anything: no icmp detail, and the first line of output as the evidence.
  it('all requests timed out → NO_REPLY, but no icmp detail (loss 1 is not reported)', async () => {
    const { out } = await runAs('win32', fixture('windows-en-all-lost.txt'), { host: '10.0.0.9', count: 4 });
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_ICMP_NO_REPLY',
      message: 'ping 10.0.0.9: 4 of 4 echo requests lost: Pinging 10.0.0.9 with 32 bytes of data:',
    });
    expect(out.icmp).toBeUndefined();
  });

  it.each([
    [
      'windows-en-unreachable.txt',
      'CW_ERR_PROBE_UNREACHABLE',
      'ping 10.0.0.9: 4 of 4 echo requests lost: Reply from 10.0.0.1: Destination host unreachable.',
    ],
    // The same event in Vietnamese: the words are not recognised, so the header line becomes the evidence.
    [
      'windows-vi-unreachable.txt',
      'CW_ERR_PROBE_ICMP_NO_REPLY',
      'ping 10.0.0.9: 4 of 4 echo requests lost: Đang ping 10.0.0.9 với 32 byte dữ liệu:',
    ],
  ])('%s → %s', async (name, code, message) => {
    const { out } = await runAs('win32', fixture(name), { host: '10.0.0.9', count: 4 });
    expect(out.ok).toBe(false);
    expect(out.error).toEqual({ code, message });
  });

  it.each([
    ['windows-en-unknown-host.txt', 'CW_ERR_PROBE_DNS'],
    ['windows-vi-unknown-host.txt', 'CW_ERR_PROBE_ICMP_NO_REPLY'],
  ])('%s → %s', async (name, code) => {
    const { out } = await runAs('win32', fixture(name), { host: 'nosuch.invalid', count: 4 });
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe(code);
    expect(out.icmp).toBeUndefined();
  });
});

describe('macOS / BSD ping (synthetic samples; not localised)', () => {
  it('partial loss: sent from the footer, RTTs from the replies', async () => {
    const { out, executable } = await runAs('darwin', fixture('macos-partial-loss.txt'), {
      host: '10.0.0.1',
      count: 4,
    });
    expect(executable).toBe('/sbin/ping');
    expect(out.ok).toBe(true);
    expect(out.icmp).toMatchObject({ sent: 4, received: 3, lossRatio: 0.25 });
    expectRtts(out.icmp, [3.912, 4.118, 5.046]);
  });

  it('all lost → NO_REPLY with loss 1', async () => {
    const { out } = await runAs('darwin', fixture('macos-all-lost.txt'), { host: '10.0.0.9', count: 3 });
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_ICMP_NO_REPLY',
      message: 'ping 10.0.0.9: 3 of 3 echo requests lost',
    });
    expect(out.icmp).toEqual({ sent: 3, received: 0, lossRatio: 1 });
  });

  it('unknown host → CW_ERR_PROBE_DNS', async () => {
    const { out } = await runAs('darwin', fixture('macos-unknown-host.txt'), { host: 'nosuch.invalid', count: 3 });
    expect(out.error?.code).toBe('CW_ERR_PROBE_DNS');
  });
});
