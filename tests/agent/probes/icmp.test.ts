import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { icmp } from '../../../agent/probes/icmp.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { tempDir } from '../../helpers/temp-dir.js';

function ctx(timeoutMs = 5000, signal = new AbortController().signal): ProbeContext {
  return { signal, timeoutMs, now: Date.now, log: pino({ level: 'silent' }) };
}

/**
 * Runs `fn` with a fake `ping` first on PATH that records its arguments and prints `output`: the only way to
 * get loss and unreachable replies on a machine where every address answers. Returns the recorded arguments.
 */
async function withFakePing(output: string, fn: () => Promise<void>): Promise<string> {
  const dir = tempDir('cw-fakeping-');
  const saved = process.env.PATH;
  try {
    writeFileSync(join(dir.path, 'output.txt'), output);
    writeFileSync(
      join(dir.path, 'ping'),
      `#!/bin/sh\nprintf '%s ' "$@" > '${dir.path}/args.txt'\ncat '${dir.path}/output.txt'\n`,
    );
    chmodSync(join(dir.path, 'ping'), 0o755);
    process.env.PATH = `${dir.path}:${saved ?? ''}`;
    await fn();
    return readFileSync(join(dir.path, 'args.txt'), 'utf8').trim();
  } finally {
    process.env.PATH = saved;
    dir.remove();
  }
}

const header = 'PING 10.9.8.7 (10.9.8.7) 56(84) bytes of data.\n';
const reply = (seq: number, ms: number): string => `64 bytes from 10.9.8.7: icmp_seq=${seq} ttl=57 time=${ms} ms\n`;
const footer = (sent: number, received: number): string =>
  `\n--- 10.9.8.7 ping statistics ---\n${sent} packets transmitted, ${received} received, ` +
  `${Math.round(100 - (100 * received) / sent)}% packet loss, time 5005ms\n`;

describe('icmp probe (system ping)', () => {
  it('pings 127.0.0.1: every reply received, RTT statistics from the replies', async () => {
    const out = await icmp.run({ host: '127.0.0.1', count: 3, intervalMs: 200 }, ctx());
    expect(out.ok).toBe(true);
    expect(out.error).toBeUndefined();
    const d = out.icmp!;
    expect(d).toMatchObject({ sent: 3, received: 3, lossRatio: 0 });
    expect(d.rttMinMs).toBeGreaterThan(0);
    expect(d.rttMinMs!).toBeLessThanOrEqual(d.rttAvgMs!);
    expect(d.rttAvgMs!).toBeLessThanOrEqual(d.rttMaxMs!);
    expect(d.jitterMs).toBeGreaterThanOrEqual(0);
    expect(out.latencyMs).toBe(d.rttAvgMs);
    // Three requests 200 ms apart take about 400 ms; the default 1 s interval would take 2 s.
    expect(out.durationMs).toBeLessThan(1800);
  });

  it('one echo request: no jitter, still a full detail', async () => {
    const out = await icmp.run({ host: '127.0.0.1', count: 1, packetSize: 16 }, ctx());
    expect(out.ok).toBe(true);
    expect(out.icmp).toMatchObject({ sent: 1, received: 1, lossRatio: 0 });
    expect(out.icmp?.jitterMs).toBeUndefined();
    expect(out.icmp?.rttAvgMs).toBeGreaterThanOrEqual(0);
  });

  it('pings an IPv6 literal from an explicit source address', async () => {
    const out = await icmp.run({ host: '::1', count: 2, intervalMs: 200 }, { ...ctx(), sourceAddress: '::1' });
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.icmp).toMatchObject({ sent: 2, received: 2 });
  });

  it('no ping on PATH → CW_ERR_PROBE_ICMP_NO_PING_BINARY, not a throw', async () => {
    const empty = tempDir('cw-nopath-');
    const saved = process.env.PATH;
    try {
      process.env.PATH = empty.path;
      const out = await icmp.run({ host: '127.0.0.1', count: 1 }, ctx());
      expect(out.ok).toBe(false);
      expect(out.error).toEqual({
        code: 'CW_ERR_PROBE_ICMP_NO_PING_BINARY',
        message: 'ping program not found on PATH; install iputils-ping',
      });
      expect(out.icmp).toBeUndefined();
    } finally {
      process.env.PATH = saved;
      empty.remove();
    }
    // And a ping found again is noticed at once.
    expect((await icmp.run({ host: '127.0.0.1', count: 1 }, ctx())).ok).toBe(true);
  });

  it('an unknown host (.invalid) → a failure with ping’s own words, not a throw', async () => {
    const out = await icmp.run({ host: 'no-such-host.invalid', count: 1 }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_DNS');
    expect(out.error?.message).toMatch(/^ping no-such-host\.invalid: ping: no-such-host\.invalid: /);
    // Nothing was sent, so there is no loss figure to report.
    expect(out.icmp).toBeUndefined();
  });

  it('an aborted round → CW_ERR_PROBE_TIMEOUT without waiting for ping', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = performance.now();
    const out = await icmp.run({ host: '127.0.0.1', count: 5 }, ctx(5000, controller.signal));
    expect(out.error?.code).toBe('CW_ERR_PROBE_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('passes count, interval and per-reply wait to ping, and no deadline when the round fits its budget', async () => {
    // Without -w, -c 6 sends exactly 6 echoes; 4 replies came back.
    const output = header + reply(1, 10) + reply(2, 14) + reply(4, 12) + reply(6, 20) + footer(6, 4);
    let out: Awaited<ReturnType<typeof icmp.run>> | undefined;
    const args = await withFakePing(output, async () => {
      out = await icmp.run(
        { host: '10.9.8.7', count: 6, intervalMs: 1000, packetSize: 100 },
        { ...ctx(10_000), sourceAddress: '10.0.0.2' },
      );
    });
    expect(args).toBe('-n -W 2 -c 6 -I 10.0.0.2 -s 100 -i 1 10.9.8.7');
    expect(out?.ok).toBe(true);
    expect(out?.error).toBeUndefined();
    // Jitter: mean of |14-10|, |12-14|, |20-12| = 14/3.
    expect(out?.icmp).toEqual({
      sent: 6,
      received: 4,
      lossRatio: 0.333,
      rttMinMs: 10,
      rttAvgMs: 14,
      rttMaxMs: 20,
      jitterMs: 4.667,
    });
    expect(out?.latencyMs).toBe(14);
  });

  it('sent comes from the footer, not from count, when a cut-short round used a deadline', async () => {
    // With -w, iputils keeps sending past -c until it has `count` replies or the deadline passes.
    const output = header + reply(1, 10) + reply(3, 12) + footer(3, 2);
    let out: Awaited<ReturnType<typeof icmp.run>> | undefined;
    await withFakePing(output, async () => {
      out = await icmp.run({ host: '10.9.8.7', count: 10, intervalMs: 1000 }, ctx(3000));
    });
    expect(out?.icmp).toMatchObject({ sent: 3, received: 2, lossRatio: 0.333 });
  });

  it('every request lost → CW_ERR_PROBE_ICMP_NO_REPLY with the count as evidence', async () => {
    let out: Awaited<ReturnType<typeof icmp.run>> | undefined;
    await withFakePing(header + footer(5, 0), async () => {
      out = await icmp.run({ host: '10.9.8.7' }, ctx(10_000));
    });
    expect(out?.ok).toBe(false);
    expect(out?.error).toEqual({
      code: 'CW_ERR_PROBE_ICMP_NO_REPLY',
      message: 'ping 10.9.8.7: 5 of 5 echo requests lost',
    });
    expect(out?.icmp).toEqual({ sent: 5, received: 0, lossRatio: 1 });
    expect(out?.latencyMs).toBeUndefined();
  });

  it('"Destination Host Unreachable" → CW_ERR_PROBE_UNREACHABLE quoting ping', async () => {
    const unreachable = 'From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n';
    let out: Awaited<ReturnType<typeof icmp.run>> | undefined;
    await withFakePing(header + unreachable + footer(3, 0), async () => {
      out = await icmp.run({ host: '10.9.8.7', count: 3 }, ctx(10_000));
    });
    expect(out?.error).toEqual({
      code: 'CW_ERR_PROBE_UNREACHABLE',
      message: 'ping 10.9.8.7: 3 of 3 echo requests lost: From 10.0.0.1 icmp_seq=1 Destination Host Unreachable',
    });
  });

  it('the deadline never exceeds the round budget', async () => {
    const args = await withFakePing(header + reply(1, 1) + footer(1, 1), async () => {
      await icmp.run({ host: '10.9.8.7', count: 100, intervalMs: 1000 }, ctx(3000));
    });
    // 3000 ms minus the spawn margin leaves 2 whole seconds.
    expect(args).toContain('-w 2 ');
  });
});
